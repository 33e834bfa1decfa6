"""The data-quality guard: `partner-payouts validate` (Great Expectations) and
`partner-payouts coverage` (dbt manifest), on a built fixture warehouse."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, RAW_EXPORTS, build, output

pytestmark = pytest.mark.dbt

CLI = Path(sys.executable).with_name("partner-payouts")


def run_cli(*args):
    return subprocess.run([str(CLI), *args], cwd=REPO, capture_output=True, text=True)


def validate_corrupted(source: Path, tmp_path: Path, name: str, statements: list[str]):
    """`validate` on a copy of the built warehouse `source` after running
    `statements` on it: the result and its lines naming a failed expectation."""
    corrupted = tmp_path / f"{name}.duckdb"
    shutil.copy(source, corrupted)
    with duckdb.connect(str(corrupted)) as con:
        for statement in statements:
            con.execute(statement)
    result = run_cli("validate", "--warehouse", str(corrupted), "--no-docs")
    failed = [line for line in result.stdout.splitlines() if "FAILED " in line]
    return result, failed


def test_a_good_warehouse_passes_and_writes_data_docs(commission_warehouse, tmp_path):
    result = run_cli("validate", "--warehouse", str(commission_warehouse.path),
                     "--docs-dir", str(tmp_path / "docs"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result: PASSED" in result.stdout
    assert "FAILED" not in result.stdout
    assert (tmp_path / "docs" / "index.html").exists()


def test_a_corrupted_mart_fails_and_names_the_broken_expectations(
        commission_warehouse, tmp_path):
    result, failed = validate_corrupted(commission_warehouse.path, tmp_path, "corrupted", [
        # A negative payout (NWS Q1 of the fixture).
        "update marts.fct_partner_payouts set payout_amount = -450 "
        "where agreement_id = 'A001' and period_start = '2025-01-01'",
        # A NetSource line paid at 50 %.
        "update marts.fct_commission_lines set commission_rate = 0.5 "
        "where invoice_line_id = 'IL010' and agreement_id = 'A002'",
        # A reseller tier that does not match its MRR band.
        "insert into marts.rpt_reseller_tiers_monthly "
        "(reseller_month_id, partner_id, agreement_id, program_code, month_start, "
        "is_month_complete, mrr_eur, basis_month_start, basis_mrr_eur, "
        "earned_tier, in_grace, effective_tier) values ('P9|2025-01-01', 'P9', "
        "'A9', 'lsw_reseller', '2025-01-01', true, 100, '2024-12-01', 100, 3, "
        "false, 3)",
    ])
    assert result.returncode == 1, result.stdout + result.stderr
    # The payout's own rules (payout >= 0, the balance) and commission = base
    # x rate are dbt tests (test_dbt_guards_the_invariants_validate_leaves_to_it);
    # on the published marts the payout no longer matches its statement.
    assert any("rpt_partner_statements: a statement shows its payout row's payout and "
               "balances" in line for line in failed)
    assert any("fct_commission_lines: rates within the program's bounds" in line
               for line in failed)
    assert any("rpt_reseller_tiers_monthly: a reseller's tier matches its MRR band" in line
               for line in failed)
    assert "Result: FAILED" in result.stdout


def test_personal_data_in_a_mart_is_caught(commission_warehouse, tmp_path):
    result, _ = validate_corrupted(commission_warehouse.path, tmp_path, "leaked", [
        "alter table marts.rpt_lead_registry add column email varchar"])
    assert result.returncode == 1
    assert "marts_personal_data: no personal-data column in any mart" in result.stdout
    assert "rpt_lead_registry: rpt_lead_registry has exactly its contracted columns" \
        in result.stdout


def manifest_of(commission_warehouse):
    return commission_warehouse.path.parent / "target" / "manifest.json"


def coverage_of(manifest, commission_warehouse, tmp_path):
    """`partner-payouts coverage` on a doctored copy of the fixture's manifest."""
    doctored = tmp_path / "manifest.json"
    doctored.write_text(json.dumps(manifest))
    result = run_cli("coverage", "--manifest", str(doctored),
                     "--warehouse", str(commission_warehouse.path))
    assert result.returncode == 1
    return result.stdout


