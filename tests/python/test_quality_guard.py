"""The data-quality guard: `partner-payouts validate` (Great Expectations) and
`partner-payouts coverage` (dbt manifest), on a built fixture warehouse."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO

pytestmark = pytest.mark.dbt

CLI = Path(sys.executable).with_name("partner-payouts")


def run_cli(*args):
    return subprocess.run([str(CLI), *args], cwd=REPO, capture_output=True, text=True)


def test_a_good_warehouse_passes_and_writes_data_docs(commission_warehouse, tmp_path):
    result = run_cli("validate", "--warehouse", str(commission_warehouse.path),
                     "--docs-dir", str(tmp_path / "docs"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result: PASSED" in result.stdout
    assert "FAILED" not in result.stdout
    assert (tmp_path / "docs" / "index.html").exists()


def test_a_corrupted_mart_fails_and_names_the_broken_expectations(
        commission_warehouse, tmp_path):
    corrupted = tmp_path / "corrupted.duckdb"
    shutil.copy(commission_warehouse.path, corrupted)
    with duckdb.connect(str(corrupted)) as con:
        # A negative payout (NWS Q1 of the fixture).
        con.execute("update marts.fct_partner_payouts set payout_amount = -450 "
                    "where agreement_id = 'A001' and period_start = '2025-01-01'")
        # A NetSource line paid at 50 %.
        con.execute("update marts.fct_commission_lines set commission_rate = 0.5 "
                    "where invoice_line_id = 'IL010' and agreement_id = 'A002'")
        # A reseller tier that does not match its MRR band.
        con.execute("insert into marts.rpt_reseller_tiers_monthly "
                    "(reseller_month_id, partner_id, agreement_id, program_code, month_start, "
                    "mrr_eur, basis_month_start, basis_mrr_eur, earned_tier, in_grace, "
                    "effective_tier) values ('P9|2025-01-01', 'P9', 'A9', 'lsw_reseller', "
                    "'2025-01-01', 100, '2024-12-01', 100, 3, false, 3)")
    result = run_cli("validate", "--warehouse", str(corrupted), "--no-docs")
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAILED " in line]
    assert any("fct_partner_payouts: no payout below zero" in line for line in failed)
    assert any("fct_partner_payouts: a payout equals its lines plus adjustments plus the "
               "carried balance" in line for line in failed)
    assert any("fct_commission_lines: rates within the program's bounds" in line
               for line in failed)
    assert any("fct_commission_lines: commission = base × rate to the cent" in line
               for line in failed)
    assert any("rpt_reseller_tiers_monthly: a reseller's tier matches its MRR band" in line
               for line in failed)
    assert "Result: FAILED" in result.stdout


def test_personal_data_in_a_mart_is_caught(commission_warehouse, tmp_path):
    leaked = tmp_path / "leaked.duckdb"
    shutil.copy(commission_warehouse.path, leaked)
    with duckdb.connect(str(leaked)) as con:
        con.execute("alter table marts.rpt_lead_registry add column email varchar")
    result = run_cli("validate", "--warehouse", str(leaked), "--no-docs")
    assert result.returncode == 1
    assert "marts_personal_data: no personal-data column in any mart" in result.stdout
    assert "rpt_lead_registry: rpt_lead_registry has exactly its contracted columns" \
        in result.stdout


def manifest_of(commission_warehouse):
    return commission_warehouse.path.parent / "target" / "manifest.json"


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
    doctored = tmp_path / "manifest.json"
    doctored.write_text(json.dumps(manifest))
    result = run_cli("coverage", "--manifest", str(doctored),
                     "--warehouse", str(commission_warehouse.path))
    assert result.returncode == 1
    assert "model int_leads_attributed: no description" in result.stdout
    assert "model int_deals_qualified: no primary-key test" in result.stdout
    assert "mart fct_partner_payouts: column carried_in_amount has no description" \
        in result.stdout
    assert "source billing.payments: transactional but no freshness thresholds" \
        in result.stdout


def test_subtler_corruptions_are_caught(commission_warehouse, reseller_warehouse, tmp_path):
    """A lost carried balance, a missing payout row, swapped findings, a tier
    decided on the wrong month's MRR."""
    corrupted = tmp_path / "subtle.duckdb"
    shutil.copy(commission_warehouse.path, corrupted)
    with duckdb.connect(str(corrupted)) as con:
        # OpenNebula April carries -133.33 in; pretend nothing was carried.
        con.execute("update marts.fct_partner_payouts set carried_in_amount = 0, "
                    "carried_out_amount = 0 where agreement_id = 'A004' "
                    "and period_start = '2025-04-01'")
        # NetSource April's payout row disappears; its line stays payable.
        con.execute("delete from marts.fct_partner_payouts "
                    "where agreement_id = 'A002' and period_start = '2025-04-01'")
    result = run_cli("validate", "--warehouse", str(corrupted), "--no-docs")
    assert result.returncode == 1
    assert "the balance carried in is the previous period's balance carried out" \
        in result.stdout
    assert "commission_amount is the sum of the period's payable lines" in result.stdout

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
    assert "fct_reseller_discount_audit: the finding follows the variance" in result.stdout
    assert "the basis MRR is the MRR of the basis month" in result.stdout
