"""The small tables: partners, agreements, products, exchange rates, payout runs."""

from dataclasses import dataclass, field

import numpy as np

from partner_payouts.demo import calendar as cal
from partner_payouts.demo import world as w
from partner_payouts.demo.writer import basis_points, dates, timestamps


class Ids:
    """Sequential, zero-padded ids per entity; deterministic across blocks."""

    WIDTH = {"P": 5, "AG": 6, "C": 8, "LD": 8, "LC": 8, "CT": 9, "INV": 10, "IL": 11,
             "PAY": 10}

    def __init__(self):
        self._next = dict.fromkeys(self.WIDTH, 1)

    def take(self, prefix: str, n: int) -> np.ndarray:
        start = self._next[prefix]
        self._next[prefix] = start + n
        if n == 0:
            return np.array([], dtype=object)
        digits = np.char.zfill(np.arange(start, start + n).astype(str), self.WIDTH[prefix])
        return np.char.add(prefix, digits).astype(object)

    def one(self, prefix: str) -> str:
        return self.take(prefix, 1)[0]


_CUMULATIVE = {}


def choose(rng, options):
    """Pick from [(value, weight), ...]."""
    key = tuple(options)
    cumulative = _CUMULATIVE.get(key)
    if cumulative is None:
        weights = np.array([p for _, p in options], dtype=float)
        cumulative = _CUMULATIVE[key] = np.cumsum(weights) / weights.sum()
    position = int(np.searchsorted(cumulative, rng.random(), side="right"))
    return options[min(position, len(options) - 1)][0]


def random_day(rng, first, last):
    first, last = np.datetime64(first, "D"), np.datetime64(last, "D")
    return first + np.timedelta64(int(rng.integers(0, (last - first).astype(int) + 1)), "D")


def random_time(rng, day, earliest_hour=7, latest_hour=19):
    seconds = int(rng.integers(earliest_hour * 3600, latest_hour * 3600))
    return np.datetime64(day, "s") + np.timedelta64(seconds, "s")


def company_name(rng, country, words=w.COMPANY_WORDS_B):
    """A synthetic company name and its domain slug."""
    a = w.COMPANY_WORDS_A[rng.integers(len(w.COMPANY_WORDS_A))]
    b = words[rng.integers(len(words))]
    return f"{a} {b} {w.COMPANY_SUFFIX.get(country, 'Ltd')}", f"{a}-{b}".lower()


@dataclass
class Partner:
    partner_id: str
    name: str
    domain: str
    country: str
    created_on: np.datetime64
    # One agreement per program joined: program kind -> agreement fields.
    agreements: dict = field(default_factory=dict)


@dataclass
class Agreement:
    agreement_id: str
    kind: str
    status: str
    signed_on: np.datetime64
    approved_on: np.datetime64 | None
    terminated_on: np.datetime64 | None
    terminated_by: str | None
    rate_bp: int | None
    payout_currency: str | None
    # Resellers: post-payment approved from this day (None: pre-payment).
    post_payment_on: np.datetime64 | None = None


def partner_counts(scale: float) -> dict[str, int]:
    counts = {kind: max(n, round(n * scale ** 0.75))
              for kind, n in w.PARTNERS_AT_SCALE_1.items() if kind != "reseller"}
    counts["reseller"] = max(w.PARTNERS_AT_SCALE_1["reseller"],
                             round(w.RESELLERS_PER_SCALE * scale))
    return counts