def test_coverage_passes_on_the_project(commission_warehouse):
    result = run_cli("coverage", "--manifest", str(manifest_of(commission_warehouse)),
                     "--warehouse", str(commission_warehouse.path))
    assert result.returncode == 0, result.stdout
    assert "0 problem(s)" in result.stdout


def test_coverage_fails_on_missing_docs_keys_and_freshness(commission_warehouse, tmp_path):
    manifest = json.loads(manifest_of(commission_warehouse).read_text())
    manifest["nodes"]["model.partner_payouts.int_leads_attributed"]["description"] = ""
    payouts = manifest["nodes"]["model.partner_payouts.fct_partner_payouts"]
    payouts["columns"]["carried_in_amount"]["description"] = ""
    manifest["nodes"] = {uid: node for uid, node in manifest["nodes"].items()
                         if not (node["resource_type"] == "test"
                                 and node.get("attached_node")
                                 == "model.partner_payouts.int_deals_qualified")}
    manifest["sources"]["source.partner_payouts.billing.payments"]["freshness"] = None
    long_name = "a_unit_test_whose_name_postgres_cannot_take_as_a_relation_name_x"  # 64
    test = next(iter(manifest["unit_tests"].values()))
    manifest["unit_tests"]["unit_test.partner_payouts.x." + long_name] = {**test, "name": long_name}
    out = coverage_of(manifest, commission_warehouse, tmp_path)
    assert "model int_leads_attributed: no description" in out
    assert "model int_deals_qualified: no primary-key test" in out
    assert "mart fct_partner_payouts: column carried_in_amount has no description" in out
    assert "source billing.payments: transactional but no freshness thresholds" in out
    assert (f"unit test {long_name}: name longer than 63 characters (PostgreSQL cannot "
            "build it)") in out
    assert test["name"] not in out


def test_coverage_fails_on_weak_key_tests_missing_contracts_and_undeclared_sources(
        commission_warehouse, tmp_path):
    manifest = json.loads(manifest_of(commission_warehouse).read_text())
    # The only key test of int_deals_qualified's key demoted to a warning.
    for node in manifest["nodes"].values():
        if (node["resource_type"] == "test"
                and node.get("attached_node") == "model.partner_payouts.int_deals_qualified"
                and (node.get("test_metadata") or {}).get("name") == "unique"):
            node["config"]["severity"] = "warn"
    # stg_billing__invoices without its not_null_columns test: its key is
    # tested unique but no longer not null.
    manifest["nodes"] = {uid: node for uid, node in manifest["nodes"].items()
                         if not (node["resource_type"] == "test"
                                 and node.get("attached_node")
                                 == "model.partner_payouts.stg_billing__invoices"
                                 and node.get("test_metadata", {}).get("name")
                                 == "not_null_columns")}
    manifest["nodes"]["model.partner_payouts.rpt_lead_registry"]["config"]["contract"] = {
        "enforced": False}
    manifest["nodes"]["model.partner_payouts.fct_reseller_payment_terms"]["group"] = None
    manifest["nodes"]["model.partner_payouts.rpt_partner_statements"]["access"] = "protected"
    del manifest["sources"]["source.partner_payouts.partner_crm.payout_runs"]["meta"][
        "transactional"]
    out = coverage_of(manifest, commission_warehouse, tmp_path)
    assert "model int_deals_qualified: no primary-key test" in out
    assert "model stg_billing__invoices: no primary-key test" in out
    assert "model stg_billing__products: no primary-key test" not in out
    assert "mart rpt_lead_registry: no enforced contract" in out
    assert "mart fct_reseller_payment_terms: not `access: public` in an owned group" in out
    assert "mart rpt_partner_statements: not `access: public` in an owned group" in out
    assert "mart fct_partner_payouts: not `access" not in out
    assert ("source partner_crm.payout_runs: meta.transactional is not set to true or false"
            in out)


