"""Referred and direct customers: accounts, leads, contacts, contracts, one-offs.

One call builds one block of customers. Customers are dimension rows, so they
are built one at a time with readable scenario logic; the fact rows (invoice
lines, invoices, payments) are expanded from the contracts in bulk by
`billing.py`.
"""

from dataclasses import dataclass, field

import numpy as np

from partner_payouts.demo import world as w
from partner_payouts.demo.calendar import add_months
from partner_payouts.demo.dims import Ids, choose, company_name, random_day, random_time

ONE_DAY = np.timedelta64(1, "D")
LAST_START = np.datetime64("2026-05-31")


def days(n) -> np.timedelta64:
    return np.timedelta64(int(n), "D")


@dataclass
class Block:
    """Rows of one block, before billing."""

    customers: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    contracts: list = field(default_factory=list)
    one_offs: list = field(default_factory=list)
    grace_periods: list = field(default_factory=list)


def new_customer(rng, ids: Ids, block: Block, entity=None, created=None,
                 reseller_partner_id=None) -> dict:
    entity = entity or choose(rng, list(w.ENTITY_WEIGHTS.items()))
    country, vat_bp = w.COUNTRIES[entity][rng.integers(len(w.COUNTRIES[entity]))]
    name, slug = company_name(rng, country)
    customer_id = ids.one("C")
    customer = dict(
        customer_id=customer_id, name=name,
        domain=f"{slug}-{customer_id[1:].lstrip('0')}.example", country=country,
        entity=entity, currency=w.ENTITY_CURRENCY[entity], vat_bp=vat_bp,
        reseller_partner_id=reseller_partner_id,
        created_at=random_time(rng, created or w.FIRST_DAY),
        index=len(block.customers),
    )
    block.customers.append(customer)
    return customer