def build_partners(rng, ids: Ids, scale: float) -> dict[str, list[Partner]]:
    """Partners by program kind (a partner may appear under two kinds)."""
    by_kind: dict[str, list[Partner]] = {kind: [] for kind in w.PROGRAMS}
    everyone: list[Partner] = []
    for kind, count in partner_counts(scale).items():
        for position in range(count):
            entity = choose(rng, list(w.ENTITY_WEIGHTS.items()))
            country = w.COUNTRIES[entity][0][0]
            name, slug = company_name(rng, country, w.PARTNER_WORDS)
            partner_id = ids.one("P")
            partner = Partner(
                partner_id=partner_id,
                name=name,
                domain=f"{slug}-{partner_id[1:].lstrip('0')}.example",
                country=country,
                created_on=random_day(rng, "2023-01-01", "2024-09-30"),
            )
            partner.agreements[kind] = new_agreement(rng, ids, partner, kind, position)
            by_kind[kind].append(partner)
            everyone.append(partner)
    # Some referral partners also join a second referral program.
    referral = ["nws", "opennebula", "netsource", "onenetwork"]
    for partner in everyone:
        if "reseller" in partner.agreements or rng.random() >= 0.1:
            continue
        kind = referral[rng.integers(len(referral))]
        if kind not in partner.agreements:
            partner.agreements[kind] = new_agreement(rng, ids, partner, kind)
            by_kind[kind].append(partner)
    return by_kind


def new_agreement(rng, ids: Ids, partner: Partner, kind: str, position: int = -1) -> Agreement:
    """An agreement; the first partners of a program cover every outcome, in order."""
    if kind == "reseller":
        outcome = "approved" if position != 1 and rng.random() < 0.9 else "terminated_vendor"
    elif 0 <= position < len(w.AGREEMENT_OUTCOMES_FIRST):
        outcome = w.AGREEMENT_OUTCOMES_FIRST[position]
    else:
        outcome = choose(rng, w.AGREEMENT_STATUS)
    signed = partner.created_on + np.timedelta64(int(rng.integers(0, 60)), "D")
    approved = terminated = by = None
    if outcome in ("approved", "terminated_vendor", "terminated_partner"):
        approved = signed + np.timedelta64(int(rng.integers(3, 21)), "D")
    if outcome.startswith("terminated"):
        terminated = random_day(rng, "2025-01-15", "2026-05-31")
        by = outcome.split("_")[1]
    status = {"terminated_vendor": "terminated", "terminated_partner": "terminated"}.get(
        outcome, outcome)
    rate = choose(rng, w.RATE_OVERRIDES[kind]) if kind in w.RATE_OVERRIDES else None
    default_currency = "USD" if kind in ("netsource", "onenetwork") else "EUR"
    payout = None
    if default_currency == "EUR" and partner.country in ("US", "CA") and rng.random() < 0.5:
        payout = "USD"
    elif default_currency == "USD" and partner.country not in ("US", "CA") and rng.random() < 0.3:
        payout = "EUR" if partner.country != "GB" else "GBP"
    return Agreement(ids.one("AG"), kind, status, signed, approved, terminated, by, rate,
                     payout)


def grant_post_payment(rng, resellers: list[Partner]) -> None:
    """Approve some resellers for post-payment: with their agreement, later
    in their history, or never (the first resellers cover every case)."""
    low, high = w.RESELLER_POST_PAYMENT_LATER
    for position, partner in enumerate(resellers):
        agreement = partner.agreements["reseller"]
        if position < len(w.RESELLER_POST_PAYMENT_FIRST):
            when = w.RESELLER_POST_PAYMENT_FIRST[position]
        else:
            when = choose(rng, w.RESELLER_POST_PAYMENT)
        if when == "from_start":
            agreement.post_payment_on = agreement.approved_on
        elif when == "later":
            agreement.post_payment_on = max(random_day(rng, low, high), agreement.approved_on)


