"""A warehouse built from the demo export: populated, and every bad-row kind caught."""

import pytest

from partner_payouts.raw_contract import RAW_TABLES
from test_staging_fixtures import STAGED

pytestmark = pytest.mark.dbt


def test_every_staging_model_is_populated(demo_warehouse):
    for model in STAGED.values():
        assert demo_warehouse.scalar(f"select count(*) from staging.{model}") > 0, model


def test_every_raw_table_has_quarantined_rows(demo_warehouse):
    tables = {t for (t,) in demo_warehouse.rows(
        "select distinct source_table from marts.rpt_data_quality_rejections")}
    assert tables == set(RAW_TABLES)


def test_every_rejection_reason_occurs(demo_warehouse):
    reasons = {r for (r,) in demo_warehouse.rows("select reason from reference.rejection_reasons")}
    seen = {r for (r,) in demo_warehouse.rows(
        "select distinct reason from marts.rpt_data_quality_rejections")}
    assert seen == reasons


def test_malformed_csv_lines_are_quarantined_with_their_line_numbers(demo_warehouse):
    """The generator writes three malformed lines into payments.csv and
    leads.csv (a field too many, fields missing, a quote never closed) and
    records their line numbers; the quarantine has exactly those, and the
    lines after the unclosed quote are read (every raw_rows_reconcile test
    of the build passed)."""
    expected = {(table, number, reason)
                for table, lines in demo_warehouse.demo.malformed_lines.items()
                for number, reason in lines.items()}
    assert len(expected) == 6
    assert set(demo_warehouse.rows(
        "select source_table, source_line, reason from marts.rpt_data_quality_rejections "
        "where source_line is not null")) == expected


def test_year_typos_move_neither_the_as_of_date_nor_the_calendar(demo_warehouse):
    """The demo export runs to 15 July 2026; an invoice recorded in 2062 and
    a payout run for 9999 are quarantined, not taken as the export's date."""
    assert demo_warehouse.scalar(
        "select as_of_on from intermediate.int_as_of_dates_derived").isoformat() == "2026-07-15"
    assert demo_warehouse.rows(
        "select rejected_column from marts.rpt_data_quality_rejections "
        "where reason = 'implausible_date' and raw_record like '%2062-03-14%'") \
        and demo_warehouse.rows(
            "select 1 from marts.rpt_data_quality_rejections "
            "where reason = 'implausible_date' and record_key like '%|9999-01-01'")
    assert demo_warehouse.scalar(
        "select max(period_start) from intermediate.int_settlement_periods_listed"
    ).isoformat() < "2027-08-01"


def test_quarantine_is_a_small_share(demo_warehouse):
    quarantined = demo_warehouse.scalar("select count(*) from marts.rpt_data_quality_rejections")
    staged = sum(demo_warehouse.scalar(f"select count(*) from staging.{m}")
                 for m in STAGED.values())
    assert 0 < quarantined < 0.02 * staged


PUBLIC_MARTS = ["fct_commission_lines", "fct_partner_payouts", "rpt_lead_registry",
                "rpt_partner_benefits_monthly", "rpt_reseller_tiers_monthly",
                "fct_reseller_discount_audit", "rpt_reseller_discount_audit_monthly",
                "rpt_reseller_tier_outlook", "rpt_data_quality_rejections"]


def test_every_public_mart_is_populated(demo_warehouse):
    for mart in PUBLIC_MARTS:
        assert demo_warehouse.scalar(f"select count(*) from marts.{mart}") > 0, mart


def test_the_demo_exercises_every_commission_outcome(demo_warehouse):
    reasons = {r for (r,) in demo_warehouse.rows(
        "select exclusion_reason from reference.exclusion_reasons")}
    seen = {r for (r,) in demo_warehouse.rows(
        "select distinct exclusion_reason from marts.fct_commission_lines "
        "where exclusion_reason is not null")}
    assert seen == reasons
    statuses = {s for (s,) in demo_warehouse.rows(
        "select distinct status from marts.fct_commission_lines")}
    assert statuses == {"payable", "held", "excluded"}
    programs = {p for (p,) in demo_warehouse.rows(
        "select distinct program_code from marts.fct_partner_payouts")}
    assert programs == {"nws_partner_lead", "opennebula_referral", "netsource_referral",
                        "onenetwork_referral"}
    assert demo_warehouse.scalar(
        "select count(*) from marts.fct_commission_lines where is_adjustment") > 0
    assert demo_warehouse.scalar(
        "select count(*) from marts.fct_partner_payouts where is_closed") > 0
    assert demo_warehouse.scalar(
        "select count(*) from marts.fct_commission_lines where is_base_capped") > 0
    # A partner registered an OpenNebula customer that was already billed:
    # the invoices before the registration earn nothing, the later ones do.
    late_referrals = demo_warehouse.rows(
        "select customer_id from marts.fct_commission_lines "
        "where program_code = 'opennebula_referral' "
        "group by customer_id having "
        "count(case when exclusion_reason = 'outside_commission_window' then 1 end) > 0 "
        "and count(case when status = 'payable' then 1 end) > 0")
    assert late_referrals
    deal_statuses = {s for (s,) in demo_warehouse.rows(
        "select distinct deal_status from marts.rpt_lead_registry")}
    assert deal_statuses == {"open", "won", "lost", "expired"}


def test_the_demo_exercises_every_reseller_outcome(demo_warehouse):
    findings = {f for (f,) in demo_warehouse.rows(
        "select distinct finding from marts.fct_reseller_discount_audit")}
    assert findings == {"ok", "under_discounted", "over_discounted"}
    # The demo billing system applies the program like the warehouse does,
    # but for its deliberate errors (about 4 % of lines, not all visible).
    ok_share = demo_warehouse.scalar(
        "select avg(case when finding = 'ok' then 1.0 else 0 end) "
        "from marts.fct_reseller_discount_audit")
    assert 0.95 < ok_share < 1
    outcomes = {o for (o,) in demo_warehouse.rows(
        "select distinct grace_outcome from marts.rpt_reseller_tiers_monthly "
        "where grace_outcome is not null")}
    assert outcomes == {"confirmed", "lapsed"}
    sources = {s for (s,) in demo_warehouse.rows(
        "select distinct tier_lock_source from marts.fct_reseller_discount_audit")}
    assert {"order_month", "renewed_contract"} <= sources


def test_the_audit_finds_exactly_the_lines_the_demo_billing_system_misbilled(demo_warehouse):
    """End to end: the generator keeps a ledger of the reseller lines it billed
    with a wrong discount (discount billed - entitled, in cents). The audit
    must flag only those, in the right direction, and every one off by 2
    cents or more (a 1-cent error can hide in the €0.01 tolerance, since
    the entitled amount is exact and the invoice is rounded to cents)."""
    misbilled = demo_warehouse.demo.misbilled_reseller_lines
    assert len(misbilled) > 20
    findings = dict(demo_warehouse.rows(
        "select invoice_line_id, finding from marts.fct_reseller_discount_audit "
        "where finding <> 'ok'"))
    assert set(findings) <= set(misbilled)
    assert {line for line, cents in misbilled.items() if abs(cents) >= 2} <= set(findings)
    for line, finding in findings.items():
        expected = "over_discounted" if misbilled[line] > 0 else "under_discounted"
        assert finding == expected, line
