"""Commission marts built from tests/raw_exports/commissions/.

Every expected value is worked out by hand from the fixture files and
programs.md; the fixture's README.md shows the arithmetic.
"""

from datetime import date
from decimal import Decimal

import pytest

from conftest import RAW_EXPORTS, build, combined_export, output

pytestmark = pytest.mark.dbt

D = Decimal

PAYOUT_COLUMNS = (
    "agreement_id, period_start, payout_currency, commission_amount, adjustment_amount, "
    "carried_in_amount, payout_amount, carried_out_amount, payout_due_on, is_closed, line_count")


def payouts(wh):
    return {(row[0], row[1]): row[2:] for row in wh.rows(
        f"select {PAYOUT_COLUMNS} from marts.fct_partner_payouts order by 1, 2")}


def test_payouts_worked_out_by_hand(commission_warehouse):
    assert payouts(commission_warehouse) == {
        # NWS, Q1 2025: 3 x 1,000 x 15 % (MyEngineer excluded); Q2: 1,000 x 15 %.
        ("A001", date(2025, 1, 1)): ("EUR", D("450"), D("0"), D("0"), D("450.00"), D("0"),
                                     date(2025, 4, 30), True, 3),
        ("A001", date(2025, 4, 1)): ("EUR", D("150"), D("0"), D("0"), D("150.00"), D("0"),
                                     date(2025, 7, 31), False, 1),
        # NetSource: paid in full in January, March (February's invoice), April.
        ("A002", date(2025, 1, 1)): ("USD", D("100"), D("0"), D("0"), D("100.00"), D("0"),
                                     date(2025, 2, 28), True, 1),
        ("A002", date(2025, 3, 1)): ("USD", D("100"), D("0"), D("0"), D("100.00"), D("0"),
                                     date(2025, 4, 30), True, 1),
        ("A002", date(2025, 4, 1)): ("USD", D("100"), D("0"), D("0"), D("100.00"), D("0"),
                                     date(2025, 5, 31), False, 1),
        # OpenNebula, per line at 12 decimals: 720 / 1.04 = 692.307692307692 and
        # 144 / 1.04 = 138.461538461538 (sum 830.769230769230 -> 830.77);
        # the credit note -144 / 1.08 = -133.333333333333 -> -133.33, carried.
        ("A004", date(2025, 2, 1)): ("EUR", D("830.769230769230"), D("0"), D("0"),
                                     D("830.77"), D("0"), date(2025, 3, 31), True, 2),
        ("A004", date(2025, 3, 1)): ("EUR", D("-133.333333333333"), D("0"), D("0"), D("0"),
                                     D("-133.33"), date(2025, 4, 30), False, 1),
        ("A004", date(2025, 4, 1)): ("EUR", D("0"), D("0"), D("-133.33"), D("0"),
                                     D("-133.33"), date(2025, 5, 31), False, 0),
        # One Network: 10 % of 60,000 first-year SaaS, due 30 days after 20 March.
        ("A005", date(2025, 3, 1)): ("USD", D("6000"), D("0"), D("0"), D("6000.00"), D("0"),
                                     date(2025, 4, 19), False, 1),
    }


def test_every_line_explains_its_status(commission_warehouse):
    lines = {(row[0], row[1]): row[2:] for row in commission_warehouse.rows(
        "select invoice_line_id, agreement_id, status, exclusion_reason, commission_amount "
        "from marts.fct_commission_lines")}
    assert lines[("IL002", "A001")] == ("excluded", "product_excluded", D("0"))
    assert lines[("IL001", "A003")] == ("excluded", "lead_conflict", D("0"))
    assert lines[("IL012", "A002")] == ("excluded", "charge_type_excluded", D("0"))
    assert lines[("IL013", "A002")] == ("held", None, D("100"))
    assert lines[("IL014", "A002")] == ("payable", None, D("100"))  # min(1,500, 1,000)
    assert lines[("IL020", "A006")] == ("excluded", "self_referral", D("0"))
    assert lines[("IL041", "A005")] == ("excluded", "product_excluded", D("0"))
    # Every line of every registered customer, once per agreement: C001 has 5
    # lines x 2 agreements, C002 5, C003 3, C004 2, C005 1.
    assert len(lines) == 10 + 5 + 3 + 2 + 1


