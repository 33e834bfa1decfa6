"""A warehouse built from the demo export: populated, and every bad-row kind caught."""

import pytest

from conftest import build, output
from partner_payouts.demo.generate import generate
from partner_payouts.raw_contract import RAW_TABLES
from test_staging_fixtures import STAGED

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo_warehouse")
    generate(root / "raw", scale=1, seed=42)
    wh = build(root / "raw", root / "build")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    return wh


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


def test_quarantine_is_a_small_share(demo_warehouse):
    quarantined = demo_warehouse.scalar("select count(*) from marts.rpt_data_quality_rejections")
    staged = sum(demo_warehouse.scalar(f"select count(*) from staging.{m}")
                 for m in STAGED.values())
    assert 0 < quarantined < 0.02 * staged
