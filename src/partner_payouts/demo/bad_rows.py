"""Bad rows of every kind the raw contract lists, mixed into the demo export.

Each table has a list of kinds. Most add a copy of a real row, with a fresh key
and one broken value, so that the damage stays local. A few damage real rows
on purpose, so that the quarantine's cascade shows: an invoice with an unknown
document type (its lines and payments become `parent_quarantined`), an invoice
line copied with the same key but different content (both copies quarantined).
The first block of every table gets at least one row of each kind; later
blocks get them at `RATE`.
"""

from decimal import Decimal

import numpy as np
import pyarrow as pa

from partner_payouts.raw_contract import RAW_TABLES

RATE = 0.0006

KEYS = {
    "partners": ("partner_id",), "partner_agreements": ("agreement_id",),
    "customers": ("customer_id",), "leads": ("lead_id",), "lead_contacts": ("contact_id",),
    "products": ("product_code",), "contracts": ("contract_id",), "invoices": ("invoice_id",),
    "invoice_lines": ("invoice_line_id",), "payments": ("payment_id",),
    "fx_rates": ("currency", "rate_date"),
    "tier_grace_periods": ("partner_id", "program_code", "starts_on"),
    "payout_runs": ("program_code", "period_start"),
}


def _shift_amount(value):
    return str(Decimal(value or "0") + 1)


# (kind, column, bad values or transform)
KINDS = {
    "partners": [
        ("missing_key", None, None), ("conflict", "partner_name", " (duplicate)"),
        ("exact", None, None), ("value", "created_at", ["last week", "2024-13-45T10:00:00Z"]),
        ("value", "country_code", ["XX", "Germany"]),
    ],
    "partner_agreements": [
        ("missing_key", None, None), ("exact", None, None),
        ("value", "partner_id", ["P99999"]), ("value", "program_code", ["aws_marketplace"]),
        ("value", "status", ["pending"]), ("value", "approved_on", ["2024-02-30"]),
        ("value", "commission_rate_override", ["ten percent", "1.5"]),
        ("value", "payout_currency", ["CHF"]),
    ],
    "customers": [
        ("missing_key", None, None), ("conflict", "customer_name", " (duplicate)"),
        ("exact", None, None), ("value", "created_at", ["yesterday"]),
        ("value", "reseller_partner_id", ["P99999"]), ("corrupt", "country_code", ["XX"]),
    ],
    "leads": [
        ("missing_key", None, None), ("exact", None, None),
        ("value", "customer_id", ["C99999999"]), ("value", "status", ["won"]),
        ("value", "registered_at", ["", "31/12/2025 10:00"]),
        ("value", "decision_maker_introduced", ["yes"]),
    ],
    "lead_contacts": [
        ("missing_key", None, None), ("exact", None, None), ("value", "lead_id", ["LD99999999"]),
        ("value", "introduced_on", ["15.02.2025"]), ("value", "is_decision_maker", ["maybe"]),
    ],
    "products": [
        ("exact", None, None), ("value", "is_recurring", ["yes"]),
        ("value", "product_family", ["quantum"]),
    ],
    "contracts": [
        ("missing_key", None, None), ("conflict", "monthly_amount", _shift_amount),
        ("exact", None, None), ("value", "customer_id", ["C99999999"]),
        ("value", "order_type", ["transfer"]), ("value", "term_months", ["18", "12.5"]),
        ("value", "monthly_amount", ["1.234,00"]), ("value", "currency", ["CHF"]),
        ("value", "starts_on", ["2025-06-31"]), ("custom", "period_reversed", None),
        ("custom", "circular_renewal", None),
    ],
    "invoices": [
        ("missing_key", None, None), ("exact", None, None),
        ("value", "customer_id", ["C99999999"]), ("value", "currency", ["CHF"]),
        ("value", "issued_on", ["2025-02-29"]), ("value", "recorded_at", ["tomorrow"]),
        # Year typos: decades ahead (must not move the as-of date) or a
        # planned date far ahead.
        ("value", "recorded_at", ["2062-03-14T09:00:00Z"]),
        ("value", "due_on", ["2205-01-31"]),
        ("corrupt", "document_type", ["proforma"]),
    ],
    "invoice_lines": [
        ("missing_key", None, None), ("real_conflict", "net_amount", _shift_amount),
        ("exact", None, None), ("value", "invoice_id", ["INV9999999999"]),
        ("value", "charge_type", ["discount"]), ("value", "list_amount", ["n/a"]),
        ("value", "promo_pct", ["-0.1"]), ("custom", "net_mismatch", None),
        ("custom", "period_reversed", None), ("custom", "credit_note_positive", None),
    ],
    "payments": [
        ("missing_key", None, None), ("exact", None, None),
        ("value", "invoice_id", ["INV9999999999"]), ("value", "amount", ["twelve"]),
        ("value", "received_on", ["2025-04-31"]),
        # Received decades before the export, or long before its invoice.
        ("value", "received_on", ["1925-03-05"]),
        ("value", "received_on", ["2015-01-01"]),
    ],
    "fx_rates": [
        ("exact", None, None),
        ("real_conflict", "units_per_eur", lambda v: str(Decimal(v) + Decimal("0.01"))),
        ("custom", "fx_bad", None),
    ],
    "tier_grace_periods": [("custom", "grace_bad", None)],
    "payout_runs": [("custom", "runs_bad", None)],
}


