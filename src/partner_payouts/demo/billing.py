"""The demo vendor's billing run, vectorised: contracts -> lines -> documents -> payments.

`expand_lines` turns a block's contracts and one-off charges into invoice lines
(recurring periods, setup fees, usage, one-offs); `bill` groups them into
invoices, issues credit notes, and simulates how customers pay. All amounts
are integer cents; nothing here loops over fact rows in Python.
"""

import numpy as np

from partner_payouts.demo import calendar as cal
from partner_payouts.demo import world as w
from partner_payouts.demo.dims import Agreement, Ids, close_of_period
from partner_payouts.demo.writer import basis_points, dates, money, timestamps

CHARGE_TYPES = np.array(["recurring", "setup", "one_time", "usage"], dtype=object)
RECURRING, SETUP, ONE_TIME, USAGE = range(4)
NAT = np.datetime64("NaT", "D")


def round_div(numerator, denominator):
    """Integer division rounded half away from zero (exact for int64 inputs)."""
    numerator = np.asarray(numerator, dtype=np.int64)
    q = (np.abs(numerator) * 2 + denominator) // (2 * denominator)
    return np.sign(numerator) * q


def contract_arrays(block) -> dict:
    c = block.contracts
    if not c:
        return {}

    def day_or_nat(key):
        return np.array([x[key] if x[key] is not None else NAT for x in c], dtype="datetime64[D]")

    ends = day_or_nat("ends_on")
    cancelled = day_or_nat("cancelled_on")
    # The service's last day (far future when open-ended) ...
    service_end = np.full(len(c), np.datetime64("2099-12-31"), dtype="datetime64[D]")
    service_end = np.where(np.isnat(ends), service_end, np.minimum(service_end, ends))
    service_end = np.where(np.isnat(cancelled), service_end,
                           np.minimum(service_end, cancelled))
    # ... and the last day a period can start (invoiced in advance).
    last = np.minimum(service_end, w.LAST_ISSUE_DAY)
    return dict(
        service_end=service_end,
        customer=np.array([x["customer"] for x in c], dtype=np.int64),
        product=np.array([x["product"] for x in c], dtype=np.int64),
        starts=day_or_nat("starts_on"),
        last=last,
        interval=np.array([x["interval"] for x in c], dtype=np.int64),
        term=np.array([x["term"] for x in c], dtype=np.int64),
        monthly=np.array([x["monthly_cents"] for x in c], dtype=np.int64),
        promo_bp=np.array([x["promo_bp"] for x in c], dtype=np.int64),
        setup=np.array([x["setup_cents"] if x["order_type"] in ("new", "upgrade") else 0
                        for x in c], dtype=np.int64),
        usage=np.array([bool(x.get("usage")) for x in c]),
    )


