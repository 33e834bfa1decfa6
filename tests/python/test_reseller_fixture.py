"""LeaseWeb reseller tiers and the discount audit, built from
tests/raw_exports/resellers/ (the README there shows the arithmetic)."""

from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.dbt

D = Decimal


def test_tiers_month_by_month(reseller_warehouse):
    rows = reseller_warehouse.rows(
        "select month_start, mrr_eur, basis_mrr_eur, earned_tier, in_grace, grace_outcome, "
        "effective_tier, sla_level, mrr_to_next_tier_eur "
        "from marts.rpt_reseller_tiers_monthly order by month_start")
    assert rows == [
        (date(2024, 12, 1), D("0"), D("0"), 0, False, None, 0, "none", D("500")),
        (date(2025, 1, 1), D("540"), D("0"), 0, True, None, 1, "Bronze", D("500")),
        (date(2025, 2, 1), D("600"), D("540"), 1, True, None, 1, "Bronze", D("1460")),
        (date(2025, 3, 1), D("2452.5"), D("600"), 1, True, "confirmed", 1, "Bronze",
         D("1400")),
        (date(2025, 4, 1), D("2332.5"), D("2452.5"), 2, False, None, 2, "Silver",
         D("2547.5")),
        (date(2025, 5, 1), D("2772.5"), D("2332.5"), 2, False, None, 2, "Silver",
         D("2667.5")),
        (date(2025, 6, 1), D("2802.5"), D("2772.5"), 2, False, None, 2, "Silver",
         D("2227.5")),
    ]


def test_discount_audit_line_by_line(reseller_warehouse):
    rows = {r[0]: r[1:] for r in reseller_warehouse.rows(
        "select invoice_line_id, locked_tier, tier_lock_source, entitled_discount_pct, "
        "variance_amount_eur, finding from marts.fct_reseller_discount_audit")}
    assert rows == {
        "IL101": (0, "order_month", D("0.10"), D("0"), "ok"),  # 10 % promotion on tier 0
        "IL102": (0, "order_month", D("0"), D("0"), "ok"),  # setup, tier 0
        "IL103": (0, "order_month", D("0"), D("0"), "ok"),
        "IL104": (0, "order_month", D("0"), D("0"), "ok"),
        "IL105": (0, "order_month", D("0"), D("-120"), "over_discounted"),
        "IL106": (1, "order_month", D("0.07375"), D("0"), "ok"),
        "IL107": (2, "order_month", D("0.08"), D("0"), "ok"),
        "IL108": (2, "order_month", D("0.08"), D("30"), "under_discounted"),
        "IL109": (1, "renewed_contract", D("0.07375"), D("0"), "ok"),  # keeps K011's lock
    }


def test_monthly_audit_summary_and_benefits(reseller_warehouse):
    assert reseller_warehouse.rows(
        "select month_start, audited_line_count, finding_count, under_discounted_eur, "
        "over_discounted_eur from marts.rpt_reseller_discount_audit_monthly "
        "where finding_count > 0 order by 1") == [
        (date(2025, 4, 1), 1, 1, D("0"), D("120")),
        (date(2025, 6, 1), 2, 1, D("30"), D("0")),
    ]
    benefits = reseller_warehouse.rows(
        "select month_start, sla_level, effective_tier, tier_benefits is not null "
        "from marts.rpt_partner_benefits_monthly where agreement_id = 'A008' order by 1")
    assert [(m, s, t) for m, s, t, _ in benefits] == [
        (date(2024, 12, 1), "none", 0), (date(2025, 1, 1), "Bronze", 1),
        (date(2025, 2, 1), "Bronze", 1), (date(2025, 3, 1), "Bronze", 1),
        (date(2025, 4, 1), "Silver", 2), (date(2025, 5, 1), "Silver", 2),
        (date(2025, 6, 1), "Silver", 2)]
    assert [b for *_, b in benefits] == [False] + [True] * 6  # tier 0 has no benefits


def test_outlook_is_built(reseller_warehouse):
    (row,) = reseller_warehouse.rows(
        "select partner_id, as_of_month, months_observed, current_tier "
        "from marts.rpt_reseller_tier_outlook")
    # As of June 2025: six complete months (December-May) observed; the tier
    # earned for June is 2.
    assert row == ("P006", date(2025, 6, 1), 6, 2)


def test_post_payment_from_the_approval_day(reseller_warehouse):
    """Pre-payment until 1 April 2025 (due on the issue day), then up to 30
    days: invoices due 14 days after issue are too long before, ok from the
    approval day on (the fixture's README)."""
    rows = reseller_warehouse.rows(
        "select invoice_id, has_post_payment, latest_allowed_due_on, finding "
        "from marts.fct_reseller_payment_terms order by invoice_id")
    assert rows == [
        ("I101", False, date(2025, 1, 1), "payment_terms_too_long"),
        ("I102", False, date(2025, 2, 1), "payment_terms_too_long"),
        ("I103", False, date(2025, 3, 1), "payment_terms_too_long"),
        ("I104", True, date(2025, 5, 1), "ok"),
        ("I105", False, date(2025, 3, 1), "payment_terms_too_long"),
        ("I106", True, date(2025, 5, 31), "ok"),
        ("I107", True, date(2025, 7, 1), "ok"),
        ("I108", True, date(2025, 7, 1), "ok"),
    ]
    months = reseller_warehouse.rows(
        "select month_start, has_post_payment from marts.rpt_partner_benefits_monthly "
        "where agreement_id = 'A008' order by 1")
    assert [(m.isoformat(), flag) for m, flag in months] == [
        ("2024-12-01", False), ("2025-01-01", False), ("2025-02-01", False),
        ("2025-03-01", False), ("2025-04-01", True), ("2025-05-01", True),
        ("2025-06-01", True)]