def test_subtler_corruptions_are_caught(commission_warehouse, reseller_warehouse, tmp_path):
    """A lost carried balance, a missing payout row, swapped findings, a tier
    decided on the wrong month's MRR."""
    result, _ = validate_corrupted(commission_warehouse.path, tmp_path, "subtle", [
        # OpenNebula April carries -133.33 in; pretend nothing was carried.
        "update marts.fct_partner_payouts set carried_in_amount = 0, "
        "carried_out_amount = 0 where agreement_id = 'A004' "
        "and period_start = '2025-04-01'",
        # NetSource April's payout row disappears; its line stays payable.
        "delete from marts.fct_partner_payouts "
        "where agreement_id = 'A002' and period_start = '2025-04-01'",
    ])
    assert result.returncode == 1
    assert "the balance carried in is the previous period's balance carried out" \
        in result.stdout
    # (That a payout is the sum of its lines is the singular dbt test's.)
    assert "a statement itemises exactly the payable commission lines" in result.stdout

    resold = tmp_path / "resold.duckdb"
    shutil.copy(reseller_warehouse.path, resold)
    with duckdb.connect(str(resold)) as con:
        con.execute("update marts.fct_reseller_discount_audit set finding = 'under_discounted' "
                    "where finding = 'over_discounted'")
        # An unknown variance cannot even be stored: the contract's not-null
        # constraint refuses it.
        with pytest.raises(duckdb.ConstraintException):
            con.execute("update marts.fct_reseller_discount_audit "
                        "set variance_amount_eur = null where invoice_line_id = 'IL101'")
        # June's tier decided on June's own MRR instead of May's.
        con.execute("update marts.rpt_reseller_tiers_monthly set basis_mrr_eur = mrr_eur "
                    "where month_start = '2025-06-01'")
    result = run_cli("validate", "--warehouse", str(resold), "--no-docs")
    assert result.returncode == 1
    # (That the finding follows the variance is a dbt test's.)
    assert "rpt_reseller_discount_audit_monthly: each reseller month sums its audited lines" \
        in result.stdout
    assert "the basis MRR is the MRR of the basis month" in result.stdout


# Each corruption alone, on a copy of a fixture warehouse, and the expectation
# (or expectations) `validate` must name. The statements keep everything else
# consistent, so only the rule named can catch them.
COMMISSION_CORRUPTIONS = {
    "one_network_rate_of_half": (
        ["update marts.fct_commission_lines set commission_rate = 0.5, "
         "commission_amount = commissionable_amount * 0.5, "
         "commission_amount_payout_currency = commissionable_amount * 0.5 "
         "where invoice_line_id = 'IL040' and agreement_id = 'A005'",
         "update marts.fct_partner_payouts set commission_amount = 30000, "
         "period_net_amount = 30000, payout_amount = 30000 where agreement_id = 'A005'"],
        ["every line's rate is its agreement's override, else its program's rate"]),
    "nws_rate_of_zero": (
        ["update marts.fct_commission_lines set commission_rate = 0, commission_amount = 0, "
         "commission_amount_payout_currency = 0 "
         "where invoice_line_id = 'IL005' and agreement_id = 'A001'",
         "update marts.fct_partner_payouts set commission_amount = 0, period_net_amount = 0, "
         "payout_amount = 0 where agreement_id = 'A001' and period_start = '2025-04-01'"],
        ["every line's rate is its agreement's override, else its program's rate"]),
    "converted_amount_off_by_five": (
        ["update marts.fct_commission_lines set commission_amount_payout_currency = 105 "
         "where invoice_line_id = 'IL014' and agreement_id = 'A002'",
         "update marts.fct_partner_payouts set commission_amount = 105, "
         "period_net_amount = 105, payout_amount = 105 "
         "where agreement_id = 'A002' and period_start = '2025-04-01'"],
        ["a payable line's payout-currency amount is its commission converted"]),
    "carry_only_row_deleted": (
        ["delete from marts.fct_partner_payouts "
         "where agreement_id = 'A004' and period_start = '2025-04-01'"],
        ["a negative balance is carried into the very next period"]),
    "payout_due_90_days_late": (
        ["update marts.fct_partner_payouts set payout_due_on = payout_due_on + 90 "
         "where agreement_id = 'A005'"],
        ["a payout is due on the latest due date of its lines"]),
    "lead_registry_emptied": (
        ["delete from marts.rpt_lead_registry"],
        ["every lead of a program with a deal window is listed"]),
    "eligibility_claimed_before_the_threshold": (
        ["update marts.rpt_partner_benefits_monthly set eligible_this_year = true "
         "where agreement_id = 'A001' and month_start = '2024-12-01'"],
        ["a partner is eligible for the year from the first month that met the threshold"]),
    "a_mart_of_contact_emails": (
        ["create table marts.partner_contacts (partner_id varchar, contact_email varchar)"],
        ["no mart column is named like personal data"]),
    "a_contact_email_as_a_value": (
        ["update marts.rpt_lead_registry set sales_account_owner = upper(("
         "select email from staging.stg_partner_crm__lead_contacts limit 1))"],
        ["no lead contact's e-mail address appears as a value in any mart"]),
    "an_unredacted_quarantined_contact": (
        ["insert into marts.rpt_data_quality_rejections "
         "(rejection_id, source_table, record_key, reason, rejected_column, raw_record) "
         "values ('x', 'lead_contacts', 'K9', 'unknown_reference', 'lead_id', "
         "'{\"contact_id\":\"K9\",\"full_name\":\"Jane Doe\",\"email\":null}')"],
        ["a quarantined row's original values hold no contact name or e-mail address"]),
    "credit_note_at_another_rate": (
        ["update marts.fct_commission_lines set commission_rate = 0.11, "
         "commission_amount = commissionable_amount * 0.11, "
         "commission_amount_payout_currency = commission_amount_payout_currency * 11 / 12 "
         "where invoice_line_id = 'IL032' and agreement_id = 'A004'"],
        ["every line's rate is its agreement's override, else its program's rate"]),
    "lost_deal_with_revenue": (
        ["update marts.rpt_lead_registry set deal_status = 'lost'"],
        ["only a won deal has a close date or first-year revenue"]),
    "a_benefit_month_missing": (
        ["delete from marts.rpt_partner_benefits_monthly "
         "where agreement_id = 'A001' and month_start = '2025-02-01'"],
        ["an agreement's months follow each other without a gap"]),
    "a_renamed_column": (
        ["alter table marts.fct_partner_payouts rename column payout_amount to paid"],
        ["fct_partner_payouts: fct_partner_payouts has exactly its contracted columns"]),
}