def monthly_price(rng, product: w.Product) -> int:
    """A list price in whole currency units (cents multiple of 100)."""
    return int(rng.integers(product.low_cents // 100, product.high_cents // 100 + 1)) * 100


def add_contract(rng, ids, block, customer, product_code, starts_on, term, interval,
                 order_type="new", renews=None, monthly_cents=None, ends_on=None,
                 cancelled_on=None, ordered_on=None, signed_on=None, promo=True) -> dict:
    product = w.PRODUCTS[w.PRODUCT_INDEX[product_code]]
    ordered_on = ordered_on if ordered_on is not None else starts_on - days(rng.integers(1, 15))
    promo_bp = 0
    if promo and rng.random() < w.PROMO_SHARE:
        promo_bp = w.PROMO_BP[rng.integers(len(w.PROMO_BP))]
    contract = dict(
        contract_id=ids.one("CT"), customer=customer["index"],
        product=w.PRODUCT_INDEX[product_code], order_type=order_type, renews=renews,
        ordered_on=ordered_on,
        signed_on=signed_on if signed_on is not None else ordered_on + days(rng.integers(0, 3)),
        starts_on=starts_on, ends_on=ends_on, cancelled_on=cancelled_on, term=term,
        interval=term if interval == "term" else 1,
        monthly_cents=monthly_cents if monthly_cents is not None else monthly_price(rng, product),
        currency=customer["currency"], promo_bp=promo_bp, setup_cents=product.setup_cents,
        discount_plan=None,
    )
    block.contracts.append(contract)
    return contract


def add_one_off(rng, block, customer, product_code, day, quantity):
    product = w.PRODUCTS[w.PRODUCT_INDEX[product_code]]
    block.one_offs.append(dict(customer=customer["index"], product=w.PRODUCT_INDEX[product_code],
                               day=day, quantity=quantity,
                               unit_cents=monthly_price(rng, product)))


def add_lead(rng, ids, block, partner, kind, customer, registered_at, status=None,
             decision_maker=True) -> dict:
    status = status or choose(rng, [("approved", 0.92), ("submitted", 0.03), ("rejected", 0.05)])
    approved_at = None
    if status == "approved":
        approved_at = registered_at + np.timedelta64(int(rng.integers(1, 8) * 86400
                                                         + rng.integers(0, 28800)), "s")
    lead = dict(
        lead_id=ids.one("LD"), partner_id=partner.partner_id, program_code=w.PROGRAMS[kind],
        customer_id=customer["customer_id"], registered_at=registered_at, status=status,
        approved_at=approved_at, owner=w.SALES_REPS[rng.integers(len(w.SALES_REPS))],
        decision_maker=decision_maker,
    )
    block.leads.append(lead)
    add_contacts(rng, ids, block, lead, customer, decision_maker)
    return lead


def add_contacts(rng, ids, block, lead, customer, decision_maker):
    count = int(rng.integers(1, 4))
    for i in range(count):
        first = w.FIRST_NAMES[rng.integers(len(w.FIRST_NAMES))]
        last = w.LAST_NAMES[rng.integers(len(w.LAST_NAMES))]
        titles = [t for t in w.JOB_TITLES if t[1] == (decision_maker and i == 0)]
        title, is_dm = titles[rng.integers(len(titles))]
        block.contacts.append(dict(
            contact_id=ids.one("LC"), lead_id=lead["lead_id"], full_name=f"{first} {last}",
            email=f"{first}.{last}@{customer['domain']}".lower(), job_title=title,
            is_decision_maker=is_dm,
            introduced_on=np.datetime64(lead["registered_at"], "D") + days(rng.integers(0, 21)),
        ))


def recurring_services(rng, ids, block, customer, kind, first_start):
    """The customer's services of a kind's product mix, from `first_start` on."""
    spec = w.CUSTOMER_KINDS[kind]
    count = 1 + min(int(rng.poisson(0.7)), 3)
    products = [p for p, _ in spec["recurring"]]
    weights = np.array([x for _, x in spec["recurring"]], dtype=float)
    contracts = []
    for i in range(count):
        start = first_start if i == 0 else min(first_start + days(rng.integers(20, 420)),
                                               LAST_START)
        term = choose(rng, spec["terms"])
        code = products[rng.choice(len(products), p=weights / weights.sum())]
        cancelled = None
        if rng.random() < 0.18:
            cancelled = start + days(rng.integers(90, 600))
            cancelled = cancelled if cancelled < w.LAST_ISSUE_DAY else None
        contracts.append(add_contract(rng, ids, block, customer, code, start, term,
                                      spec["billing"], cancelled_on=cancelled,
                                      ends_on=cancelled))
    for code, share in spec["extra"]:
        if rng.random() < share:
            start = min(first_start + days(rng.integers(0, 200)), LAST_START)
            contracts.append(add_contract(rng, ids, block, customer, code, start, 1,
                                          spec["billing"]))
    for code, share in spec["one_off"]:
        if rng.random() < share:
            quantity = int(rng.integers(2, 11))
            add_one_off(rng, block, customer, code, first_start + days(rng.integers(0, 30)),
                        quantity)
    return contracts


# Scenarios forced on the first customers of the first block, so that every
# one occurs even at small scale; later customers draw them at their rates.
SCRIPTED = [
    ("nws", "late_lead"), ("nws", "conflict"), ("netsource", "self_referral"),
    ("netsource", "conflict"), ("netsource", "upgrade"), ("netsource", "downgrade"),
    ("opennebula", "early_lead"), ("opennebula", "conflict"), ("onenetwork", "conflict"),
    ("onenetwork", "registered_again"), ("onenetwork", "late_deal"),
    ("onenetwork", "no_decision_maker"), ("onenetwork", "rejected"),
    ("direct", "existing_customer"), ("direct", "late_referral"),
    ("netsource", "self_referral_rival"),
]


def happens(rng, share, name, scenario) -> bool:
    """A scenario happens when it is forced, or (when nothing is forced) at its rate."""
    return scenario == name if scenario is not None else bool(rng.random() < share)


def build_customer_block(rng, ids: Ids, partners: dict, count: int,
                         scripted: bool = False) -> Block:
    block = Block()
    kinds = list(w.KIND_WEIGHTS)
    weights = np.array([w.KIND_WEIGHTS[k] for k in kinds])
    for i in range(count):
        if scripted and i < len(SCRIPTED):
            kind, scenario = SCRIPTED[i]
        else:
            kind, scenario = kinds[rng.choice(len(kinds), p=weights / weights.sum())], None
        if kind == "direct":
            build_direct(rng, ids, block, partners, scenario)
        elif kind == "onenetwork":
            build_onenetwork(rng, ids, block, partners["onenetwork"], scenario)
        else:
            build_referred(rng, ids, block, partners[kind], kind, scenario)
    return block


def pick_partner(rng, pool, exclude=None, kind=None):
    """A partner of the program; partners whose agreement was approved get more customers."""
    choices = [p for p in pool if p is not exclude] or pool
    if kind is None:
        return choices[rng.integers(len(choices))]
    weights = np.array([w.APPROVED_PARTNER_WEIGHT if p.agreements[kind].approved_on is not None
                        else 1 for p in choices], dtype=float)
    return choices[rng.choice(len(choices), p=weights / weights.sum())]


def approved_partners(pool, kind):
    """The partners whose agreement in the program is approved (not ended)."""
    return [p for p in pool if p.agreements[kind].status == "approved"]


def build_referred(rng, ids, block, pool, kind, scenario=None):
    """NWS, OpenNebula and NetSource: a lead, then services."""
    partner = pick_partner(rng, pool, kind=kind)
    agreement = partner.agreements[kind]
    registered_day = random_day(rng, "2023-12-01", "2026-01-31")
    if scenario in ("upgrade", "downgrade"):
        # Early enough for the original term to end inside the demo window.
        registered_day = random_day(rng, "2023-12-01", "2024-06-30")
    if scenario == "self_referral_rival":
        # A partner in the program registers its own company, early enough
        # for the other partner's lead (below) to earn for a long time.
        partner = pick_partner(rng, approved_partners(pool, kind))
        registered_day = random_day(rng, "2024-01-01", "2024-09-30")
    if scenario == "early_lead" and agreement.approved_on is None:
        partner = next(p for p in pool if p.agreements[kind].approved_on is not None)
        agreement = partner.agreements[kind]
    if (kind == "opennebula" and agreement.approved_on is not None
            and agreement.approved_on > w.FIRST_DAY + days(30)
            and happens(rng, 0.12, "early_lead", scenario)):
        # Registered before the partner's application was accepted: not valid.
        registered_day = agreement.approved_on - days(rng.integers(5, 40))
    first_start = min(registered_day + days(rng.integers(7, 90)), LAST_START)
    first_start = max(first_start, w.FIRST_DAY)
    customer = new_customer(rng, ids, block, created=first_start - days(rng.integers(1, 20)))
    if kind == "netsource" and (scenario == "self_referral_rival"
                                or happens(rng, 0.05, "self_referral", scenario)):
        customer["domain"] = partner.domain  # the partner refers itself
    registered_at = random_time(rng, registered_day)
    if kind == "nws" and happens(rng, 0.08, "late_lead", scenario):
        registered_at = random_time(rng, first_start + days(rng.integers(1, 60)))
    add_lead(rng, ids, block, partner, kind, customer, registered_at,
             status="approved" if scenario else None)
    if scenario == "self_referral_rival":
        # Another partner registers the company a few days later (still
        # before its first service): the self-referral cannot win, so it wins.
        rival = pick_partner(rng, approved_partners(pool, kind), exclude=partner)
        add_lead(rng, ids, block, rival, kind, customer,
                 registered_at + np.timedelta64(int(rng.integers(1, 6)) * 86400, "s"),
                 status="approved")
    if happens(rng, 0.05, "conflict", scenario):
        # Another partner registers the same customer later: a conflict.
        rival = pick_partner(rng, pool, exclude=partner, kind=kind)
        add_lead(rng, ids, block, rival, kind, customer,
                 registered_at + np.timedelta64(int(rng.integers(5, 120)) * 86400, "s"))
    if kind == "netsource":
        build_netsource_services(rng, ids, block, customer, first_start, scenario)
    elif kind == "opennebula":
        build_opennebula_services(rng, ids, block, customer, first_start)
    else:
        recurring_services(rng, ids, block, customer, kind, first_start)


def build_netsource_services(rng, ids, block, customer, first_start, scenario=None):
    """An original contract with a commitment, then continue, upgrade, downgrade or cancel."""
    spec = w.CUSTOMER_KINDS["netsource"]
    code = choose(rng, spec["recurring"])
    term = choose(rng, spec["terms"])
    term_end = add_months([first_start], [term])[0]
    outcome = choose(rng, [("continue", 0.4), ("upgrade", 0.2), ("downgrade", 0.25),
                           ("cancel", 0.15)])
    if scenario in ("upgrade", "downgrade"):
        outcome, term = scenario, 12
        term_end = add_months([first_start], [term])[0]
    original = add_contract(rng, ids, block, customer, code, first_start, term, "monthly",
                            promo=False)
    if term_end <= w.LAST_ISSUE_DAY and outcome != "continue":
        original["ends_on"] = term_end - ONE_DAY
        if outcome == "cancel":
            original["cancelled_on"] = term_end - days(rng.integers(10, 40))
        else:
            factor = rng.uniform(1.1, 1.6) if outcome == "upgrade" else rng.uniform(0.5, 0.9)
            amount = int(round(original["monthly_cents"] * factor / 100)) * 100
            add_contract(rng, ids, block, customer, code, term_end, 12, "monthly",
                         order_type=outcome, monthly_cents=amount, promo=False,
                         ordered_on=term_end - days(rng.integers(5, 30)))
    for code_, share in spec["one_off"]:
        if rng.random() < share:
            add_one_off(rng, block, customer, code_, first_start, int(rng.integers(2, 13)))


def build_opennebula_services(rng, ids, block, customer, first_start):
    """An annual support subscription renewed yearly, plus services and training."""
    spec = w.CUSTOMER_KINDS["opennebula"]
    code = choose(rng, spec["recurring"])
    start, previous = first_start, None
    while start <= LAST_START:
        end = add_months([start], [12])[0] - ONE_DAY
        contract = add_contract(rng, ids, block, customer, code, start, 12, "term",
                                order_type="renewal" if previous else "new",
                                renews=previous["contract_id"] if previous else None,
                                ends_on=end, promo=False,
                                monthly_cents=(int(previous["monthly_cents"] * 1.04 / 100) * 100
                                               if previous else None))
        if rng.random() < 0.15:
            break  # not renewed
        previous, start = contract, end + ONE_DAY
    for code_, share in spec["one_off"]:
        if rng.random() < share:
            add_one_off(rng, block, customer, code_, first_start + days(rng.integers(0, 60)),
                        int(rng.integers(1, 8)))


def build_onenetwork(rng, ids, block, pool, scenario=None):
    """A deal registration, a SaaS deal (or none) and its renewals."""
    partner = pick_partner(rng, pool, kind="onenetwork")
    registered_day = random_day(rng, "2023-11-15", "2026-02-28")
    customer = new_customer(rng, ids, block, created=registered_day - days(rng.integers(1, 60)))
    status = choose(rng, [("approved", 0.75), ("rejected", 0.08), ("expired", 0.07),
                          ("withdrawn", 0.05), ("submitted", 0.05)])
    if scenario is not None:
        status = "rejected" if scenario == "rejected" else "approved"
        registered_day = min(registered_day, np.datetime64("2024-10-31"))
    decision_maker = not happens(rng, 0.15, "no_decision_maker", scenario)
    lead = add_lead(rng, ids, block, partner, "onenetwork", customer,
                    random_time(rng, registered_day), status=status,
                    decision_maker=decision_maker)
    if happens(rng, 0.06, "conflict", scenario):
        rival = pick_partner(rng, pool, exclude=partner, kind="onenetwork")
        add_lead(rng, ids, block, rival, "onenetwork", customer,
                 lead["registered_at"] + np.timedelta64(int(rng.integers(10, 200)) * 86400, "s"),
                 status="approved", decision_maker=True)
    anchor = np.datetime64(lead["approved_at"] or lead["registered_at"], "D")
    deal = choose(rng, [("in_window", 0.8), ("late", 0.1), ("none", 0.1)])
    if status != "approved":
        deal = "in_window" if rng.random() < 0.5 else "none"
    if scenario is not None:
        deal = "late" if scenario == "late_deal" else "in_window"
    if deal == "none":
        return
    signed = anchor + days(rng.integers(10, 330) if deal == "in_window"
                           else rng.integers(372, 500))
    if signed > LAST_START:
        return
    start = max(signed + days(rng.integers(5, 30)), w.FIRST_DAY)
    billing = "term" if rng.random() < 0.6 else "monthly"
    first = add_contract(rng, ids, block, customer, "SAAS-NET", start, 12, billing,
                         ordered_on=signed, signed_on=signed, ends_on=add_months([start], [12])[0]
                         - ONE_DAY, promo=False)
    if add_months([start], [12])[0] <= LAST_START and rng.random() < 0.8:
        renewal_start = add_months([start], [12])[0]
        add_contract(rng, ids, block, customer, "SAAS-NET", renewal_start, 12, billing,
                     order_type="renewal", renews=first["contract_id"],
                     monthly_cents=int(first["monthly_cents"] * 1.05 / 100) * 100,
                     ordered_on=renewal_start - days(30), promo=False)
    if rng.random() < 0.3:
        module_start = min(start + days(rng.integers(60, 520)), LAST_START)
        add_contract(rng, ids, block, customer, "SAAS-MOD", module_start, 12, billing,
                     order_type="upgrade", promo=False)
    add_one_off(rng, block, customer, "PS-DAY", start, int(rng.integers(3, 15)))
    if status == "approved" and happens(rng, 0.06, "registered_again", scenario):
        # The partner registers the customer again for a later deal.
        again = anchor + days(rng.integers(390, 450))
        if again < LAST_START - days(60):
            second = add_lead(rng, ids, block, partner, "onenetwork", customer,
                              random_time(rng, again), status="approved")
            deal_day = np.datetime64(second["approved_at"], "D") + days(rng.integers(10, 60))
            if deal_day <= LAST_START:
                add_contract(rng, ids, block, customer, "SAAS-MOD", deal_day + days(7), 12,
                             billing, ordered_on=deal_day, signed_on=deal_day, promo=False)


def build_direct(rng, ids, block, partners, scenario=None):
    """A customer without a partner; some are later registered as leads (existing customers)."""
    first_start = random_day(rng, w.FIRST_DAY, LAST_START - days(60))
    customer = new_customer(rng, ids, block, created=first_start - days(rng.integers(1, 30)))
    contracts = recurring_services(rng, ids, block, customer, "direct", first_start)
    for contract in contracts:
        if w.PRODUCTS[contract["product"]].family == "cdn":
            contract["usage"] = True
    if happens(rng, 0.06, "existing_customer", scenario) or scenario == "late_referral":
        # Registered by a partner after the customer started: NetSource and
        # NWS exclude the customer; OpenNebula has no customer rule, so only
        # the invoices issued before the registration earn nothing.
        draw = rng.random()
        kind = ("opennebula" if scenario == "late_referral" or 0.5 <= draw < 0.7
                else "netsource" if draw < 0.5 else "nws")
        partner = pick_partner(rng, partners[kind], kind=kind)
        add_lead(rng, ids, block, partner, kind, customer,
                 random_time(rng, min(first_start + days(rng.integers(30, 300)), LAST_START)))
