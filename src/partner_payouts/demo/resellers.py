"""Reseller partners: their accounts, orders, and the discounts their invoices carry.

The demo vendor's billing system applies the reseller program month by month:
the tier of month M comes from the MRR invoiced for month M-1 (spread over
service periods, in EUR at the month-end rate), grace periods lift it, and an
order locks the tier of its order month for the contract's life (renewals keep
the lock of the contract they renew). A renewal on a shorter term pays a
surcharge; seeding units are free within their allowance and never count
towards MRR. A small share of lines is billed with a wrong discount, so that
the warehouse's discount audit has something to find.
"""

import numpy as np

from partner_payouts.demo import billing
from partner_payouts.demo import calendar as cal
from partner_payouts.demo import world as w
from partner_payouts.demo.customers import Block, add_contract, days, monthly_price, new_customer
from partner_payouts.demo.dims import Ids, choose, random_day, rate_on_or_before

MONTHS = int(cal.month_index([w.LAST_ISSUE_DAY], w.FIRST_DAY)[0]) + 1
MONTH_STARTS = np.arange(np.datetime64(w.FIRST_DAY, "M"), np.datetime64(w.FIRST_DAY, "M")
                         + MONTHS).astype("datetime64[D]")
LAST_ORDER = np.datetime64("2026-04-30")


def tier_of(mrr_eur: float) -> int:
    # MRR is summed in floating point here; like the warehouse, the billing
    # system compares the MRR in cents with the band edges.
    return int(np.searchsorted(w.RESELLER_TIER_FLOORS_EUR, round(mrr_eur, 2), side="right") - 1)


def plan_orders(rng, ids, block, partner_id, side_rng, scripted=False):
    """Accounts and contracts of one reseller, in order-date order.

    Seeding units are drawn from `side_rng`, so that they leave the other
    orders' draws alone. `scripted` (so that every case occurs at small
    scale): on its first order day the reseller also orders three services
    it renews on a shorter term (12 -> 6, 6 -> 3 and 3 -> 1 months; its
    tier-3 grace period, see `simulate_tiers`, covers the surcharges), and
    later a batch of seeding units that shows every allowance outcome and
    billing error."""
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
    for term, shorter in ((12, 6), (6, 3), (3, 1)) if scripted else ():
        code = choose(side_rng, w.RESELLER_PRODUCTS)
        contract = add_contract(
            side_rng, ids, block, accounts[0], code, first_order + days(3), term, "term",
            monthly_cents=monthly_price(side_rng, w.PRODUCTS[w.PRODUCT_INDEX[code]]),
            ordered_on=first_order, promo=False)
        renewals(side_rng, ids, block, accounts[0], contract, shorten_to=shorter)
    if scripted or side_rng.random() < w.SEEDING_SHARE:
        for _ in range(1 if scripted else 1 + int(side_rng.random() < 0.3)):
            order_seeding_units(side_rng, ids, block, accounts, first_order, scripted)
    block.contracts.sort(key=lambda c: (c["ordered_on"], c["contract_id"]))


def order_seeding_units(rng, ids, block, accounts, first_order, scripted=False):
    """A batch of seeding units ordered within three weeks: most are returned
    within their free months, some kept on. Each unit also records the
    billing system's errors on it: (unit limit missed, free months ended late).

    Scripted: seven units started two days apart; the first is kept for six
    months and its free months end late, the 6th and 7th are over the unit
    limit, and the billing system misses the limit on the 6th."""
    begin = random_day(rng, first_order + days(30), LAST_ORDER - days(120))
    low, high = w.SEEDING_BATCH_UNITS
    count = 7 if scripted else int(rng.integers(low, high + 1))
    for n in range(count):
        if scripted:
            start = begin + days(2 * n)
            ordered = start - days(3)
            kept, errors = n == 0, (n == 5, n == 0)
        else:
            ordered = begin + days(rng.integers(0, 21))
            start = ordered + days(rng.integers(1, 5))
            kept = rng.random() < w.SEEDING_KEPT_SHARE
            errors = (bool(rng.random() < w.SEEDING_LIMIT_MISSED_SHARE),
                      bool(rng.random() < w.SEEDING_LATE_END_SHARE))
        months = (6 if scripted else int(rng.integers(4, 13))) if kept else int(rng.integers(1, 4))
        ends = cal.add_months([start], [months])[0] - cal.DAY
        code = choose(rng, w.RESELLER_PRODUCTS)
        account = accounts[rng.integers(len(accounts))]
        price = monthly_price(rng, w.PRODUCTS[w.PRODUCT_INDEX[code]])
        contract = add_contract(rng, ids, block, account, code, start, 1, "term",
                                order_type="seeding", ordered_on=ordered, ends_on=ends,
                                monthly_cents=price, promo=False)
        contract["seeding_errors"] = errors


