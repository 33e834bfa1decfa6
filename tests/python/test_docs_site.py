"""`make docs`: the static docs site, as a user opens it.

`dbt docs generate --static` on a copy of the built commission warehouse
writes one self-contained HTML file; the manifest and catalog it embeds
carry every public mart with its group's owner and `access: public`, the
exposures, and the marts' columns as built.
"""

import json
import re
import shutil

import pytest

from conftest import output, run_dbt

pytestmark = pytest.mark.dbt

PUBLIC_MARTS = {
    "fct_commission_lines", "fct_partner_payouts", "fct_partner_statement_lines",
    "fct_reseller_discount_audit", "fct_reseller_payment_terms", "rpt_data_quality_rejections",
    "rpt_lead_registry", "rpt_partner_benefits_monthly", "rpt_partner_statements",
    "rpt_reseller_discount_audit_monthly", "rpt_reseller_tier_outlook",
    "rpt_reseller_tiers_monthly"}


def embedded(html: str, name: str) -> dict:
    """The JSON the static page embeds for `name` (manifest or catalog)."""
    match = re.search(r'\b' + name + r'"?:\s*(\{"metadata")', html)
    assert match, f"no embedded {name}"
    data, _ = json.JSONDecoder().raw_decode(html, match.start(1))
    return data


def test_the_docs_site_is_one_file_with_owners_access_and_exposures(
        commission_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(commission_warehouse.path, warehouse)
    result = run_dbt(["docs", "generate", "--static"], commission_warehouse.raw_dir,
                     warehouse, tmp_path)
    assert result.returncode == 0, output(result)[-3000:]
    html = (tmp_path / "target" / "static_index.html").read_text(encoding="utf-8")
    manifest, catalog = embedded(html, "manifest"), embedded(html, "catalog")

    marts = {node["name"]: node for node in manifest["nodes"].values()
             if node["resource_type"] == "model"
             and node["original_file_path"].startswith("models/marts/")}
    assert set(marts) == PUBLIC_MARTS
    owners = {name: group["owner"]["name"] for name, group in
              ((g["name"], g) for g in manifest["groups"].values())}
    assert {name: (node["access"], owners[node["group"]]) for name, node in marts.items()} == {
        name: ("public", "Partner finance" if name in {
            "fct_commission_lines", "fct_partner_payouts", "fct_partner_statement_lines",
            "rpt_lead_registry", "rpt_partner_statements"}
            else "Data engineering" if name == "rpt_data_quality_rejections"
            else "Partner management") for name in PUBLIC_MARTS}
    # Everything else stays protected.
    assert {node["access"] for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["name"] not in PUBLIC_MARTS} == {
        "protected"}

    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {"partner_statements", "partner_dashboard", "semantic_layer"} <= set(exposures)
    assert "model.partner_payouts.rpt_partner_statements" in (
        exposures["partner_statements"]["depends_on"]["nodes"])

    # The catalog is the warehouse's: the payout mart's columns as built.
    payouts = catalog["nodes"]["model.partner_payouts.fct_partner_payouts"]
    assert {"payout_amount", "carried_out_amount", "payout_currency"} <= {
        c.lower() for c in payouts["columns"]}
