"""Never publish a wrong payout: write-audit-publish and final closed periods.

Every test starts from the published commission fixture
(tests/raw_exports/commissions, built by the session fixture
`commission_warehouse`) and runs the next build on a copy of that warehouse,
the way a nightly run meets yesterday's warehouse. Expected values are worked
out by hand from the fixture (its README) and the rule in
models/intermediate/commissions/_commissions__docs.md, `rule_closed_periods`.
"""

import shutil
from datetime import date
from decimal import Decimal

import pytest

from conftest import (REPO, RAW_EXPORTS, build_on, closed_payouts, combined_export, edit_csv,
                      output, published_marts, run_dbt, Warehouse)

pytestmark = pytest.mark.dbt

D = Decimal
PAYOUT = ("agreement_id, period_start, commission_amount, adjustment_amount, "
          "carried_in_amount, payout_amount, carried_out_amount, is_closed, line_count")
PROJECT_PARTS = ["dbt_project.yml", "profiles", "models", "macros", "seeds", "analyses",
                 "tests/generic", "tests/singular"]


def payouts(wh, agreement):
    return [row[1:] for row in wh.rows(
        f"select {PAYOUT} from marts.fct_partner_payouts "
        f"where agreement_id = '{agreement}' order by period_start")]


def corrections(wh):
    return wh.rows(
        "select invoice_line_id, agreement_id, natural_period_start, settlement_period_start, "
        "commission_amount_payout_currency, adjustment_note from marts.fct_commission_lines "
        "where is_correction order by 1, 2, 4")


def publish_count(wh):
    return wh.scalar("select count(*) from publishing.publish_log")


# ---------------------------------------------------------------- write-audit-publish ---

def test_the_first_build_publishes_every_public_mart(commission_warehouse):
    marts = published_marts(commission_warehouse)
    assert set(marts) == {
        "fct_commission_lines", "fct_partner_payouts", "fct_partner_statement_lines",
        "fct_reseller_discount_audit", "fct_reseller_payment_terms",
        "rpt_data_quality_rejections", "rpt_lead_registry", "rpt_partner_benefits_monthly",
        "rpt_partner_statements", "rpt_reseller_discount_audit_monthly",
        "rpt_reseller_tier_outlook", "rpt_reseller_tiers_monthly"}
    assert marts["fct_partner_payouts"] == sorted(commission_warehouse.rows(
        "select * from marts_audit.fct_partner_payouts"), key=repr)
    assert "PUBLISHED: 12 public marts" in output(commission_warehouse.result)
    # The publish recorded the closed periods: from now on they are final.
    assert commission_warehouse.rows(
        "select program_code, period_start from publishing.closed_periods order by 1, 2") == [
        ("netsource_referral", date(2025, 1, 1)), ("netsource_referral", date(2025, 2, 1)),
        ("netsource_referral", date(2025, 3, 1)), ("nws_partner_lead", date(2025, 1, 1)),
        ("opennebula_referral", date(2025, 2, 1))]


def test_a_build_whose_test_fails_publishes_nothing(commission_warehouse, tmp_path):
    """A payout run whose period does not match the program's calendar fails
    `payout_runs_match_settlement_periods`: the marts built in the audit
    schema are never published, every published mart stays as it was."""
    raw = shutil.copytree(RAW_EXPORTS / "commissions", tmp_path / "raw")
    with open(raw / "payout_runs.csv", "a", encoding="utf-8") as runs:
        runs.write("nws_partner_lead,2025-04-01,2025-04-30,2025-04-12T12:00:00Z\n")
    before = published_marts(commission_warehouse)
    wh = build_on(commission_warehouse.path, raw, tmp_path / "build")
    assert wh.result.returncode != 0
    text = output(wh.result)
    assert "NOTHING PUBLISHED: 1 node(s) failed (payout_runs_match_settlement_periods" in text
    assert "The marts in schema `marts` are unchanged" in text
    assert published_marts(wh) == before
    assert publish_count(wh) == publish_count(commission_warehouse)


def test_a_mistyped_date_in_the_terms_publishes_nothing(commission_warehouse, tmp_path):
    """NWS's terms mistyped as in force from 2502: without the guard every NWS
    payout would be rebuilt as 0.00 while the other marts kept last night's
    rows. The build fails its tests and publishes nothing."""
    project = tmp_path / "project"
    for part in PROJECT_PARTS:
        source = REPO / part
        target = project / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    edit_csv(project / "seeds" / "program_terms" / "commission_terms.csv",
             lambda lines: [line.replace("nws_partner_lead,2020-01-01,",
                                         "nws_partner_lead,2502-01-01,") for line in lines])
    before = published_marts(commission_warehouse)
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(commission_warehouse.path, copy)
    result = run_dbt(["build", "--exclude-resource-type", "unit_test"],
                     RAW_EXPORTS / "commissions", copy, tmp_path, project_dir=project)
    assert result.returncode != 0
    assert "NOTHING PUBLISHED" in output(result)
    assert published_marts(Warehouse(copy, result)) == before