def expand_lines(rng, block) -> dict:
    """All invoice lines of a block, as arrays (discounts: promotions only)."""
    parts = []
    ca = contract_arrays(block)
    if ca:
        n = cal.period_count(ca["starts"], ca["last"], ca["interval"])
        owner, k = cal.repeat_ranges(n)
        starts = cal.add_months(ca["starts"][owner], k * ca["interval"][owner])
        full_ends = cal.add_months(ca["starts"][owner], (k + 1) * ca["interval"][owner]) - cal.DAY
        # A service ending inside a period is billed up to its last day, pro rata.
        ends = np.minimum(full_ends, ca["service_end"][owner])
        full_list = ca["monthly"][owner] * ca["interval"][owner]
        list_cents = round_div(full_list * ((ends - starts).astype(np.int64) + 1),
                               (full_ends - starts).astype(np.int64) + 1)
        promo = np.where(k < w.PROMO_PERIODS, ca["promo_bp"][owner], 0)
        parts.append(dict(
            customer=ca["customer"][owner], contract=owner, period=k,
            product=ca["product"][owner], charge=np.full(len(owner), RECURRING),
            start=starts, end=ends, issue=starts, quantity=np.ones(len(owner), dtype=np.int64),
            list=list_cents, promo_bp=promo, discount=round_div(list_cents * promo, 10_000),
        ))
        # Setup fee with the first period of a new or upgraded service.
        has_setup = (ca["setup"] > 0) & (n > 0)
        idx = np.flatnonzero(has_setup)
        parts.append(dict(
            customer=ca["customer"][idx], contract=idx, period=np.zeros(len(idx), dtype=np.int64),
            product=ca["product"][idx], charge=np.full(len(idx), SETUP),
            start=ca["starts"][idx], end=ca["starts"][idx], issue=ca["starts"][idx],
            quantity=np.ones(len(idx), dtype=np.int64), list=ca["setup"][idx],
            promo_bp=np.zeros(len(idx), dtype=np.int64), discount=np.zeros(len(idx), dtype=np.int64),
        ))
        # Usage above the plan, in some months of metered services, billed in
        # arrears (the day after the period).
        metered = np.flatnonzero(ca["usage"][owner] & (rng.random(len(owner)) < 0.35)
                                 & (ends + cal.DAY <= w.LAST_ISSUE_DAY))
        amount = rng.integers(20, 300, len(metered)) * 100
        parts.append(dict(
            customer=ca["customer"][owner][metered], contract=owner[metered],
            period=k[metered], product=ca["product"][owner][metered],
            charge=np.full(len(metered), USAGE), start=starts[metered], end=ends[metered],
            issue=ends[metered] + cal.DAY,
            quantity=np.ones(len(metered), dtype=np.int64), list=amount,
            promo_bp=np.zeros(len(metered), dtype=np.int64),
            discount=np.zeros(len(metered), dtype=np.int64),
        ))
    if block.one_offs:
        o = block.one_offs
        day = np.array([x["day"] for x in o], dtype="datetime64[D]")
        keep = day <= w.LAST_ISSUE_DAY
        quantity = np.array([x["quantity"] for x in o], dtype=np.int64)
        unit = np.array([x["unit_cents"] for x in o], dtype=np.int64)
        parts.append(dict(
            customer=np.array([x["customer"] for x in o], dtype=np.int64)[keep],
            contract=np.full(keep.sum(), -1), period=np.zeros(keep.sum(), dtype=np.int64),
            product=np.array([x["product"] for x in o], dtype=np.int64)[keep],
            charge=np.full(keep.sum(), ONE_TIME), start=day[keep], end=day[keep],
            issue=day[keep],
            quantity=quantity[keep], list=(quantity * unit)[keep],
            promo_bp=np.zeros(keep.sum(), dtype=np.int64),
            discount=np.zeros(keep.sum(), dtype=np.int64),
        ))
    if not parts:
        return {}
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def bill(rng, ids: Ids, block, lines: dict, credit_note_share=w.CREDIT_NOTE_SHARE,
         reseller: Agreement | None = None, terms_rng=None) -> dict:
    """Invoices, credit notes, lines and payments of a block, as column dicts.

    `reseller`: the block is one reseller's accounts, billed under its
    agreement's payment terms (`reseller_due_days`, drawn from `terms_rng`)."""
    empty = {"invoices": None, "invoice_lines": None, "payments": None, "misbilled": {},
             "long_terms": set()}
    if not lines or len(lines["customer"]) == 0:
        return empty
    customers = block.customers
    vat = np.array([c["vat_bp"] for c in customers], dtype=np.int64)
    entity = np.array([c["entity"] for c in customers], dtype=object)
    currency = np.array([c["currency"] for c in customers], dtype=object)
    customer_id = np.array([c["customer_id"] for c in customers], dtype=object)
    contract_id = np.array([c["contract_id"] for c in block.contracts] + [None], dtype=object)

    # Invoices: one per customer and issue date.
    issued = lines["issue"]
    order = np.lexsort((lines["customer"], issued))
    lines = {k: v[order] for k, v in lines.items()}
    issued = issued[order]
    new_doc = np.ones(len(issued), dtype=bool)
    new_doc[1:] = (issued[1:] != issued[:-1]) | (lines["customer"][1:] != lines["customer"][:-1])
    doc_of_line = np.cumsum(new_doc) - 1
    first_line = np.flatnonzero(new_doc)
    doc_customer = lines["customer"][first_line]
    doc_issued = issued[first_line]
    n_docs = len(first_line)

    net = lines["list"] - lines["discount"]
    tax = round_div(net * vat[lines["customer"]], 10_000)

    # Credit notes: one document per credited line, for all or half of it.
    creditable = np.isin(lines["charge"], [RECURRING, ONE_TIME, USAGE]) & (net > 0)
    credited = np.flatnonzero(creditable & (rng.random(len(net)) < credit_note_share))
    credit_issued = issued[credited] + rng.integers(5, 46, len(credited)).astype("timedelta64[D]")
    keep = credit_issued <= w.LAST_ISSUE_DAY
    credited, credit_issued = credited[keep], credit_issued[keep]
    share = np.where(rng.random(len(credited)) < 0.6, 2, 1)  # halves: 2 = all, 1 = half
    c_list = -round_div(lines["list"][credited] * share, 2)
    c_discount = -round_div(lines["discount"][credited] * share, 2)
    c_net = c_list - c_discount
    c_tax = round_div(c_net * vat[lines["customer"][credited]], 10_000)
    n_credits = len(credited)

    doc_ids = np.array(ids.take("INV", n_docs + n_credits), dtype=object)
    all_customer = np.concatenate([doc_customer, lines["customer"][credited]])
    all_issued = np.concatenate([doc_issued, credit_issued])
    is_credit = np.concatenate([np.zeros(n_docs, bool), np.ones(n_credits, bool)])
    corrects = np.concatenate([np.full(n_docs, None, dtype=object),
                               doc_ids[doc_of_line[credited]]])
    recorded = (all_issued.astype("datetime64[s]")
                + rng.integers(6 * 3600, 20 * 3600, len(all_issued)).astype("timedelta64[s]"))
    late = ((all_issued <= w.LAST_CLOSED_PERIOD_END)
            & (rng.random(len(all_issued)) < w.LATE_DOCUMENT_SHARE))
    late_at = close_of_period(all_issued) + rng.integers(1, 46, len(all_issued)).astype(
        "timedelta64[D]")
    recorded = np.where(late, np.minimum(late_at, w.EXPORT_DAY.astype("datetime64[s]")), recorded)
    if reseller is None:
        due_days = np.where(currency[all_customer] == "USD", 30, 14)
        too_long = np.zeros(len(all_issued), dtype=bool)
    else:
        due_days, too_long = reseller_due_days(terms_rng or rng, len(customers), all_customer,
                                               all_issued, is_credit, reseller.post_payment_on)
    invoices = {
        "invoice_id": doc_ids,
        "customer_id": customer_id[all_customer],
        "legal_entity": entity[all_customer],
        "document_type": np.where(is_credit, "credit_note", "invoice").astype(object),
        "corrects_invoice_id": corrects,
        "issued_on": dates(all_issued),
        "due_on": dates(all_issued + due_days.astype("timedelta64[D]")),
        "currency": currency[all_customer],
        "recorded_at": timestamps(recorded),
    }

    # Lines: the invoices' lines, then one line per credit note.
    line_doc = np.concatenate([doc_of_line, n_docs + np.arange(n_credits)])
    pick = np.concatenate([np.arange(len(net)), credited])
    list_all = np.concatenate([lines["list"], c_list])
    discount_all = np.concatenate([lines["discount"], c_discount])
    net_all = np.concatenate([net, c_net])
    tax_all = np.concatenate([tax, c_tax])
    contract_idx = lines["contract"][pick]
    promo_all = lines["promo_bp"][pick]
    invoice_lines = {
        "invoice_line_id": np.array(ids.take("IL", len(pick)), dtype=object),
        "invoice_id": doc_ids[line_doc],
        "contract_id": contract_id[contract_idx],
        "product_code": np.array([p.code for p in w.PRODUCTS], dtype=object)[lines["product"][pick]],
        "charge_type": CHARGE_TYPES[lines["charge"][pick]],
        "service_period_start": dates(lines["start"][pick]),
        "service_period_end": dates(lines["end"][pick]),
        "quantity": lines["quantity"][pick].astype(str).astype(object),
        "list_amount": money(list_all),
        "discount_amount": money(discount_all),
        "promo_pct": basis_points(promo_all, nullable_zero=True),
        "net_amount": money(net_all),
        "tax_amount": money(tax_all),
    }

    # Lines billed with another discount than the one entitled (reseller
    # blocks keep both), by id, with the difference in cents.
    misbilled = {}
    if "entitled_discount" in lines:
        off = lines["discount"] - lines["entitled_discount"]
        wrong = np.flatnonzero(off != 0)
        misbilled = dict(zip(invoice_lines["invoice_line_id"][wrong].tolist(),
                             off[wrong].tolist()))

    # Payments: how each invoice was paid; refunds for some credit notes.
    gross = np.zeros(n_docs + n_credits, dtype=np.int64)
    np.add.at(gross, line_doc, net_all + tax_all)
    corrected_doc = np.concatenate([np.full(n_docs, -1), doc_of_line[credited]])
    payments = simulate_payments(rng, ids, doc_ids, all_issued, gross, is_credit,
                                 corrected_doc)
    return {"invoices": invoices, "invoice_lines": invoice_lines, "payments": payments,
            "misbilled": misbilled, "long_terms": set(doc_ids[too_long].tolist())}