def seeding_allowances(contracts) -> dict:
    """Every seeding unit's allowance as the program counts it, by contract
    index: (the day its free months end, whether it started while the
    maximum number of the reseller's units were running). Units count in
    order of start, then contract id, each running until its free months
    end, or it ends or is cancelled if earlier."""
    units = sorted((c["starts_on"], c["contract_id"], i) for i, c in enumerate(contracts)
                   if c["order_type"] == "seeding")
    allowances, running_until = {}, []
    for start, _, i in units:
        unit = contracts[i]
        ends = cal.add_months([start], [w.SEEDING_ALLOWANCE_MONTHS])[0]
        until = ends
        if unit["ends_on"] is not None:
            until = min(until, unit["ends_on"] + cal.DAY)
        if unit["cancelled_on"] is not None:
            until = min(until, unit["cancelled_on"])
        running = sum(1 for day in running_until if day > start)
        allowances[i] = (ends, running >= w.SEEDING_MAX_RUNNING_UNITS)
        running_until.append(until)
    return allowances


def follow_up(rng, ids, block, account, contract):
    """Renewals of prepaid terms (some on a shorter term), and the odd upgrade
    or downgrade."""
    if contract["term"] >= 3:
        renewals(rng, ids, block, account, contract)
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


def renewals(rng, ids, block, account, current, alternative=None, shorten_to=None):
    """Renew a prepaid term until it is not renewed or still runs at the export
    (`shorten_to`: the first renewal is wanted on this shorter term).

    A reseller that wants a shorter term at a renewal takes it only where its
    locked discount still covers the surcharge (see `takes_shorter_term`),
    which only the tier simulation knows: both renewals are planned from
    there on, marked `alternative` = (renewed contract, shorter?, shorter
    term), and the simulation drops the one not taken (its contract ids stay
    unused, like a discarded draft's)."""
    while current["term"] >= 3:
        end = cal.add_months([current["starts_on"]], [current["term"]])[0]
        if end > LAST_ORDER:
            break  # still in its term when the export was taken
        current["ends_on"] = end - cal.DAY
        if shorten_to is None and rng.random() < 0.15:
            break  # not renewed
        if alternative is None and (shorten_to or rng.random() < w.RESELLER_TERM_DOWNGRADE_SHARE):
            # Most step down to the next shorter term, the others further.
            shorter = [t for t, _ in w.RESELLER_TERMS if t < current["term"]]
            term = shorten_to or choose(rng, [(t, 2 if t == shorter[-1] else 1) for t in shorter])
            for is_shorter in (False, True):
                marker = (current["contract_id"], is_shorter, term)
                renewal = renew(rng, ids, block, account, current,
                                term if is_shorter else current["term"], marker)
                # Renewed on one month, it runs month by month from then on.
                renewals(rng, ids, block, account, renewal, marker)
            return
        current = renew(rng, ids, block, account, current, current["term"], alternative)


def renew(rng, ids, block, account, current, term, alternative=None) -> dict:
    renewal = add_contract(rng, ids, block, account, w.PRODUCTS[current["product"]].code,
                           current["ends_on"] + cal.DAY, term, "term", order_type="renewal",
                           renews=current["contract_id"], monthly_cents=current["monthly_cents"],
                           ordered_on=current["ends_on"] + cal.DAY - days(15), promo=False)
    if alternative is not None:
        renewal["alternative"] = alternative
    return renewal