RESELLER_CORRUPTIONS = {
    "effective_tier_lifted_outside_grace": (
        ["update marts.rpt_reseller_tiers_monthly set effective_tier = effective_tier + 1 "
         "where not in_grace and effective_tier < 6 and month_start = ("
         "select max(month_start) from marts.rpt_reseller_tiers_monthly)"],
        ["the effective tier is the higher of the earned and the granted tier"]),
    "tier_discount_of_a_higher_tier": (
        ["update marts.rpt_reseller_tiers_monthly set monthly_fee_discount_pct = 0.25 "
         "where effective_tier between 1 and 5"],
        ["a month's discounts and SLA level are its effective tier's"]),
    "tier_outlook_dropped": (
        ["drop table marts.rpt_reseller_tier_outlook"],
        ["contract__rpt_reseller_tier_outlook: The columns of rpt_reseller_tier_outlook: the "
         "batch's query runs on the warehouse"]),
    "a_tier_month_missing": (
        ["delete from marts.rpt_reseller_tiers_monthly where month_start = ("
         "select min(month_start) + interval 2 month from marts.rpt_reseller_tiers_monthly)"],
        ["a reseller's months follow each other without a gap"]),
    "a_reseller_stops_early": (
        ["delete from marts.rpt_reseller_tiers_monthly where month_start = ("
         "select max(month_start) from marts.rpt_reseller_tiers_monthly) and partner_id = ("
         "select min(partner_id) from marts.rpt_reseller_tiers_monthly)"],
        ["every reseller's months run to the as-of month"]),
    "tier_report_emptied": (
        ["delete from marts.rpt_reseller_tiers_monthly"],
        ["every reseller with an order or an invoice has tier rows"]),
    "audited_line_deleted": (
        ["delete from marts.fct_reseller_discount_audit where invoice_line_id = ("
         "select min(invoice_line_id) from marts.fct_reseller_discount_audit)"],
        ["every invoice line of a reseller's account is audited"]),
    "monthly_audit_emptied": (
        ["delete from marts.rpt_reseller_discount_audit_monthly"],
        ["each reseller month sums its audited lines"]),
}