class BadRowInjector:
    def __init__(self, rng):
        self.rng = rng
        self.fresh = 0
        self.injected = {table: 0 for table in RAW_TABLES}
        self.injected_lines = 0
        self._credit_notes = []

    def _fresh_key(self, value):
        self.fresh += 1
        return f"{value}-Q{self.fresh}"

    def apply(self, table: str, data: pa.Table, first_block: bool,
              local_only: bool = False) -> pa.Table:
        """Mix bad rows into a block; `local_only` leaves every real row intact."""
        n = data.num_rows
        if n == 0:
            return data
        rows_to_add, corrupted = [], {}
        key = KEYS[table][0]
        for kind, column, spec in KINDS[table]:
            if local_only and kind in ("corrupt", "real_conflict"):
                continue
            if (kind, column) == ("custom", "credit_note_positive") and not self._credit_notes:
                continue
            k = int(self.rng.binomial(n, RATE))
            if first_block:
                k = max(k, 1)
            for i in self.rng.choice(n, size=min(k, n), replace=False):
                row = data.slice(int(i), 1).to_pylist()[0]
                added = self._make(table, kind, column, spec, row, key, data)
                if kind == "corrupt":
                    corrupted[int(i)] = added[0]
                else:
                    rows_to_add.extend(added)
        if corrupted:
            keep = np.ones(n, dtype=bool)
            keep[list(corrupted)] = False
            data = data.filter(pa.array(keep))
            rows_to_add.extend(corrupted.values())
        self.injected[table] += len(rows_to_add)
        if not rows_to_add:
            return data
        extra = pa.Table.from_pylist(rows_to_add, schema=data.schema)
        return pa.concat_tables([data, extra])

    def _make(self, table, kind, column, spec, row, key, data):
        pick = self.rng.integers
        if kind == "missing_key":
            return [{**row, key: None}]
        if kind == "exact":
            return [dict(row)]
        if kind == "conflict":
            fresh = self._fresh_key(row[key])
            changed = spec(row[column]) if callable(spec) else (row[column] or "") + spec
            return [{**row, key: fresh}, {**row, key: fresh, column: changed}]
        if kind == "real_conflict":
            return [{**row, column: spec(row[column])}]
        if kind in ("value", "corrupt"):
            bad = spec[pick(len(spec))]
            fresh = row if kind == "corrupt" else {**row, key: self._fresh_key(row[key])}
            return [{**fresh, column: bad or None}]
        return self._custom(column, row, key, data)

    def _custom(self, name, row, key, data):
        fresh = {**row, key: self._fresh_key(row[key])}
        if name == "period_reversed":
            start = "service_period_start" if "service_period_start" in row else "starts_on"
            end = "service_period_end" if start == "service_period_start" else "ends_on"
            day = np.datetime64(row[start]) if row[start] else np.datetime64("2025-01-15")
            return [{**fresh, start: str(day + 10), end: str(day)}]
        if name == "circular_renewal":
            # Two renewals that renew each other: a loop no tier lock can follow.
            other = {**row, key: self._fresh_key(row[key])}
            return [{**fresh, "order_type": "renewal", "renews_contract_id": other[key]},
                    {**other, "order_type": "renewal", "renews_contract_id": fresh[key]}]
        if name == "net_mismatch":
            return [{**fresh, "net_amount": _shift_amount(row["net_amount"])}]
        if name == "credit_note_positive":
            # A line on a (real) credit note whose amounts are positive.
            invoice = self._credit_notes[self.rng.integers(len(self._credit_notes))]
            amounts = {c: (row[c] or "0").lstrip("-") for c in
                       ("list_amount", "discount_amount", "net_amount", "tax_amount")}
            return [{**fresh, "invoice_id": invoice, **amounts}]
        if name == "fx_bad":
            return [
                {"rate_date": "2025-03-01", "currency": "USD", "units_per_eur": "0"},  # Saturday
                {"rate_date": "01/03/2025", "currency": "USD", "units_per_eur": "1.0812"},
                {"rate_date": "2025-03-03", "currency": "XYZ", "units_per_eur": "1.2000"},
                {"rate_date": "2025-03-02", "currency": None, "units_per_eur": "1.0800"},
            ]
        if name == "grace_bad":
            return [
                {**row, "partner_id": "P99999"},
                {**row, "starts_on": "2025-07-01", "granted_tier": "two"},
                {**row, "starts_on": "2025-10-01", "ends_on": "2025-09-30"},
            ]
        if name == "runs_bad":
            return [
                {**row, "program_code": "aws_marketplace"},
                {**row, "period_start": "2026-05-01", "period_end": "2026-05-31",
                 "closed_at": "soon"},
                {**row, "period_start": "2026-06-01", "period_end": "2026-05-31"},
                # A payout run for the year 9999: must not stretch the calendar.
                {**row, "period_start": "9999-01-01", "period_end": "9999-01-31",
                 "closed_at": "9999-02-10T12:00:00Z"},
            ]
        raise ValueError(f"unknown custom bad row {name}")

    def malformed_lines(self, data: pa.Table) -> list[tuple[str, str]]:
        """CSV lines that cannot be read as rows, made from a real row of
        `data` with fresh keys: one with a field too many, one with fields
        missing, and one whose quote is never closed (every line after it
        must still be read). Returns (line, expected reason)."""
        row = data.slice(0, 1).to_pylist()[0]
        key = data.column_names[0]
        values = lambda r: [v or "" for v in r.values()]  # noqa: E731
        extra = {**row, key: self._fresh_key(row[key])}
        short = {**row, key: self._fresh_key(row[key])}
        quoted = {**row, key: self._fresh_key(row[key])}
        unterminated = values(quoted)
        unterminated[1] = '"' + unterminated[1]
        self.injected_lines += 3
        return [
            (",".join(values(extra) + ["unexpected"]), "csv_too_many_fields"),
            (",".join(values(short)[:2]), "csv_too_few_fields"),
            (",".join(unterminated), "csv_unterminated_quote"),
        ]

    def remember_credit_notes(self, invoice_ids):
        """Credit notes of the block being written (kept while a block has none)."""
        if len(invoice_ids):
            self._credit_notes = list(invoice_ids)
