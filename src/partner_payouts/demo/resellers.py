"""Reseller partners: their accounts, orders, and the discounts their invoices carry.

The demo vendor's billing system applies the reseller program month by month:
the tier of month M comes from the MRR invoiced for month M-1 (spread over
service periods, in EUR at the month-end rate), grace periods lift it, and an
order locks the tier of its order month for the contract's life (renewals keep
the lock of the contract they renew). A small share of lines is billed with a
wrong discount, so that the warehouse's discount audit has something to find.
"""

import numpy as np

from partner_payouts.demo import billing
from partner_payouts.demo import calendar as cal
from partner_payouts.demo import world as w
from partner_payouts.demo.customers import Block, add_contract, days, new_customer
from partner_payouts.demo.dims import Ids, choose, random_day, rate_on_or_before

MONTHS = int(cal.month_index([w.LAST_ISSUE_DAY], w.FIRST_DAY)[0]) + 1
MONTH_STARTS = np.arange(np.datetime64(w.FIRST_DAY, "M"), np.datetime64(w.FIRST_DAY, "M")
                         + MONTHS).astype("datetime64[D]")
LAST_ORDER = np.datetime64("2026-04-30")


def tier_of(mrr_eur: float) -> int:
    # MRR is summed in floating point here; like the warehouse, the billing
    # system compares the MRR in cents with the band edges.
    return int(np.searchsorted(w.RESELLER_TIER_FLOORS_EUR, round(mrr_eur, 2), side="right") - 1)