def reseller_due_days(rng, n_accounts, account, issued, is_credit, post_payment_on):
    """Days to pay each document of a reseller's accounts, and which invoices
    were issued with longer terms than the program allows.

    Due on issue under pre-payment; from the day post-payment was approved,
    each account's own terms (at most the program's 30 days). A small share
    of invoices is issued with too long terms (the customers' default 14 days
    under pre-payment, 45 days under post-payment)."""
    options = [d for d, _ in w.RESELLER_POST_PAYMENT_DUE_DAYS]
    p = np.array([x for _, x in w.RESELLER_POST_PAYMENT_DUE_DAYS])
    account_days = np.array(options)[rng.choice(len(options), size=n_accounts, p=p / p.sum())]
    post = (np.zeros(len(issued), dtype=bool) if post_payment_on is None
            else issued >= post_payment_on)
    due_days = np.where(post, account_days[account], 0)
    too_long = ~is_credit & (rng.random(len(issued)) < w.RESELLER_LONG_TERMS_SHARE)
    due_days = np.where(too_long, np.where(post, w.RESELLER_LONG_TERMS_DAYS[True],
                                           w.RESELLER_LONG_TERMS_DAYS[False]), due_days)
    return due_days, too_long


def simulate_payments(rng, ids, doc_ids, issued, gross, is_credit, corrected_doc) -> dict:
    """Payments per invoice by behaviour; refunds of credit notes on paid invoices."""
    outcomes = [o for o, _ in w.PAYMENT_OUTCOMES]
    p = np.array([x for _, x in w.PAYMENT_OUTCOMES])
    outcome = rng.choice(len(outcomes), size=len(doc_ids), p=p / p.sum())
    name = np.array(outcomes, dtype=object)[outcome]
    paid_in_full = np.isin(name, ["on_time", "late", "instalments"])
    invoice = ~is_credit & (gross > 0)
    rows_doc, rows_day, rows_amount = [], [], []

    def add(mask, day_offset_low, day_offset_high, amount):
        idx = np.flatnonzero(mask)
        offsets = rng.integers(day_offset_low, day_offset_high, len(idx)).astype("timedelta64[D]")
        rows_doc.append(idx)
        rows_day.append(issued[idx] + offsets)
        rows_amount.append(np.asarray(amount)[idx] if np.ndim(amount) else np.full(len(idx), amount))

    add(invoice & (name == "on_time"), 1, 41, gross)
    add(invoice & (name == "late"), 60, 151, gross)
    first_half = gross // 2
    add(invoice & (name == "instalments"), 5, 21, first_half)
    add(invoice & (name == "instalments"), 25, 71, gross - first_half)
    partial = round_div(gross * rng.integers(40, 81, len(gross)), 100)
    add(invoice & (name == "partial"), 5, 41, partial)
    add(invoice & (name == "charged_back"), 1, 31, gross)
    add(invoice & (name == "charged_back"), 45, 91, -gross)
    original_paid = np.where(corrected_doc >= 0, paid_in_full[np.maximum(corrected_doc, 0)], False)
    refund = is_credit & (gross < 0) & original_paid & (rng.random(len(gross)) < 0.5)
    add(refund, 3, 21, gross)

    doc = np.concatenate(rows_doc)
    day = np.concatenate(rows_day)
    amount = np.concatenate(rows_amount)
    keep = day <= w.EXPORT_DAY
    doc, day, amount = doc[keep], day[keep], amount[keep]
    order = np.lexsort((doc, day))
    doc, day, amount = doc[order], day[order], amount[order]
    recorded = day.astype("datetime64[s]") + rng.integers(8 * 3600, 30 * 3600, len(day)).astype(
        "timedelta64[s]")
    late = (day <= w.LAST_CLOSED_PERIOD_END) & (rng.random(len(day)) < w.LATE_PAYMENT_SHARE)
    late_at = close_of_period(day) + rng.integers(1, 46, len(day)).astype("timedelta64[D]")
    recorded = np.where(late, np.minimum(late_at, w.EXPORT_DAY.astype("datetime64[s]")), recorded)
    # Only what the billing system had recorded when the export was taken.
    known = recorded < (w.EXPORT_DAY + cal.DAY).astype("datetime64[s]")
    doc, day, amount, recorded = doc[known], day[known], amount[known], recorded[known]
    return {
        "payment_id": np.array(ids.take("PAY", len(doc)), dtype=object),
        "invoice_id": doc_ids[doc],
        "received_on": dates(day),
        "amount": money(amount),
        "recorded_at": timestamps(recorded),
    }
