"""Run every suite as one Great Expectations checkpoint against a built
warehouse, write Data Docs, and summarise the results.

Each batch's query runs in DuckDB (read-only); the rows go to a Parquet file
(decimals as doubles: the exact money checks are already differences
computed in SQL), which a pandas filesystem data source reads. One
validation definition per batch, one checkpoint for all of them.
"""

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from partner_payouts.quality.project import mart_columns
from partner_payouts.quality.suites import batches


@dataclass
class Failure:
    batch: str
    description: str
    expectation: str
    column: str | None
    unexpected: str


@dataclass
class Outcome:
    success: bool
    evaluated: int
    failures: list
    docs_index: Path | None


def _floats(table: pa.Table) -> pa.Table:
    """Decimal columns as float64 (pandas cannot compute on Decimal objects fast)."""
    fields = [pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f
              for f in table.schema]
    return table.cast(pa.schema(fields))


def _plain(value):
    """numpy scalars and tuples of them as plain Python values, for printing."""
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return value.item() if hasattr(value, "item") else value


def export_batches(warehouse: Path, project_dir: Path, folder: Path):
    """Write each batch's rows to `<folder>/<name>.parquet`.

    Returns (batches to validate, failures found before any expectation ran:
    a batch whose query fails - a missing relation, a renamed column - and a
    public mart without a suite).
    """
    chosen, failures = [], []
    suites = batches(project_dir)
    covered = {batch.mart for batch in suites if batch.mart}  # rule suites, by mart
    for mart in sorted(set(mart_columns(project_dir)) - covered):
        failures.append(Failure(mart, "every public mart has an expectation suite",
                                "suite_exists", None,
                                "no suite in src/partner_payouts/quality/suites.py"))
    # The same memory cap as the dbt profile: DuckDB spills beyond it.
    settings = {"memory_limit": os.environ.get("PAYOUTS_DUCKDB_MEMORY_LIMIT", "4GB"),
                "preserve_insertion_order": False}
    with duckdb.connect(str(warehouse), read_only=True, config=settings) as con:
        for batch in suites:
            try:
                table = con.execute(batch.query(con)).to_arrow_table()
            except duckdb.Error as error:
                first_line = str(error).splitlines()[0]
                failures.append(Failure(batch.name, f"{batch.description}: the batch's query "
                                        "runs on the warehouse", "query_runs", None,
                                        first_line))
                continue
            pq.write_table(_floats(table), folder / f"{batch.name}.parquet")
            chosen.append(batch)
    return chosen, failures


def validate(warehouse: Path, project_dir: Path = Path("."), docs_dir: Path | None = None
             ) -> Outcome:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="partner_payouts_gx_") as tmp:
        folder = Path(tmp)
        chosen, early_failures = export_batches(Path(warehouse), Path(project_dir), folder)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = {"globally": False}
        source = context.data_sources.add_pandas_filesystem("marts", base_directory=folder)
        definitions = []
        for batch in chosen:
            asset = source.add_parquet_asset(batch.name)
            definition = asset.add_batch_definition_path(batch.name, path=f"{batch.name}.parquet")
            suite = context.suites.add(gx.ExpectationSuite(name=batch.name))
            for expectation in batch.expectations:
                suite.add_expectation(expectation)
            definitions.append(context.validation_definitions.add(
                gx.ValidationDefinition(name=batch.name, data=definition, suite=suite)))
        actions = []
        if docs_dir is not None:
            context.add_data_docs_site(site_name="local", site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(Path(docs_dir).resolve())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
            actions.append(gx.checkpoint.UpdateDataDocsAction(name="data_docs"))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name="public_marts", validation_definitions=definitions, actions=actions,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 3}))
        result = checkpoint.run()

    failures = list(early_failures)
    evaluated = len(early_failures)
    for validation in result.run_results.values():
        name = validation.suite_name
        for item in validation.results:
            evaluated += 1
            if item.success:
                continue
            config = item.expectation_config
            details = item.result or {}
            if "unexpected_count" in details:
                examples = [_plain(v) for v in details.get("partial_unexpected_list", [])[:3]]
                unexpected = (f"{details['unexpected_count']} of {details.get('element_count')} "
                              f"rows, e.g. {examples}")
            elif "details" in details:
                unexpected = str(details["details"])
            else:
                unexpected = str(details.get("observed_value", details))
            failures.append(Failure(name, config.description or config.type, config.type,
                                    config.kwargs.get("column"), unexpected))
    index = Path(docs_dir).resolve() / "index.html" if docs_dir is not None else None
    return Outcome(result.success and not early_failures, evaluated, failures, index)


def summary(outcome: Outcome, warehouse: Path) -> str:
    lines = [f"Great Expectations checkpoint `public_marts` on {warehouse}: "
             f"{outcome.evaluated - len(outcome.failures)} of {outcome.evaluated} "
             f"expectations met."]
    for failure in outcome.failures:
        column = f" [{failure.column}]" if failure.column else ""
        lines.append(f"  FAILED   {failure.batch}: {failure.description}{column}")
        lines.append(f"           {failure.expectation}: {failure.unexpected}")
    lines.append("Result: " + ("PASSED" if outcome.success else "FAILED"))
    if outcome.docs_index is not None:
        lines.append(f"Data Docs: {outcome.docs_index}")
    return "\n".join(lines)
