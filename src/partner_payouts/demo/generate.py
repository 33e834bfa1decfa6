"""Generate a deterministic demo export: `generate(out_dir, scale, seed)`.

Scale 1 is about 10,000 invoice lines; the export grows linearly with the
scale and is produced block by block (customers in blocks of
`world.CUSTOMERS_PER_BLOCK`, resellers in blocks of 25), each block with its
own random stream derived from the seed, so memory stays bounded whatever the
scale and a seed always yields the same files.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from partner_payouts.demo import billing, dims
from partner_payouts.demo import world as w
from partner_payouts.demo.bad_rows import BadRowInjector
from partner_payouts.demo.customers import build_customer_block
from partner_payouts.demo.resellers import build_reseller_block
from partner_payouts.demo.writer import RawExportWriter, dates, money, timestamps
from partner_payouts.raw_contract import RAW_TABLES

RESELLERS_PER_BLOCK = 25
# Stream ids, so that adding a stream never changes another one.
STREAM_STATIC, STREAM_CUSTOMERS, STREAM_RESELLERS, STREAM_BAD = 1, 2, 3, 4
STREAM_POST_PAYMENT, STREAM_RESELLER_SIDE = 5, 6


@dataclass
class Summary:
    out_dir: Path
    fmt: str
    scale: float
    seed: int
    rows: dict = field(default_factory=dict)
    bad_rows: dict = field(default_factory=dict)
    seconds: float = 0.0
    # Reseller lines the demo billing system billed with a wrong discount:
    # invoice_line_id -> discount billed minus discount entitled, in cents
    # (the audit's answer key; not part of the export).
    misbilled_reseller_lines: dict = field(default_factory=dict)
    # Reseller invoices the demo billing system issued with longer payment
    # terms than the program allows (invoice ids; the answer key of
    # fct_reseller_payment_terms).
    long_payment_terms_invoices: set = field(default_factory=set)
    # CSV only: lines written malformed on purpose, per table:
    # {line number: the reason the quarantine must give}.
    malformed_lines: dict = field(default_factory=dict)


def generate(out_dir, scale: float = 1, seed: int = 42, fmt: str | None = None) -> Summary:
    if scale <= 0:
        raise ValueError("scale must be positive")
    fmt = fmt or ("parquet" if scale >= 100 else "csv")
    started = time.perf_counter()
    ids = dims.Ids()
    static_rng = np.random.default_rng([seed, STREAM_STATIC])
    injector = BadRowInjector(np.random.default_rng([seed, STREAM_BAD]))
    first_block = {table: True for table in RAW_TABLES}
    malformed = {}

    def emit(writer, table, data, local_only=False):
        if data is None or data.num_rows == 0:
            return
        if table == "invoices":
            notes = data.filter(pc.equal(data["document_type"], "credit_note"))
            injector.remember_credit_notes(notes["invoice_id"].to_pylist()[:200])
        data = injector.apply(table, data, first_block[table], local_only)
        writer.write(table, {name: data[name] for name in data.column_names})
        if table in MALFORMED_LINE_TABLES and first_block[table]:
            # Made in both formats (they use fresh keys), written to CSV only.
            lines = injector.malformed_lines(data)
        if table in MALFORMED_LINE_TABLES and first_block[table] and fmt == "csv":
            numbers = writer.write_lines(table, [line for line, _ in lines])
            malformed.setdefault(table, {}).update(
                zip(numbers, [reason for _, reason in lines]))
        first_block[table] = False

    with RawExportWriter(out_dir, fmt) as writer:
        partners = dims.build_partners(static_rng, ids, scale)
        dims.grant_post_payment(np.random.default_rng([seed, STREAM_POST_PAYMENT]),
                                partners["reseller"])
        partner_cols, agreement_cols = dims.partner_tables(partners)
        emit(writer, "partners", to_table("partners", partner_cols))
        emit(writer, "partner_agreements", to_table("partner_agreements", agreement_cols))
        emit(writer, "products", to_table("products", dims.product_table()))
        fx_cols, fx_series = dims.fx_rates(static_rng)
        emit(writer, "fx_rates", to_table("fx_rates", fx_cols))
        emit(writer, "payout_runs", to_table("payout_runs", dims.payout_runs()))

        n_customers = max(1, round(w.CUSTOMERS_PER_SCALE * scale))
        for block_no, start in enumerate(range(0, n_customers, w.CUSTOMERS_PER_BLOCK)):
            rng = np.random.default_rng([seed, STREAM_CUSTOMERS, block_no])
            count = min(w.CUSTOMERS_PER_BLOCK, n_customers - start)
            block = build_customer_block(rng, ids, partners, count, scripted=block_no == 0)
            documents = billing.bill(rng, ids, block, billing.expand_lines(rng, block))
            for table, data in block_tables(block, documents).items():
                emit(writer, table, data)

        resellers = partners["reseller"]
        misbilled, long_terms = {}, set()
        for block_no, start in enumerate(range(0, len(resellers), RESELLERS_PER_BLOCK)):
            rng = np.random.default_rng([seed, STREAM_RESELLERS, block_no])
            built = build_reseller_block(
                rng, ids, resellers[start:start + RESELLERS_PER_BLOCK], fx_series,
                np.random.default_rng([seed, STREAM_RESELLER_SIDE, block_no]),
                scripted=block_no == 0)
            parts = [block_tables(block, documents) for block, documents in built]
            for _, documents in built:
                misbilled.update(documents["misbilled"])
                long_terms.update(documents["long_terms"])
            for table in BLOCK_TABLES:
                pieces = [p[table] for p in parts if p[table] is not None]
                # Bad rows stay local here: the tiers the billing system applied
                # must be recomputable from the trusted invoices.
                emit(writer, table, pa.concat_tables(pieces) if pieces else None,
                     local_only=True)
        rows = dict(writer.rows_written)
    return Summary(Path(out_dir), fmt, scale, seed, rows, dict(injector.injected),
                   time.perf_counter() - started, misbilled_reseller_lines=misbilled,
                   long_payment_terms_invoices=long_terms, malformed_lines=malformed)


def to_table(table: str, columns: dict) -> pa.Table:
    arrays = []
    for name in RAW_TABLES[table]:
        value = columns[name]
        if not isinstance(value, (pa.Array, pa.ChunkedArray)):
            value = pa.array(list(value) if isinstance(value, np.ndarray) else value,
                             type=pa.string())
        arrays.append(value.cast(pa.string()))
    return pa.Table.from_arrays(arrays, names=list(RAW_TABLES[table]))


# CSV exports get malformed lines in these files (after their first block).
MALFORMED_LINE_TABLES = ("payments", "leads")

BLOCK_TABLES = ("customers", "leads", "lead_contacts", "contracts", "tier_grace_periods",
                "invoices", "invoice_lines", "payments")


def block_tables(block, documents) -> dict:
    """The block's rows per raw table (None where it has none)."""
    columns = {
        "customers": customer_columns(block),
        "leads": lead_columns(block),
        "lead_contacts": contact_columns(block),
        "contracts": contract_columns(block),
        "tier_grace_periods": grace_columns(block),
        **documents,
    }
    return {table: None if columns[table] is None else to_table(table, columns[table])
            for table in BLOCK_TABLES}