def takes_shorter_term(lock: int, term: int) -> bool:
    """Whether a reseller renews on the shorter `term`: where the renewal's
    entitled discount stays at or above zero (see RESELLER_SURCHARGE_ABOVE_LIST)."""
    if w.RESELLER_SURCHARGE_ABOVE_LIST:
        return True
    paid = ((10_000 - w.RESELLER_MONTHLY_DISCOUNT_BP[lock]) * (10_000 - w.PREPAY_DISCOUNT_BP[term])
            * (10_000 + w.RESELLER_TERM_SURCHARGE_BP.get(term, 0)))
    return paid <= 10**12


def drop_alternatives_not_taken(block, lines, taken: dict) -> dict:
    """Remove the planned renewals the reseller did not take, and their lines."""
    keep = np.array([c.get("alternative") is None
                     or taken.get(c["alternative"][0], False) == c["alternative"][1]
                     for c in block.contracts], dtype=bool)
    if keep.all():
        return lines
    block.contracts = [c for c, k in zip(block.contracts, keep) if k]
    if not lines:
        return lines
    kept_lines = (lines["contract"] < 0) | keep[lines["contract"]]
    lines = {key: values[kept_lines] for key, values in lines.items()}
    renumbered = np.cumsum(keep) - 1
    lines["contract"] = np.where(lines["contract"] < 0, lines["contract"],
                                 renumbered[lines["contract"]])
    return lines


def line_discounts(lines, rows, lock, contract, rng, surcharge_bp=0, seeding=None):
    """Discount cents of a contract's lines: as the billing system applied them
    (with its deliberate errors), and as the program entitles them.

    `surcharge_bp`: the surcharge of a renewal on a shorter term (0 if none);
    `seeding`: a seeding unit's allowance (see `seeding_allowances`)."""
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
    # The term ignored: neither its prepayment discount nor its surcharge.
    prepay = np.where(error & (kind == 2), 0, prepay_bp)
    surcharge = np.where(error & (kind == 2), 0, surcharge_bp)
    setup_discount = billing.round_div(list_cents * w.RESELLER_SETUP_DISCOUNT_BP[lock], 10_000)

    def recurring(monthly_bp, prepay_bp_, surcharge_bp_):
        kept = (10_000 - monthly_bp) * (10_000 - prepay_bp_)  # share of list paid, in 1e-8
        if not surcharge_bp:
            return billing.round_div(list_cents * (10**8 - kept), 10**8)
        # In 1e-12: exact in int64 for lines under 46,000 (surcharged terms
        # are 6 months at most). The discount is negative where the surcharge
        # outweighs it (a billing error; see takes_shorter_term).
        if int(np.abs(list_cents).max(initial=0)) * 2 * 10**12 >= 2**63:
            raise OverflowError("a surcharged line too large for exact int64 cents")
        kept = kept * (10_000 + surcharge_bp_)
        return billing.round_div(list_cents * (10**12 - kept), 10**12)

    billed = np.where(setup, setup_discount, recurring(monthly, prepay, surcharge))
    correct = np.where(setup, setup_discount,
                       recurring(entitled_monthly, prepay_bp, surcharge_bp))
    if seeding is not None:
        # Free within the allowance; the billing system's free months are its
        # own (it may miss the unit limit, or end them a month late).
        allowance_ends, over_limit = seeding
        limit_missed, late_end = contract["seeding_errors"]
        start = lines["start"][rows]
        billed_free = np.zeros(len(rows), dtype=bool)
        if limit_missed or not over_limit:
            months = w.SEEDING_ALLOWANCE_MONTHS + int(late_end)
            billed_free = start < cal.add_months([contract["starts_on"]], [months])[0]
        correct = np.where(~over_limit & (start < allowance_ends), list_cents, correct)
        billed = np.where(billed_free, list_cents, billed)
    return billed, correct