@pytest.mark.parametrize("fixture_name,case", [
    *[("commission_warehouse", case) for case in COMMISSION_CORRUPTIONS],
    *[("reseller_warehouse", case) for case in RESELLER_CORRUPTIONS],
])
def test_each_corruption_is_caught_by_its_expectation(fixture_name, case, request, tmp_path):
    statements, expected = {**COMMISSION_CORRUPTIONS, **RESELLER_CORRUPTIONS}[case]
    result, failed = validate_corrupted(
        request.getfixturevalue(fixture_name).path, tmp_path, case, statements)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in expected:
        assert any(name in line for line in failed), (name, failed)


# Corruptions of a rule that a dbt data test guards (D67: one place per
# invariant, so `validate` does not derive it again), applied where dbt tests
# the marts before it publishes them (schema marts_audit), and the tests of
# the fixture build's manifest (as compiled) that must return broken rows.
# The first five were cases of `validate` before D67.
DBT_GUARDED_CORRUPTIONS = {
    "paid_more_and_carried_the_difference": (
        "commission_warehouse",
        ["update marts_audit.fct_partner_payouts set payout_amount = payout_amount + 5, "
         "carried_out_amount = carried_out_amount - 5 "
         "where agreement_id = 'A001' and period_start = '2025-04-01'"],
        ["partner_payouts_expression_is_true_fct_partner_payouts_payout_amount_0_or_"
         "carried_out_amount_0"]),
    "payout_in_another_currency": (
        "commission_warehouse",
        ["update marts_audit.fct_partner_payouts set payout_currency = 'GBP' "
         "where agreement_id = 'A001' and period_start = '2025-04-01'"],
        ["payouts_equal_the_sum_of_their_lines"]),
    "excluded_line_without_a_reason": (
        "commission_warehouse",
        ["update marts_audit.fct_commission_lines set exclusion_reason = null "
         "where invoice_line_id = 'IL002' and agreement_id = 'A001'"],
        ["partner_payouts_expression_is_true_fct_commission_lines__status_excluded_"
         "exclusion_reason_is_not_null_"]),
    "status_of_another_kind": (
        "commission_warehouse",
        ["update marts_audit.fct_commission_lines set status = 'paid' "
         "where invoice_line_id = 'IL001' and agreement_id = 'A001'"],
        ["accepted_values_fct_commission_lines_status__payable__held__excluded"]),
    "a_balance_carried_into_another_currency": (
        "commission_warehouse",
        # OpenNebula April carries -133.33 in from March's EUR row.
        ["update marts_audit.fct_partner_payouts set payout_currency = 'USD' "
         "where agreement_id = 'A004' and period_start = '2025-04-01'"],
        ["carried_balances_stay_in_one_currency"]),
    # The corruptions of the combined tests above whose former expectation
    # was a dbt test's rule (`validate` still fails on them, by another rule).
    "negative_payout": (
        "commission_warehouse",
        ["update marts_audit.fct_partner_payouts set payout_amount = -450 "
         "where agreement_id = 'A001' and period_start = '2025-01-01'"],
        ["partner_payouts_expression_is_true_fct_partner_payouts_payout_amount__payout_"
         "amount_0",
         "partner_payouts_expression_is_true_fct_partner_payouts_payout_amount_carried_out_"
         "amount_period_net_amount_carried_in_amount_"]),
    "commission_not_base_times_rate": (
        "commission_warehouse",
        ["update marts_audit.fct_commission_lines set commission_rate = 0.5 "
         "where invoice_line_id = 'IL010' and agreement_id = 'A002'"],
        ["partner_payouts_expression_is_true_fct_commission_lines_is_correction_or_"
         "commission_amount_round_commissionable_amount_commission_rate_12_"]),
    "payout_row_deleted": (
        "commission_warehouse",
        ["delete from marts_audit.fct_partner_payouts "
         "where agreement_id = 'A002' and period_start = '2025-04-01'"],
        ["payouts_equal_the_sum_of_their_lines"]),
    "findings_swapped": (
        "reseller_warehouse",
        ["update marts_audit.fct_reseller_discount_audit set finding = 'under_discounted' "
         "where finding = 'over_discounted'"],
        ["partner_payouts_expression_is_true_fct_reseller_discount_audit_finding_case_when_"
         "variance_amount_eur_audit_tolerance_eur_then_under_discounted_when_variance_"
         "amount_eur_1_audit_tolerance_eur_then_over_discounted_else_ok_end_"]),
}