def test_lead_registry_and_benefits(commission_warehouse):
    assert commission_warehouse.rows(
        "select lead_id, deal_status, deal_close_date, first_year_saas_revenue, "
        "revenue_currency, contacts_introduced, referral_partner_name "
        "from marts.rpt_lead_registry") == [
        ("L005", "won", date(2025, 2, 10), D("60000"), "USD", 1, "Alpine Cloud Partners GmbH")]
    benefits = commission_warehouse.rows(
        "select month_start, referred_net_revenue_eur, meets_benefit_threshold, "
        "eligible_this_year from marts.rpt_partner_benefits_monthly "
        "where agreement_id = 'A001' and month_start >= '2024-12-01' order by 1")
    assert benefits == [
        (date(2024, 12, 1), D("0"), False, False),
        (date(2025, 1, 1), D("1200"), True, True),  # MyEngineer counts as revenue
        (date(2025, 2, 1), D("1000"), True, True),
        (date(2025, 3, 1), D("1000"), True, True),
        (date(2025, 4, 1), D("1000"), True, True),
    ]


def test_closed_periods_never_change_and_late_documents_become_adjustments(
        commission_warehouse, tmp_path):
    """Rebuild with late invoices, a late credit note, a late payment and a lead
    registered after a close."""
    before = payouts(commission_warehouse)
    late = build(combined_export(tmp_path, "commissions", "commissions_late"), tmp_path / "wh")
    assert late.result.returncode == 0, output(late.result)[-4000:]
    after = payouts(late)

    closed = {key: row for key, row in before.items() if row[7]}
    assert set(closed) == {("A001", date(2025, 1, 1)), ("A002", date(2025, 1, 1)),
                           ("A002", date(2025, 3, 1)), ("A004", date(2025, 2, 1))}
    for key, row in closed.items():
        assert after[key] == row, key  # to the cent, every column

    # NWS Q2: 150 + (-400 x 15 %) + (200 x 15 %) = 120.00.
    assert after[("A001", date(2025, 4, 1))] == (
        "EUR", D("150"), D("-30"), D("0"), D("120.00"), D("0"), date(2025, 7, 31), False, 3)
    # NetSource April: its own 100 + March's invoice paid late, 100.
    assert after[("A002", date(2025, 4, 1))] == (
        "USD", D("100"), D("100"), D("0"), D("200.00"), D("0"), date(2025, 5, 31), False, 2)
    # A lead registered on 1 April for a customer billed since January
    # (OpenNebula, 12 %): only the April invoice earns, 120.00, against the
    # -133.33 carried in: pays 0, carries -13.33. February stays as it was.
    assert after[("A004", date(2025, 4, 1))] == (
        "EUR", D("120"), D("0"), D("-133.33"), D("0"), D("-13.33"), date(2025, 5, 31),
        False, 1)
    late_lead = {row[0]: row[1:] for row in late.rows(
        "select invoice_line_id, status, exclusion_reason from marts.fct_commission_lines "
        "where agreement_id = 'A004' and customer_id = 'C001'")}
    assert late_lead == {
        **{line: ("excluded", "outside_commission_window")
           for line in ("IL001", "IL002", "IL003", "IL004", "IL006", "IL007")},
        "IL005": ("payable", None)}
    adjustments = late.rows(
        "select invoice_line_id, natural_period_start, settlement_period_start "
        "from marts.fct_commission_lines where is_adjustment order by 1")
    assert adjustments == [
        ("IL006", date(2025, 1, 1), date(2025, 4, 1)),
        ("IL007", date(2025, 1, 1), date(2025, 4, 1)),
        ("IL013", date(2025, 3, 1), date(2025, 4, 1)),
    ]


def test_explanation_query_adds_up_to_the_payout(commission_warehouse, tmp_path):
    """analyses/explain_partner_payout.sql: the lines it lists make up the payout."""
    from conftest import run_dbt

    result = run_dbt(["compile", "-s", "explain_partner_payout", "--vars",
                      "{explain_agreement_id: A001, explain_period_start: '2025-01-01'}"],
                     RAW_EXPORTS / "commissions", commission_warehouse.path, tmp_path)
    assert result.returncode == 0, output(result)[-4000:]
    sql = (tmp_path / "target" / "compiled" / "partner_payouts" / "analyses"
           / "explain_partner_payout.sql").read_text()
    rows = commission_warehouse.rows(sql)
    by_status = {}
    for row in rows:
        by_status.setdefault(row[0], []).append(row)
    assert [r[4] for r in by_status["payable"]] == ["IL001", "IL003", "IL004"]
    assert [(r[4], r[1]) for r in by_status["excluded"]] == [
        ("IL002", "excluded: product_excluded")]
    (total,) = by_status["payout"]
    assert total[1] == ("rounded sum of payable lines 450.00 + carried in 0.00 "
                        "= payout 450.00 + carried out 0.00")
    assert total[15] == D("450")