def test_a_run_without_tests_publishes_nothing(commission_warehouse, tmp_path):
    raw = combined_export(tmp_path, "commissions", "commissions_late")
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(commission_warehouse.path, copy)
    result = run_dbt(["run"], raw, copy, tmp_path)
    assert result.returncode == 0, output(result)[-3000:]
    assert "NOTHING PUBLISHED: `dbt run` runs no tests" in output(result)
    assert published_marts(Warehouse(copy, result)) == published_marts(commission_warehouse)


# ------------------------------------------------------------------ final periods ---

def test_late_documents_on_a_published_warehouse(commission_warehouse, tmp_path):
    """The late invoices, credit note, payment and lead of
    tests/raw_exports/commissions_late (its README), the way a nightly run
    meets them: closed periods unchanged in every column, adjustments in the
    first period that was open when each document was recorded."""
    before = closed_payouts(commission_warehouse)
    wh = build_on(commission_warehouse.path,
                  combined_export(tmp_path, "commissions", "commissions_late"), tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert closed_payouts(wh) == before
    # NWS Q2: 150 + (-400 x 15 %) + (200 x 15 %) = 120.00.
    assert payouts(wh, "A001")[1] == (date(2025, 4, 1), D("150"), D("-30"), D("0"),
                                      D("120.00"), D("0"), False, 3)
    assert wh.rows("select invoice_line_id, adjustment_reason, natural_period_start, "
                   "settlement_period_start from marts.fct_commission_lines "
                   "where is_adjustment order by 1") == [
        ("IL006", "late_document", date(2025, 1, 1), date(2025, 4, 1)),
        ("IL007", "late_document", date(2025, 1, 1), date(2025, 4, 1)),
        ("IL013", "late_document", date(2025, 3, 1), date(2025, 4, 1))]


def corrected_history(tmp_path):
    """The fixture with Bergwerk's January line corrected from 1,000 to 800
    (NWS Q1, closed) and its February line now failing net = list -
    discount (quarantined)."""
    raw = shutil.copytree(RAW_EXPORTS / "commissions", tmp_path / "raw")

    def edit(lines):
        out = []
        for line in lines:
            if line.startswith("IL001,"):
                line = line.replace(",1000.00,0.00,,1000.00,190.00", ",800.00,0.00,,800.00,152.00")
            if line.startswith("IL003,"):
                line = line.replace(",1000.00,0.00,,1000.00,", ",1000.00,0.00,,900.00,")
            out.append(line)
        return out

    edit_csv(raw / "invoice_lines.csv", edit)
    return raw


def test_corrected_history_is_booked_as_corrections_in_the_first_open_period(
        commission_warehouse, tmp_path):
    """NWS Q1 was published final at 3 x 150.00 = 450.00. Now IL001 earns 800
    x 15 % = 120.00 (-30.00) and IL003 is quarantined (-150.00): Q1 stays
    450.00; Q2 (open) books both corrections: 150.00 - 30.00 - 150.00 =
    -30.00, so it pays 0 and carries -30.00."""
    before = closed_payouts(commission_warehouse)
    raw = corrected_history(tmp_path)
    wh = build_on(commission_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert closed_payouts(wh) == before
    assert payouts(wh, "A001") == [
        (date(2025, 1, 1), D("450"), D("0"), D("0"), D("450.00"), D("0"), True, 3),
        (date(2025, 4, 1), D("150"), D("-180"), D("0"), D("0.00"), D("-30.00"), False, 3)]
    assert corrections(wh) == [
        ("IL001", "A001", date(2025, 1, 1), date(2025, 4, 1), D("-30"),
         "Correction of the final period starting 2025-01-01: published 150.00, "
         "recomputed 120.00 EUR (payable)"),
        ("IL003", "A001", date(2025, 1, 1), date(2025, 4, 1), D("-150"),
         "Correction of the final period starting 2025-01-01: published 150.00, "
         "recomputed 0.00 EUR (gone)")]
    # The published Q1 lines stay as they were, IL003 included.
    assert wh.rows("select invoice_line_id, commission_amount_payout_currency, is_final "
                   "from marts.fct_commission_lines where agreement_id = 'A001' "
                   "and settlement_period_start = '2025-01-01' order by 1") == [
        ("IL001", D("150"), True), ("IL003", D("150"), True), ("IL004", D("150"), True)]

    # The next night, same export: nothing moves.
    again = build_on(wh.path, raw, tmp_path / "again")
    assert again.result.returncode == 0, output(again.result)[-4000:]
    assert published_marts(again) == published_marts(wh)

    # Q2 closes (payout run of 10 July; the export now runs to July): Q2 is
    # published final with its own 150.00, and the corrections move to Q3,
    # the first period open now: 150.00 (July) - 180.00 = -30.00, carried.
    with open(raw / "payout_runs.csv", "a", encoding="utf-8") as runs:
        runs.write("nws_partner_lead,2025-04-01,2025-06-30,2025-07-10T12:00:00Z\n")
    with open(raw / "invoices.csv", "a", encoding="utf-8") as invoices:
        invoices.write("I090,C001,VND-DE,invoice,,2025-07-10,2025-07-24,EUR,"
                       "2025-07-10T06:00:00Z\n")
    with open(raw / "invoice_lines.csv", "a", encoding="utf-8") as lines:
        lines.write("IL090,I090,K001,CLOUD,recurring,2025-07-10,2025-08-09,1,1000.00,0.00,,"
                    "1000.00,190.00\n")
    closed = build_on(again.path, raw, tmp_path / "closed")
    assert closed.result.returncode == 0, output(closed.result)[-4000:]
    assert payouts(closed, "A001") == [
        (date(2025, 1, 1), D("450"), D("0"), D("0"), D("450.00"), D("0"), True, 3),
        (date(2025, 4, 1), D("150"), D("0"), D("0"), D("150.00"), D("0"), True, 1),
        (date(2025, 7, 1), D("150"), D("-180"), D("0"), D("0.00"), D("-30.00"), False, 3)]
    final_q2 = closed_payouts(closed)
    # ... and from then on Q2 is final too: rebuilt, nothing changes.
    last = build_on(closed.path, raw, tmp_path / "last")
    assert last.result.returncode == 0, output(last.result)[-4000:]
    assert closed_payouts(last) == final_q2
    assert published_marts(last) == published_marts(closed)


def test_corrupted_history_never_reaches_a_final_period(commission_warehouse, tmp_path):
    """A later export loses the payout run of NWS Q1 and carries another
    USD rate for 28 February (1.2000 instead of 1.0400), the rate that
    converted OpenNebula's final February. Q1 stays closed and every final
    row stays as published. February's two lines recompute to 720 / 1.2 =
    600.00 and 144 / 1.2 = 120.00 EUR against 692.307692307692 and
    138.461538461538 published: corrections of -92.307692307692 and
    -18.461538461538 go to March, the first open period. March: the credit
    note -144 / 1.08 = -133.333333333333 plus -110.769230769230 = round(
    -244.102564102563) = -244.10, pays 0 and carries -244.10 into April."""
    before = closed_payouts(commission_warehouse)
    raw = shutil.copytree(RAW_EXPORTS / "commissions", tmp_path / "raw")
    edit_csv(raw / "payout_runs.csv",
             lambda lines: [line for line in lines if not line.startswith("nws_partner_lead")])
    edit_csv(raw / "fx_rates.csv",
             lambda lines: [line.replace("2025-02-28,USD,1.0400", "2025-02-28,USD,1.2000")
                            for line in lines])
    wh = build_on(commission_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert closed_payouts(wh) == before
    assert payouts(wh, "A004")[:3] == [
        (date(2025, 2, 1), D("830.769230769230"), D("0"), D("0"), D("830.77"), D("0"), True, 2),
        (date(2025, 3, 1), D("-133.333333333333"), D("-110.769230769230"), D("0"), D("0.00"),
         D("-244.10"), False, 3),
        (date(2025, 4, 1), D("0"), D("0"), D("-244.10"), D("0.00"), D("-244.10"), False, 0)]
    assert [row[:5] for row in corrections(wh)] == [
        ("IL030", "A004", date(2025, 2, 1), date(2025, 3, 1), D("-92.307692307692")),
        ("IL031", "A004", date(2025, 2, 1), date(2025, 3, 1), D("-18.461538461538"))]


def test_a_new_warehouse_keeps_the_data_derived_rule(tmp_path):
    """Nothing published yet: the late-document rule alone decides, exactly as
    on a published warehouse (test_commission_fixtures' expectations)."""
    from conftest import build

    wh = build(combined_export(tmp_path, "commissions", "commissions_late"), tmp_path / "new")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert wh.scalar("select count(*) from marts.fct_commission_lines where is_correction") == 0
    assert payouts(wh, "A001")[0] == (date(2025, 1, 1), D("450"), D("0"), D("0"), D("450.00"),
                                      D("0"), True, 3)
