"""Run every suite as one Great Expectations checkpoint against a built
warehouse - DuckDB (the file, read-only) or PostgreSQL (the PAYOUTS_PG_*
database, a read-only snapshot) - write Data Docs, and summarise the results.

Each batch's query (portable SQL, suites.py) runs in the warehouse; its rows
go to a Parquet file (decimals as doubles: the exact money checks are
already differences computed in SQL), which a pandas filesystem data source
reads. One validation definition per batch, one checkpoint for all of them.
"""

import logging
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from partner_payouts.quality.project import disabled_models, mart_columns
from partner_payouts.quality.suites import GUARDED_BY_DBT, batches


class DuckDBWarehouse:
    """The DuckDB warehouse file, opened read-only (WarehouseError when it
    cannot be: missing, locked)."""

    engine = "duckdb"

    def __init__(self, path: Path):
        import duckdb

        from partner_payouts.warehouse import connect_read_only, memory_settings

        self.label = str(path)
        self.error = duckdb.Error
        self.con = connect_read_only(Path(path), config=memory_settings())

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def arrow(self, sql: str) -> pa.Table:
        return self.con.execute(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()


# PostgreSQL type OIDs → Arrow types (numeric as float64, as `_floats` makes
# DuckDB's decimals); any other type arrives as text.
_PG_ARROW_TYPES = {
    16: pa.bool_(), 20: pa.int64(), 21: pa.int64(), 23: pa.int64(),
    700: pa.float64(), 701: pa.float64(), 1700: pa.float64(),
    1082: pa.date32(), 1114: pa.timestamp("us"), 1184: pa.timestamp("us", tz="UTC"),
}
FETCH_ROWS = 50_000


def _pg_column(values: list, type_code: int) -> pa.Array:
    kind = _PG_ARROW_TYPES.get(type_code, pa.string())
    if pa.types.is_floating(kind):
        values = [float(v) if isinstance(v, Decimal) else v for v in values]
    elif kind == pa.string():
        values = [v if v is None or isinstance(v, str) else str(v) for v in values]
    return pa.array(values, type=kind)


class PostgresWarehouse:
    """The PostgreSQL warehouse of the PAYOUTS_PG_* variables: one read-only
    repeatable-read transaction, so every batch sees the same published marts
    even if a build publishes meanwhile; rows are streamed from a server-side
    cursor into Arrow with explicit types (psycopg2 returns Decimal)."""

    engine = "postgres"

    def __init__(self):
        import psycopg2

        from partner_payouts.warehouse import connect_postgres_read_only, postgres_location

        self.label = postgres_location()
        self.error = psycopg2.Error
        self.con = connect_postgres_read_only()
        self._cursors = 0

    def _guarded(self, run):
        """`run()` inside a savepoint: a failing query does not end the
        snapshot's transaction, so the next batch still runs."""
        with self.con.cursor() as cur:
            cur.execute("savepoint batch")
        try:
            result = run()
        except self.error:
            with self.con.cursor() as cur:
                cur.execute("rollback to savepoint batch")
            raise
        with self.con.cursor() as cur:
            cur.execute("release savepoint batch")
        return result

    def rows(self, sql: str) -> list[tuple]:
        def run():
            with self.con.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        return self._guarded(run)

    def arrow(self, sql: str) -> pa.Table:
        def run():
            self._cursors += 1
            with self.con.cursor(name=f"batch_{self._cursors}") as cur:
                cur.itersize = FETCH_ROWS
                cur.execute(sql)
                chunks, description = [], None
                while True:
                    rows = cur.fetchmany(FETCH_ROWS)
                    description = description or cur.description
                    if not rows and chunks:
                        break
                    names = [column.name for column in description]
                    columns = list(zip(*rows)) if rows else [[] for _ in names]
                    chunks.append(pa.table(
                        [_pg_column(list(values), column.type_code)
                         for values, column in zip(columns, description)], names=names))
                    if len(rows) < FETCH_ROWS:
                        break
            return pa.concat_tables(chunks)
        return self._guarded(run)

    def close(self) -> None:
        self.con.rollback()
        self.con.close()


def open_warehouse(engine: str = "duckdb", path: Path | None = None):
    """The warehouse to validate; WarehouseError (one line) when it cannot
    be opened or has no published marts."""
    from partner_payouts.warehouse import WarehouseError

    warehouse = PostgresWarehouse() if engine == "postgres" else DuckDBWarehouse(path)
    if not warehouse.rows("select schema_name from information_schema.schemata "
                          "where schema_name = 'marts'"):
        warehouse.close()
        build = "dbt build --target postgres" if engine == "postgres" else "dbt build"
        raise WarehouseError(f"No published marts (schema marts) in {warehouse.label}: "
                             f"run a {build} first.")
    return warehouse


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


def export_batches(warehouse, project_dir: Path, folder: Path):
    """Write each batch's rows to `<folder>/<name>.parquet`.

    Returns (batches to validate, failures found before any expectation ran:
    a batch whose query fails - a missing relation, a renamed column - and a
    public mart with neither a rule suite nor an entry in GUARDED_BY_DBT).
    Marts the dbt project switches off on the warehouse's engine (the Python
    model on PostgreSQL) have no batch there.
    """
    chosen, failures = [], []
    suites = batches(project_dir, warehouse.engine)
    off = disabled_models(project_dir, warehouse.engine)
    covered = {batch.mart for batch in suites if batch.mart} | set(GUARDED_BY_DBT)
    for mart in sorted(set(mart_columns(project_dir)) - covered - off):
        failures.append(Failure(mart, "every public mart has a rule suite, or is listed "
                                "as guarded by dbt tests alone", "suite_exists", None,
                                "no rule suite and not in GUARDED_BY_DBT "
                                "(src/partner_payouts/quality/suites.py)"))
    for batch in suites:
        try:
            table = warehouse.arrow(batch.query(warehouse))
        except warehouse.error as error:
            first_line = str(error).strip().splitlines()[0]
            failures.append(Failure(batch.name, f"{batch.description}: the batch's query "
                                    "runs on the warehouse", "query_runs", None,
                                    first_line))
            continue
        pq.write_table(_floats(table), folder / f"{batch.name}.parquet")
        chosen.append(batch)
    return chosen, failures


def validate(warehouse, project_dir: Path = Path("."), docs_dir: Path | None = None
             ) -> Outcome:
    """Validate an open warehouse (`open_warehouse`), or a DuckDB file's path."""
    if isinstance(warehouse, (str, Path)):
        opened = open_warehouse("duckdb", Path(warehouse))
        try:
            return validate(opened, project_dir, docs_dir)
        finally:
            opened.close()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="partner_payouts_gx_") as tmp:
        folder = Path(tmp)
        chosen, early_failures = export_batches(warehouse, Path(project_dir), folder)
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


def summary(outcome: Outcome, warehouse) -> str:
    """The printed result; `warehouse` is an open warehouse or what to call it."""
    warehouse = getattr(warehouse, "label", warehouse)
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