@pytest.mark.parametrize("case", DBT_GUARDED_CORRUPTIONS)
def test_dbt_guards_the_invariants_validate_leaves_to_it(case, request, tmp_path):
    fixture_name, statements, tests = DBT_GUARDED_CORRUPTIONS[case]
    warehouse = request.getfixturevalue(fixture_name)
    manifest = json.loads(manifest_of(warehouse).read_text())
    compiled = {node["name"]: node["compiled_code"] for node in manifest["nodes"].values()
                if node["resource_type"] == "test"}
    # The same file name: the compiled tests name the catalog after it.
    copy = tmp_path / warehouse.path.name
    shutil.copy(warehouse.path, copy)
    with duckdb.connect(str(copy)) as con:
        def failing_rows(test):
            return con.execute(
                f"select count(*) from ({compiled[test]}\n) as failing").fetchone()[0]

        assert [failing_rows(test) for test in tests] == [0] * len(tests)
        for statement in statements:
            con.execute(statement)
        for test in tests:
            assert failing_rows(test) > 0, test


def test_not_null_columns_names_each_null_column_with_its_count(commission_warehouse, tmp_path):
    """One scan guards every column that declares a not_null constraint
    (tests/generic/not_null_columns.sql): nulls put in two of the three
    declared columns of int_commission_lines_evaluated come back as one row
    per column with the number of null rows (2 and 1), the third not."""
    manifest = json.loads(manifest_of(commission_warehouse).read_text())
    (test,) = [node["compiled_code"] for node in manifest["nodes"].values()
               if node["resource_type"] == "test"
               and node.get("attached_node")
               == "model.partner_payouts.int_commission_lines_evaluated"
               and node["test_metadata"]["name"] == "not_null_columns"]
    copy = tmp_path / commission_warehouse.path.name
    shutil.copy(commission_warehouse.path, copy)
    with duckdb.connect(str(copy)) as con:
        assert con.execute(test).fetchall() == []
        # IL001 and IL002 lose their A001 agreement, IL003 (A003) its line.
        con.execute("update intermediate.int_commission_lines_evaluated set agreement_id = null "
                    "where invoice_line_id in ('IL001', 'IL002') and agreement_id = 'A001'")
        con.execute("update intermediate.int_commission_lines_evaluated "
                    "set invoice_line_id = null "
                    "where invoice_line_id = 'IL003' and agreement_id = 'A003'")
        assert sorted(con.execute(test).fetchall()) == [("agreement_id", 2), ("invoice_line_id", 1)]


def test_a_reseller_that_ordered_but_was_not_invoiced_yet_passes(tmp_path):
    """No false alarm: a new reseller whose first contract is ordered but not
    yet billed has tier rows (from its order month) and nothing to audit."""
    folder = tmp_path / "resellers_plus_new"
    shutil.copytree(RAW_EXPORTS / "resellers", folder)
    rows = {
        "partners.csv": "P007,Newcomer Hosting BV,newcomer.example,NL,2025-03-01T10:00:00Z",
        "partner_agreements.csv": "A009,P007,lsw_reseller,approved,2025-03-05,2025-03-10,,,,,",
        "customers.csv": "C020,Newcomer Client,newcomer-client.example,NL,VND-NL,P007,"
                         "2025-04-01T08:00:00Z",
        "contracts.csv": "K020,C020,CLD-L,new,,2025-04-10,2025-04-10,2025-05-01,,,1,"
                         "1000.00,EUR",
    }
    for name, row in rows.items():
        with open(folder / name, "a", encoding="utf-8") as handle:
            handle.write(row + "\n")
    wh = build(folder, tmp_path / "build")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert wh.scalar("select count(*) from marts.rpt_reseller_tiers_monthly "
                     "where partner_id = 'P007'") > 0
    result = run_cli("validate", "--warehouse", str(wh.path), "--no-docs")
    assert result.returncode == 0, result.stdout