def plan_orders(rng, ids, block, partner_id):
    """Accounts and contracts of one reseller, in order-date order."""
    size, (low, high), _ = choose(rng, [((n, r, p), p) for n, r, p in w.RESELLER_SIZES])
    target_eur = rng.uniform(low, high)
    first_order = random_day(rng, w.FIRST_DAY, "2025-03-31")
    accounts = []
    for _ in range(1 + min(int(rng.poisson(1.5 if size == "small" else 3)), 8)):
        entity = choose(rng, [("VND-NL", 0.45), ("VND-DE", 0.35), ("VND-US", 0.2)])
        accounts.append(new_customer(rng, ids, block, entity=entity,
                                     created=first_order - days(rng.integers(5, 60)),
                                     reseller_partner_id=partner_id))
    span = (LAST_ORDER - first_order).astype(int)
    products = [p for p, _ in w.RESELLER_PRODUCTS]
    weights = np.array([x for _, x in w.RESELLER_PRODUCTS], dtype=float)
    planned, total = [], 0.0
    while total < target_eur:
        code = products[rng.choice(len(products), p=weights / weights.sum())]
        product = w.PRODUCTS[w.PRODUCT_INDEX[code]]
        amount = int(rng.integers(product.low_cents // 100, product.high_cents // 100 + 1)) * 100
        # Growth: earlier orders are sparse, later ones denser.
        ordered = first_order + days(int(span * rng.random() ** 0.7))
        planned.append((ordered, code, amount))
        total += amount / 100
    planned.sort(key=lambda x: x[0])
    for ordered, code, amount in planned:
        account = accounts[rng.integers(len(accounts))]
        term = choose(rng, w.RESELLER_TERMS)
        start = ordered + days(rng.integers(1, 10))
        cancelled = None
        if term == 1 and rng.random() < 0.15:
            cancelled = start + days(rng.integers(90, 540))
            cancelled = cancelled if cancelled < w.LAST_ISSUE_DAY else None
        contract = add_contract(rng, ids, block, account, code, start, term, "term",
                                monthly_cents=amount, ordered_on=ordered,
                                cancelled_on=cancelled, ends_on=cancelled)
        follow_up(rng, ids, block, account, contract)
    block.contracts.sort(key=lambda c: (c["ordered_on"], c["contract_id"]))


def follow_up(rng, ids, block, account, contract):
    """Renewals of prepaid terms, and the odd upgrade or downgrade."""
    if contract["term"] >= 3:
        current = contract
        while True:
            end = cal.add_months([current["starts_on"]], [current["term"]])[0]
            if end > LAST_ORDER:
                break  # still in its term when the export was taken
            current["ends_on"] = end - cal.DAY
            if rng.random() < 0.15:
                break  # not renewed
            current = add_contract(rng, ids, block, account, w.PRODUCTS[current["product"]].code,
                                   end, current["term"], "term", order_type="renewal",
                                   renews=current["contract_id"],
                                   monthly_cents=current["monthly_cents"],
                                   ordered_on=end - days(15), promo=False)
    elif contract["cancelled_on"] is None and rng.random() < 0.12:
        change = contract["starts_on"] + days(rng.integers(90, 400))
        if change <= LAST_ORDER:
            upgrade = rng.random() < 0.7
            factor = 1.5 if upgrade else 0.6
            contract["ends_on"] = change - cal.DAY
            add_contract(rng, ids, block, account, w.PRODUCTS[contract["product"]].code, change,
                         1, "term", order_type="upgrade" if upgrade else "downgrade",
                         monthly_cents=int(contract["monthly_cents"] * factor / 100) * 100,
                         ordered_on=change - days(5))


def line_discounts(lines, rows, lock, contract, rng):
    """Discount cents of a contract's lines: as the billing system applied them
    (with its deliberate errors), and as the program entitles them."""
    tier_bp = w.RESELLER_MONTHLY_DISCOUNT_BP[lock]
    prepay_bp = w.PREPAY_DISCOUNT_BP[contract["term"]]
    list_cents = lines["list"][rows]
    promo = lines["promo_bp"][rows]
    setup = lines["charge"][rows] == billing.SETUP
    error = rng.random(len(rows)) < w.RESELLER_BILLING_ERROR_SHARE
    kind = rng.integers(0, 3, len(rows))
    entitled_monthly = np.minimum(tier_bp + promo, w.RESELLER_DISCOUNT_CAP_BP)
    monthly = np.where(error & (kind == 0), tier_bp + promo, entitled_monthly)  # cap forgotten
    wrong_tier = min(lock + 1, len(w.RESELLER_MONTHLY_DISCOUNT_BP) - 1) if lock == 0 else lock - 1
    monthly = np.where(error & (kind == 1), np.minimum(
        w.RESELLER_MONTHLY_DISCOUNT_BP[wrong_tier] + promo, w.RESELLER_DISCOUNT_CAP_BP), monthly)
    prepay = np.where(error & (kind == 2), 0, prepay_bp)  # prepayment discount forgotten
    setup_discount = billing.round_div(list_cents * w.RESELLER_SETUP_DISCOUNT_BP[lock], 10_000)

    def recurring(monthly_bp, prepay_bp_):
        applied = 10**8 - (10_000 - monthly_bp) * (10_000 - prepay_bp_)  # in 1e-8
        return billing.round_div(list_cents * applied, 10**8)

    billed = np.where(setup, setup_discount, recurring(monthly, prepay))
    correct = np.where(setup, setup_discount, recurring(entitled_monthly, prepay_bp))
    return billed, correct


def simulate_tiers(rng, block, lines, fx_series, partner_id):
    """Month by month: earned and effective tier, locks, discounts and the MRR they make."""
    mrr = np.zeros(MONTHS)
    currency = [c["currency"] for c in block.customers]
    month_end_rate = {cur: [rate_on_or_before(fx_series, cur, cal.month_end([m])[0])
                            for m in MONTH_STARTS] for cur in set(currency)}
    grace = None
    first_month = int(cal.month_index([block.contracts[0]["ordered_on"]], w.FIRST_DAY)[0])
    if rng.random() < w.GRACE_SHARE:
        granted = int(rng.integers(1, 4))
        length = int(rng.integers(3, 7))
        grace = (granted, max(first_month, 0), max(first_month, 0) + length - 1)
        block.grace_periods.append(dict(
            partner_id=partner_id, program_code=w.PROGRAMS["reseller"], granted_tier=granted,
            starts_on=MONTH_STARTS[grace[1]],
            ends_on=cal.month_end([MONTH_STARTS[min(grace[2], MONTHS - 1)]])[0]))
    order_month = cal.month_index([c["ordered_on"] for c in block.contracts], w.FIRST_DAY)
    index_of = {c["contract_id"]: i for i, c in enumerate(block.contracts)}
    # Lines per contract, and each recurring line's share of every month it covers.
    line_order = np.argsort(lines["contract"], kind="stable")
    bounds = np.searchsorted(lines["contract"][line_order], np.arange(len(block.contracts) + 1))
    recurring = np.flatnonzero(lines["charge"] == billing.RECURRING)
    owner, month, weight = cal.spread_periods(lines["start"][recurring],
                                              lines["end"][recurring], w.FIRST_DAY)
    share_row = recurring[owner]
    share_order = np.argsort(lines["contract"][share_row], kind="stable")
    share_bounds = np.searchsorted(lines["contract"][share_row][share_order],
                                   np.arange(len(block.contracts) + 1))
    account_rate = np.array([month_end_rate[c] for c in currency])  # account x month
    lock = {}
    for m in range(MONTHS):
        earned = tier_of(mrr[m - 1]) if m > 0 else 0
        effective = max(earned, grace[0]) if grace and grace[1] <= m <= grace[2] else earned
        for i in np.flatnonzero(order_month == m):
            contract = block.contracts[i]
            renewed = index_of.get(contract["renews"])
            if contract["order_type"] == "renewal" and renewed in lock:
                lock[i] = lock[renewed]
            else:
                lock[i] = effective
            rows = line_order[bounds[i]:bounds[i + 1]]
            if len(rows) == 0:
                continue
            lines["discount"][rows], lines["entitled_discount"][rows] = line_discounts(
                lines, rows, lock[i], contract, rng)
            shares = share_order[share_bounds[i]:share_bounds[i + 1]]
            row, months = share_row[shares], month[shares]
            inside = months < MONTHS
            net_eur = ((lines["list"][row] - lines["discount"][row]) / 100 * weight[shares]
                       )[inside] / account_rate[contract["customer"], months[inside]]
            np.add.at(mrr, months[inside], net_eur)


def build_reseller_block(rng, ids: Ids, resellers, fx_series):
    """Accounts, contracts, grace periods and billed documents of some resellers."""
    outputs = []
    for partner in resellers:
        block = Block()
        plan_orders(rng, ids, block, partner.partner_id)
        lines = billing.expand_lines(rng, block)
        if lines:
            # The discount each line should carry, next to the one billed:
            # their difference is the ledger of deliberate billing errors.
            lines["entitled_discount"] = lines["discount"].copy()
            simulate_tiers(rng, block, lines, fx_series, partner.partner_id)
        documents = billing.bill(rng, ids, block, lines, credit_note_share=0.0)
        outputs.append((block, documents))
    return outputs