def _days(values):
    return dates(np.array([v if v is not None else np.datetime64("NaT") for v in values],
                          dtype="datetime64[D]"))


def customer_columns(block):
    c = block.customers
    return {
        "customer_id": [x["customer_id"] for x in c],
        "customer_name": [x["name"] for x in c],
        "company_domain": [x["domain"] for x in c],
        "country_code": [x["country"] for x in c],
        "legal_entity": [x["entity"] for x in c],
        "reseller_partner_id": [x["reseller_partner_id"] for x in c],
        "created_at": timestamps(np.array([x["created_at"] for x in c], dtype="datetime64[s]")),
    }


def lead_columns(block):
    leads = block.leads
    if not leads:
        return None
    approved = np.array([x["approved_at"] if x["approved_at"] is not None
                         else np.datetime64("NaT") for x in leads], dtype="datetime64[s]")
    return {
        "lead_id": [x["lead_id"] for x in leads],
        "partner_id": [x["partner_id"] for x in leads],
        "program_code": [x["program_code"] for x in leads],
        "customer_id": [x["customer_id"] for x in leads],
        # The CRM exports local time with its offset (CET, +01:00).
        "registered_at": timestamps(np.array([x["registered_at"] for x in leads],
                                             dtype="datetime64[s]"), offset_minutes=60),
        "status": [x["status"] for x in leads],
        "approved_at": timestamps(approved, offset_minutes=60),
        "sales_account_owner": [x["owner"] for x in leads],
        "decision_maker_introduced": ["true" if x["decision_maker"] else "false" for x in leads],
    }


def contact_columns(block):
    c = block.contacts
    if not c:
        return None
    return {
        "contact_id": [x["contact_id"] for x in c],
        "lead_id": [x["lead_id"] for x in c],
        "full_name": [x["full_name"] for x in c],
        "email": [x["email"] for x in c],
        "job_title": [x["job_title"] for x in c],
        "is_decision_maker": ["true" if x["is_decision_maker"] else "false" for x in c],
        "introduced_on": _days([x["introduced_on"] for x in c]),
    }


def contract_columns(block):
    c = block.contracts
    if not c:
        return None
    customer_ids = [x["customer_id"] for x in block.customers]
    return {
        "contract_id": [x["contract_id"] for x in c],
        "customer_id": [customer_ids[x["customer"]] for x in c],
        "product_code": [w.PRODUCTS[x["product"]].code for x in c],
        "order_type": [x["order_type"] for x in c],
        "renews_contract_id": [x["renews"] for x in c],
        "ordered_on": _days([x["ordered_on"] for x in c]),
        "signed_on": _days([x["signed_on"] for x in c]),
        "starts_on": _days([x["starts_on"] for x in c]),
        "ends_on": _days([x["ends_on"] for x in c]),
        "cancelled_on": _days([x["cancelled_on"] for x in c]),
        "term_months": [str(x["term"]) for x in c],
        "monthly_amount": money([x["monthly_cents"] for x in c]),
        "currency": [x["currency"] for x in c],
    }


def grace_columns(block):
    g = block.grace_periods
    if not g:
        return None
    return {
        "partner_id": [x["partner_id"] for x in g],
        "program_code": [x["program_code"] for x in g],
        "granted_tier": [str(x["granted_tier"]) for x in g],
        "starts_on": _days([x["starts_on"] for x in g]),
        "ends_on": _days([x["ends_on"] for x in g]),
    }
