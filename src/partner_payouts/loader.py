"""Load a raw export into the `raw` schema of an engine that cannot read files.

DuckDB reads the export's files directly: the dbt hook `register_raw_export`
(macros/raw_export.sql) checks them and exposes each contract table as
`raw.<table>` (text columns in contract order), skipping and recording
malformed CSV lines in `raw.malformed_lines` and the files read in
`raw.export_files`. PostgreSQL cannot read files, so `partner-payouts
load-raw` runs that same hook (as a dbt operation, into a scratch DuckDB
file) and copies its result into the engine's `raw` schema: one reader, one
set of checks and messages, the same rows on every engine.

The copy streams (Arrow batches sent with COPY), so memory stays flat however
large the export, and runs in one transaction: a failed load leaves the
previous raw tables as they were.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from partner_payouts.dbt_runner import PROJECT_DIR, DbtCommandError, run_dbt
from partner_payouts.raw_contract import RAW_TABLES

# What the reader writes besides the contract tables.
READER_TABLES = ("malformed_lines", "export_files")
COPY_BATCH_ROWS = 100_000


class RawExportError(Exception):
    """The raw folder does not meet the raw contract (names the file and what to do)."""


@dataclass
class LoadSummary:
    schema: str
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    malformed_lines: int = 0


def read_export(raw_dir: Path, database: Path, project_dir: Path = PROJECT_DIR) -> None:
    """Run the project's raw-export reader on `raw_dir` into the DuckDB file
    `database` (its `raw` schema); a broken export raises RawExportError."""
    try:
        run_dbt(["run-operation", "register_raw_export"],
                {"PAYOUTS_RAW_DIR": str(Path(raw_dir).resolve()),
                 "PAYOUTS_DUCKDB_PATH": str(database)},
                database.parent, project_dir)
    except DbtCommandError as error:
        raise RawExportError(str(error)) from None


def check_export(raw_dir: Path) -> dict[str, Path]:
    """Every contract table's file, or the first problem (RawExportError)."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="partner_payouts_raw_") as tmp:
        database = Path(tmp) / "raw_export.duckdb"
        read_export(Path(raw_dir), database)
        with duckdb.connect(str(database), read_only=True) as con:
            files = con.execute("select source_table, source_file from raw.export_files").fetchall()
    return {table: Path(path) for table, path in files}


def connection_settings(**overrides) -> dict:
    """psycopg2 connection settings: the PAYOUTS_PG_* variables (as the dbt
    profile's `postgres` target reads them), then explicit overrides."""
    settings = {
        "host": os.environ.get("PAYOUTS_PG_HOST", "localhost"),
        "port": int(os.environ.get("PAYOUTS_PG_PORT", "5432")),
        "user": os.environ.get("PAYOUTS_PG_USER", "postgres"),
        "password": os.environ.get("PAYOUTS_PG_PASSWORD", ""),
        "dbname": os.environ.get("PAYOUTS_PG_DBNAME", "partner_payouts"),
    }
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _pg_type(duckdb_type: str) -> str:
    return "bigint" if duckdb_type.upper() in ("BIGINT", "INTEGER") else "text"


def load_raw(raw_dir: Path, schema: str = "raw", **connection) -> LoadSummary:
    """Read `raw_dir` with the project's reader, then copy every raw table
    (the contract's, the malformed lines, the files read) into `schema`."""
    import duckdb
    import psycopg2

    raw_dir = Path(raw_dir)
    summary = LoadSummary(schema=schema)
    with tempfile.TemporaryDirectory(prefix="partner_payouts_raw_") as tmp:
        database = Path(tmp) / "raw_export.duckdb"
        read_export(raw_dir, database)
        with duckdb.connect(str(database), read_only=True) as source, \
                psycopg2.connect(**connection_settings(**connection)) as con:
            summary.files = {table: Path(path) for table, path in source.execute(
                "select source_table, source_file from raw.export_files").fetchall()}
            with con.cursor() as cur:
                cur.execute(f"create schema if not exists {_quote(schema)}")
                for table in (*RAW_TABLES, *READER_TABLES):
                    columns = source.execute(
                        "select column_name, data_type from information_schema.columns "
                        "where table_schema = 'raw' and table_name = ? "
                        "order by ordinal_position", [table]).fetchall()
                    target = f"{_quote(schema)}.{_quote(table)}"
                    names = ", ".join(_quote(name) for name, _ in columns)
                    cur.execute(f"drop table if exists {target}")
                    cur.execute(f"create table {target} (" + ", ".join(
                        f"{_quote(name)} {_pg_type(kind)}" for name, kind in columns) + ")")
                    reader = source.sql(f"select * from raw.{_quote(table)}") \
                        .to_arrow_reader(COPY_BATCH_ROWS)
                    rows = 0
                    for batch in reader:
                        buffer = io.BytesIO()
                        pacsv.write_csv(pa.Table.from_batches([batch]), buffer,
                                        pacsv.WriteOptions(include_header=False))
                        buffer.seek(0)
                        cur.copy_expert(
                            f"copy {target} ({names}) from stdin with (format csv)", buffer)
                        rows += batch.num_rows
                    if table == "malformed_lines":
                        summary.malformed_lines = rows
                    elif table in RAW_TABLES:
                        summary.rows[table] = rows
            # Leaving the `with` commits; an exception rolls the whole load back.
        con.close()
    return summary
