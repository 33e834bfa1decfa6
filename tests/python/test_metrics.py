"""The semantic layer (models/marts/_semantic_layer.yml, README "Metrics
(semantic layer)"): `mf query` on the published scale-1 demo gives, for
every metric, what SQL over the published marts gives, to the cent."""

import csv
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, Warehouse, output, published_marts, run_dbt

pytestmark = pytest.mark.dbt

MF = Path(sys.executable).with_name("mf")
SEMANTIC_LAYER = ["--vars", "{semantic_layer: true}"]


class SemanticLayer:
    """A dbt project folder whose target/ holds the semantic manifest of a
    parse with the var `semantic_layer` (where `mf` looks for it), over a
    built warehouse."""

    def __init__(self, project: Path, warehouse):
        self.project = project
        self.warehouse = warehouse

    def mf(self, *args: str):
        return subprocess.run(
            [str(MF), *args], cwd=self.project, capture_output=True, text=True,
            env=_env(self.project, self.warehouse.path))

    def query(self, metrics: list[str], group_by: list[str]) -> list[dict]:
        """`mf query ... --csv`, the rows as text, as written."""
        out = self.project / "query.csv"
        result = self.mf("query", "--metrics", ",".join(metrics),
                         "--group-by", ",".join(group_by), "--csv", str(out), "--quiet")
        assert result.returncode == 0 and out.exists(), output(result)[-3000:]
        with open(out, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        out.unlink()
        return rows

    def sql(self, sql: str):
        with duckdb.connect(str(self.warehouse.path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def sql_dicts(self, sql: str) -> list[dict]:
        with duckdb.connect(str(self.warehouse.path), read_only=True) as con:
            cursor = con.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


def _env(project: Path, warehouse: Path) -> dict:
    return {**os.environ, "DBT_PROJECT_DIR": str(project),
            "DBT_PROFILES_DIR": str(REPO / "profiles"),
            "PAYOUTS_DUCKDB_PATH": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}


@pytest.fixture(scope="module")
def semantic_layer(demo_warehouse, tmp_path_factory):
    project = tmp_path_factory.mktemp("semantic_layer")
    (project / "dbt_project.yml").symlink_to(REPO / "dbt_project.yml")
    # `mf` opens the warehouse for writing: its own copy, so that other
    # tests keep reading the shared build.
    warehouse = Warehouse(project / "warehouse.duckdb", demo_warehouse.result,
                          demo_warehouse.raw_dir)
    shutil.copyfile(demo_warehouse.path, warehouse.path)
    result = run_dbt(["parse", *SEMANTIC_LAYER], demo_warehouse.raw_dir,
                     warehouse.path, project)
    assert result.returncode == 0, output(result)[-3000:]
    return SemanticLayer(project, warehouse)


def _quarter(text: str) -> str:
    """metric_time__quarter as written by mf ('2025-04-01 00:00:00')."""
    return text[:10]


def _cents_exact(text: str, expected: Decimal) -> bool:
    """A sum of cent amounts: mf writes it as a float, whose shortest form
    is the exact decimal."""
    return Decimal(text) == expected


def _nearest(text: str, expected: Decimal) -> bool:
    """A full-precision sum: mf writes the double nearest to it (MetricFlow's
    result table turns decimals into floats), i.e. equal far below a cent."""
    return float(text) == float(expected)


# The payout metrics per quarter and payout currency, computed from the
# published mart. A carried balance is a level: each agreement counts with
# its last period in the quarter.
PAYOUTS_BY_QUARTER = """
    with payouts as (
        select
            *,
            cast(date_trunc('quarter', period_start) as date) as quarter_start,
            period_start = max(period_start) over (
                partition by agreement_id, date_trunc('quarter', period_start)
            ) as is_last_in_quarter
        from marts.fct_partner_payouts
    )
    select
        strftime(quarter_start, '%Y-%m-%d'), payout_currency,
        sum(payout_amount), sum(commission_amount), sum(adjustment_amount),
        sum(case when is_last_in_quarter then carried_out_amount else 0 end),
        sum(carried_out_amount)
    from payouts
    group by all
"""


def _expected_payouts(layer):
    return {(q, ccy): rest for q, ccy, *rest in layer.sql(PAYOUTS_BY_QUARTER)}


def test_payout_amount_by_quarter_and_currency(semantic_layer):
    """The issue's example query, exactly as an analyst types it."""
    rows = semantic_layer.query(["payout_amount"],
                                ["metric_time__quarter", "payout__payout_currency"])
    expected = _expected_payouts(semantic_layer)
    got = {(_quarter(r["metric_time__quarter"]), r["payout__payout_currency"]): r
           for r in rows}
    assert set(got) == set(expected)
    assert {ccy for _, ccy in got} >= {"EUR", "USD"}
    for key, row in got.items():
        assert _cents_exact(row["payout_amount"], expected[key][0]), (key, row)


def test_every_payout_metric_to_the_cent(semantic_layer):
    rows = semantic_layer.query(
        ["commission_amount", "adjustment_amount", "carried_out_amount"],
        ["metric_time__quarter", "payout__payout_currency"])
    expected = _expected_payouts(semantic_layer)
    got = {(_quarter(r["metric_time__quarter"]), r["payout__payout_currency"]): r
           for r in rows}
    assert set(got) == set(expected)
    for key, row in got.items():
        _, commission, adjustment, carried_out, _ = expected[key]
        assert _nearest(row["commission_amount"], commission), (key, row)
        assert _nearest(row["adjustment_amount"], adjustment), (key, row)
        assert _cents_exact(row["carried_out_amount"], carried_out), (key, row)
    # The demo has a balance carried out of July 2025 and absorbed in August:
    # summed over the quarter's periods it would be -497.27; as a level it
    # is gone by the quarter's end.
    assert any(naive != level for *_, level, naive in expected.values())


def test_explained_sql_gives_the_exact_decimals(semantic_layer):
    """`mf query --explain` prints the SQL; run on the warehouse it gives
    every payout metric as an exact decimal (the way to get exact values
    past `--csv`, which writes floats)."""
    metrics = ["payout_amount", "commission_amount", "adjustment_amount",
               "carried_out_amount"]
    result = semantic_layer.mf(
        "query", "--metrics", ",".join(metrics),
        "--group-by", "metric_time__quarter,payout__payout_currency", "--explain", "--quiet")
    assert result.returncode == 0, output(result)[-3000:]
    assert '"marts"."fct_partner_payouts"' in result.stdout  # the published schema
    assert "marts_audit" not in result.stdout
    got = {(str(row["metric_time__quarter"])[:10], row["payout__payout_currency"]):
           tuple(row[metric] for metric in metrics)
           for row in semantic_layer.sql_dicts(result.stdout)}
    expected = {key: tuple(values[:4])
                for key, values in _expected_payouts(semantic_layer).items()}
    assert got == expected
    assert all(isinstance(v, Decimal) for values in got.values() for v in values)


def test_reseller_mrr_and_resellers_by_tier(semantic_layer):
    rows = semantic_layer.query(["reseller_mrr_eur", "resellers"],
                                ["metric_time__quarter", "reseller_month__effective_tier"])
    expected = {(q, str(tier)): (mrr, resellers) for q, tier, mrr, resellers in semantic_layer.sql("""
        with months as (
            select
                *,
                month_start = max(month_start) over (
                    partition by partner_id, date_trunc('quarter', month_start)
                ) as is_last_in_quarter
            from marts.rpt_reseller_tiers_monthly
        )
        select
            strftime(date_trunc('quarter', month_start), '%Y-%m-%d'),
            effective_tier, sum(mrr_eur), count(distinct partner_id)
        from months
        where is_last_in_quarter
        group by all
    """)}
    got = {(_quarter(r["metric_time__quarter"]), r["reseller_month__effective_tier"]): r
           for r in rows}
    assert set(got) == set(expected)
    assert len({tier for _, tier in got}) >= 3
    for key, row in got.items():
        mrr, resellers = expected[key]
        assert _nearest(row["reseller_mrr_eur"], mrr), (key, row)
        assert int(row["resellers"]) == resellers, (key, row)


def test_discount_variance_by_finding(semantic_layer):
    rows = semantic_layer.query(["discount_variance_eur"],
                                ["metric_time__quarter", "reseller_discount_line__finding"])
    expected = {(q, finding): variance for q, finding, variance in semantic_layer.sql("""
        select
            strftime(date_trunc('quarter', issued_on), '%Y-%m-%d'), finding,
            sum(variance_amount_eur)
        from marts.fct_reseller_discount_audit
        group by all
    """)}
    got = {(_quarter(r["metric_time__quarter"]), r["reseller_discount_line__finding"]): r
           for r in rows}
    assert set(got) == set(expected)
    assert {finding for _, finding in got} == {"ok", "under_discounted", "over_discounted"}
    for key, row in got.items():
        assert _nearest(row["discount_variance_eur"], expected[key]), (key, row)


def test_quarantined_rows_by_reason(semantic_layer):
    rows = semantic_layer.query(["quarantined_rows"], ["quarantined_row__reason"])
    expected = dict(semantic_layer.sql(
        "select reason, count(*) from marts.rpt_data_quality_rejections group by reason"))
    assert {r["quarantined_row__reason"]: int(r["quarantined_rows"]) for r in rows} == expected


def test_semantic_models_validate_against_the_warehouse(semantic_layer):
    """Every dimension, entity and measure (also those no test above
    queries) exists in the published marts."""
    result = semantic_layer.mf("validate-configs")
    assert result.returncode == 0, output(result)[-3000:]
    assert "ERRORS: 0" in result.stdout and "ERRORS: 1" not in result.stdout


def test_money_metrics_say_their_currency_rule(semantic_layer):
    """Amounts are never added up across currencies: each metric of the
    `payout` model tells readers to group by the payout currency; the
    others are in EUR (`_eur`) or counts."""
    manifest = json.loads(
        (semantic_layer.project / "target" / "semantic_manifest.json").read_text())
    payout_measures = {m["name"] for sm in manifest["semantic_models"]
                       if sm["name"] == "payout" for m in sm["measures"]}
    metrics = {m["name"]: m for m in manifest["metrics"]}
    assert {"payout_amount", "commission_amount", "adjustment_amount",
            "carried_out_amount", "reseller_mrr_eur", "resellers",
            "discount_variance_eur", "quarantined_rows"} <= set(metrics)
    for name, metric in metrics.items():
        if metric["type_params"]["measure"]["name"] in payout_measures:
            assert "payout__payout_currency" in metric["description"], name
        else:
            assert name.endswith("_eur") or name in {"resellers", "quarantined_rows"}, name


def test_every_semantic_model_reads_the_published_marts(semantic_layer, demo_warehouse):
    """With the var, semantic models point at `marts`; without it (every
    build) there are none, so `mf` never reads the unaudited `marts_audit`.
    The time spine is in every manifest."""
    parsed = json.loads(
        (semantic_layer.project / "target" / "semantic_manifest.json").read_text())
    assert {sm["node_relation"]["schema_name"] for sm in parsed["semantic_models"]} == {"marts"}
    built = json.loads(
        (demo_warehouse.path.parent / "target" / "semantic_manifest.json").read_text())
    assert built["semantic_models"] == [] and built["metrics"] == []
    for manifest in (parsed, built):
        [spine] = manifest["project_configuration"]["time_spines"]
        assert spine["node_relation"]["alias"] == "metricflow_time_spine"
        assert spine["primary_column"] == {"name": "date_day", "time_granularity": "day"}


def test_a_build_with_the_semantic_layer_var_is_refused(semantic_layer):
    """With the var the public marts resolve to `marts`: a build would write
    them there unaudited. The first on-run-start hook stops it, and every
    published mart stays as it was."""
    warehouse = semantic_layer.warehouse
    before = published_marts(warehouse)
    result = run_dbt(["build", *SEMANTIC_LAYER], warehouse.raw_dir,
                     warehouse.path, semantic_layer.project)
    assert result.returncode != 0
    assert "The var semantic_layer is for `dbt parse` only" in output(result)
    assert published_marts(warehouse) == before