def partner_tables(by_kind: dict[str, list[Partner]]):
    """Column dicts for partners and partner_agreements."""
    seen, partners = set(), []
    for group in by_kind.values():
        for p in group:
            if p.partner_id not in seen:
                seen.add(p.partner_id)
                partners.append(p)
    created = np.array([np.datetime64(p.created_on, "s") + np.timedelta64(9 * 3600, "s")
                        for p in partners])
    partner_cols = {
        "partner_id": [p.partner_id for p in partners],
        "partner_name": [p.name for p in partners],
        "company_domain": [p.domain for p in partners],
        "country_code": [p.country for p in partners],
        "created_at": timestamps(created, offset_minutes=60),
    }
    agreements = [(p, a) for p in partners for a in p.agreements.values()]

    def opt_days(values):
        return dates(np.array([v if v is not None else np.datetime64("NaT")
                               for v in values], dtype="datetime64[D]"))

    rates = basis_points([a.rate_bp or 0 for _, a in agreements], nullable_zero=True)
    agreement_cols = {
        "agreement_id": [a.agreement_id for _, a in agreements],
        "partner_id": [p.partner_id for p, _ in agreements],
        "program_code": [w.PROGRAMS[a.kind] for _, a in agreements],
        "status": [a.status for _, a in agreements],
        "signed_on": opt_days([a.signed_on for _, a in agreements]),
        "approved_on": opt_days([a.approved_on for _, a in agreements]),
        "terminated_on": opt_days([a.terminated_on for _, a in agreements]),
        "terminated_by": [a.terminated_by for _, a in agreements],
        "commission_rate_override": rates,
        "payout_currency": [a.payout_currency for _, a in agreements],
        "post_payment_approved_on": opt_days([a.post_payment_on for _, a in agreements]),
    }
    return partner_cols, agreement_cols


def product_table():
    return {
        "product_code": [p.code for p in w.PRODUCTS],
        "product_name": [p.name for p in w.PRODUCTS],
        "product_family": [p.family for p in w.PRODUCTS],
        "is_recurring": ["true" if p.is_recurring else "false" for p in w.PRODUCTS],
    }


def fx_rates(rng):
    """Business-day rates per currency; also the month-end lookup used by resellers."""
    days = np.arange(w.FX_FIRST_DAY, w.EXPORT_DAY + 1, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    days = days[weekday < 5]
    columns = {"rate_date": [], "currency": [], "units_per_eur": []}
    series = {}
    for currency, level in w.FX_START.items():
        steps = rng.normal(0.0, 0.004, len(days))
        rates = np.round(level * np.exp(np.cumsum(steps)), 4)
        series[currency] = (days, rates)
        columns["rate_date"].append(dates(days))
        columns["currency"].append(np.full(len(days), currency, dtype=object))
        columns["units_per_eur"].append(np.char.mod("%.4f", rates))
    import pyarrow as pa
    return {
        "rate_date": pa.concat_arrays(columns["rate_date"]),
        "currency": np.concatenate(columns["currency"]),
        "units_per_eur": np.concatenate(columns["units_per_eur"]).astype(object),
    }, series


def rate_on_or_before(series, currency: str, day) -> float:
    if currency == "EUR":
        return 1.0
    days, rates = series[currency]
    position = np.searchsorted(days, np.datetime64(day, "D"), side="right") - 1
    return float(rates[max(position, 0)])


def payout_runs():
    """Closed settlement periods per program (resellers get discounts, not payouts)."""
    cols = {"program_code": [], "period_start": [], "period_end": [], "closed_at": []}
    for kind, months in w.SETTLEMENT_MONTHS.items():
        if kind == "reseller":
            continue
        starts = np.arange(np.datetime64(w.FIRST_DAY, "M"),
                           np.datetime64(w.LAST_CLOSED_PERIOD_END, "M") + 1,
                           np.timedelta64(months, "M"))
        ends = (starts + months).astype("datetime64[D]") - cal.DAY
        closed = (ends + np.timedelta64(w.RUN_CLOSE_LAG_DAYS, "D")).astype("datetime64[s]")
        closed = closed + np.timedelta64(16 * 3600, "s")
        cols["program_code"].extend([w.PROGRAMS[kind]] * len(starts))
        cols["period_start"].extend(np.datetime_as_string(starts.astype("datetime64[D]")))
        cols["period_end"].extend(np.datetime_as_string(ends))
        cols["closed_at"].extend(np.char.add(np.datetime_as_string(closed), "Z"))
    return cols


def close_of_period(day) -> np.ndarray:
    """When the quarter holding `day` closed (every program's run for it is closed by then)."""
    return (cal.quarter_end(day) + np.timedelta64(w.RUN_CLOSE_LAG_DAYS, "D")).astype(
        "datetime64[s]") + np.timedelta64(16 * 3600, "s")

