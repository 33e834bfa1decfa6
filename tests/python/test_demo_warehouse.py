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


def test_the_demo_exercises_every_new_program_case(demo_warehouse):
    """Term-downgrade surcharges (every surcharged term), seeding units under
    every rule, misbilled ones found, pre- and post-payment terms, and a
    NetSource self-referral that another partner's lead earns past."""
    wh = demo_warehouse
    surcharged = set(wh.rows(
        "select distinct term_months, surcharge_pct from marts.fct_reseller_discount_audit "
        "where surcharge_pct > 0"))
    assert surcharged == set(wh.rows(
        "select term_months, surcharge_pct from reference.reseller_term_surcharges"))
    rules = {r for (r,) in wh.rows(
        "select distinct seeding_rule from marts.fct_reseller_discount_audit "
        "where seeding_rule is not null")}
    assert rules == {"within_allowance", "over_unit_limit", "after_allowance_period"}
    # Seeding units the billing system billed free by mistake: in the ledger.
    misbilled_seeding = dict(wh.rows(
        "select invoice_line_id, seeding_rule from marts.fct_reseller_discount_audit "
        "where seeding_rule is not null and finding <> 'ok'"))
    assert set(misbilled_seeding.values()) == {"over_unit_limit", "after_allowance_period"}
    assert set(misbilled_seeding) <= set(wh.demo.misbilled_reseller_lines)
    # Seeding units never count towards MRR.
    assert wh.scalar(
        "select count(*) from intermediate.int_reseller_lines_spread "
        "inner join marts.fct_reseller_discount_audit using (invoice_line_id) "
        "where seeding_rule is not null") == 0
    # Due on the issue day under pre-payment, later under post-payment
    # (within its terms); too long terms under both.
    terms = set(wh.rows(
        "select has_post_payment, finding, due_on > issued_on "
        "from marts.fct_reseller_payment_terms"))
    assert terms >= {(False, "ok", False), (True, "ok", True),
                     (False, "payment_terms_too_long", True),
                     (True, "payment_terms_too_long", True)}
    assert (False, "ok", True) not in terms
    assert wh.scalar(
        "select count(*) from marts.fct_reseller_payment_terms "
        "where finding = 'ok' and due_on > latest_allowed_due_on") == 0
    assert {b for (b,) in wh.rows(
        "select distinct has_post_payment from marts.rpt_partner_benefits_monthly "
        "where program_code = 'lsw_reseller'")} == {True, False}
    # A NetSource partner registered its own company, then another partner
    # did: the other partner earns, and its lead is no conflict.
    rivals = wh.rows(
        "with own as (select distinct customer_id, partner_id "
        "from marts.fct_commission_lines where program_code = 'netsource_referral' "
        "and exclusion_reason = 'self_referral') "
        "select other.customer_id, "
        "count(case when other.status = 'payable' then 1 end), "
        "count(case when other.exclusion_reason = 'lead_conflict' then 1 end) "
        "from marts.fct_commission_lines as other inner join own "
        "on other.customer_id = own.customer_id and other.partner_id <> own.partner_id "
        "where other.program_code = 'netsource_referral' group by other.customer_id")
    assert any(payable > 0 for _, payable, _ in rivals)
    assert all(conflicts == 0 for _, _, conflicts in rivals)


def test_payment_terms_flag_exactly_the_invoices_the_demo_issued_too_long(demo_warehouse):
    """The generator records the reseller invoices it issued with longer
    terms than the program allows, under pre- and post-payment; the
    warehouse flags exactly those."""
    long_terms = demo_warehouse.demo.long_payment_terms_invoices
    flagged = dict(demo_warehouse.rows(
        "select invoice_id, has_post_payment from marts.fct_reseller_payment_terms "
        "where finding = 'payment_terms_too_long'"))
    assert set(flagged) == long_terms
    assert set(flagged.values()) == {True, False}