def simulate_tiers(rng, block, lines, fx_series, partner_id, scripted=False) -> dict:
    """Month by month: earned and effective tier, locks, discounts and the MRR they make
    (`scripted`: a grace period of tier 3 from the first order month).

    Returns which renewals on a shorter term the reseller took: renewed
    contract id -> taken (see `renewals`)."""
    mrr = np.zeros(MONTHS)
    currency = [c["currency"] for c in block.customers]
    month_end_rate = {cur: [rate_on_or_before(fx_series, cur, cal.month_end([m])[0])
                            for m in MONTH_STARTS] for cur in set(currency)}
    grace = None
    first_month = int(cal.month_index([block.contracts[0]["ordered_on"]], w.FIRST_DAY)[0])
    if rng.random() < w.GRACE_SHARE or scripted:
        granted = 3 if scripted else int(rng.integers(1, 4))
        length = int(rng.integers(3, 7))
        grace = (granted, max(first_month, 0), max(first_month, 0) + length - 1)
        block.grace_periods.append(dict(
            partner_id=partner_id, program_code=w.PROGRAMS["reseller"], granted_tier=granted,
            starts_on=MONTH_STARTS[grace[1]],
            ends_on=cal.month_end([MONTH_STARTS[min(grace[2], MONTHS - 1)]])[0]))
    order_month = cal.month_index([c["ordered_on"] for c in block.contracts], w.FIRST_DAY)
    seeding = seeding_allowances(block.contracts)
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
    lock, taken = {}, {}
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
            if "alternative" in contract:
                renewed_id, is_shorter, term = contract["alternative"]
                if renewed_id not in taken:
                    taken[renewed_id] = takes_shorter_term(lock[i], term)
                if taken[renewed_id] != is_shorter:
                    continue  # the renewal not taken
            rows = line_order[bounds[i]:bounds[i + 1]]
            if len(rows) == 0:
                continue
            surcharge_bp = 0
            if (contract["order_type"] == "renewal" and renewed is not None
                    and contract["term"] < block.contracts[renewed]["term"]):
                surcharge_bp = w.RESELLER_TERM_SURCHARGE_BP.get(contract["term"], 0)
            lines["discount"][rows], lines["entitled_discount"][rows] = line_discounts(
                lines, rows, lock[i], contract, rng, surcharge_bp, seeding.get(i))
            if i in seeding:
                continue  # seeding units never count towards MRR
            shares = share_order[share_bounds[i]:share_bounds[i + 1]]
            row, months = share_row[shares], month[shares]
            inside = months < MONTHS
            net_eur = ((lines["list"][row] - lines["discount"][row]) / 100 * weight[shares]
                       )[inside] / account_rate[contract["customer"], months[inside]]
            np.add.at(mrr, months[inside], net_eur)
    return taken


def build_reseller_block(rng, ids: Ids, resellers, fx_series, side_rng, scripted: bool = False):
    """Accounts, contracts, grace periods and billed documents of some resellers.

    `side_rng` draws the seeding units and payment terms (a stream of their
    own); `scripted`: the first approved reseller orders the scripted
    seeding batch."""
    outputs = []
    for partner in resellers:
        agreement = partner.agreements["reseller"]
        script = scripted and agreement.status == "approved"
        scripted = scripted and not script
        block = Block()
        plan_orders(rng, ids, block, partner.partner_id, side_rng, script)
        lines = billing.expand_lines(rng, block)
        taken = {}
        if lines:
            # The discount each line should carry, next to the one billed:
            # their difference is the ledger of deliberate billing errors.
            lines["entitled_discount"] = lines["discount"].copy()
            taken = simulate_tiers(rng, block, lines, fx_series, partner.partner_id, script)
        lines = drop_alternatives_not_taken(block, lines, taken)
        documents = billing.bill(rng, ids, block, lines, credit_note_share=0.0,
                                 reseller=agreement, terms_rng=side_rng)
        outputs.append((block, documents))
    return outputs
