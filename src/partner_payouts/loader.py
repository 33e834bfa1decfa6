"""Load a raw export into the `raw` schema of an engine that cannot read files.

DuckDB reads the export's files directly (the dbt hook `register_raw_export`).
PostgreSQL cannot, so `partner-payouts load-raw` copies each contract table
(`<table>.csv` or `<table>.parquet` in the raw folder) into `raw.<table>`,
one text column per contract column, exactly as the DuckDB hook exposes them:
extra columns are dropped, empty values are null, typing happens in staging.
The same checks stop the load with the same messages: a missing file, a folder
holding both a CSV and a Parquet file of one table, an unreadable file, a file
lacking a contract column.

The load streams: files are read in Arrow batches and sent with COPY, so
memory stays flat however large the export. It runs in one transaction: a
failed load leaves the previous raw tables as they were.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from partner_payouts.raw_contract import RAW_TABLES

# Rows per COPY batch for Parquet; CSV batches are about BLOCK_BYTES of text.
PARQUET_BATCH_ROWS = 100_000
BLOCK_BYTES = 16 << 20


class RawExportError(Exception):
    """The raw folder does not meet the raw contract (names the file and column)."""


@dataclass
class LoadSummary:
    schema: str
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


def find_raw_file(raw_dir: Path, table: str) -> Path:
    """The one file of `table` in `raw_dir`, or a RawExportError."""
    found = [raw_dir / f"{table}.{ext}" for ext in ("csv", "parquet")
             if (raw_dir / f"{table}.{ext}").is_file()]
    if not found:
        raise RawExportError(
            f"Raw file missing: expected {raw_dir}/{table}.csv or {raw_dir}/{table}.parquet "
            f"(raw contract table `{table}`).")
    if len(found) > 1:
        raise RawExportError(
            f"Raw folder {raw_dir} holds both {table}.csv and {table}.parquet: "
            "keep one of them.")
    return found[0]


def _csv_reader(path: Path, include: list[str] | None = None):
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding="utf8"),
        parse_options=pacsv.ParseOptions(
            delimiter=",", quote_char='"', double_quote=True, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            # Every value is text; only an empty value is null (as DuckDB reads it).
            column_types=None if include is None else {c: pa.string() for c in include},
            include_columns=include, strings_can_be_null=True, null_values=[""],
            quoted_strings_can_be_null=False),
    )


def file_columns(path: Path) -> list[str]:
    """The column names of a raw file, as written."""
    try:
        if path.suffix == ".parquet":
            return list(pq.ParquetFile(path).schema_arrow.names)
        with _csv_reader(path) as reader:
            return list(reader.schema.names)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
        raise RawExportError(f"Raw file {path} is unreadable: {error}") from error


def contract_columns(path: Path, table: str) -> dict[str, str]:
    """Contract column -> the file's own spelling (matched trimmed, case-insensitive)."""
    by_lower = {name.strip().lower(): name for name in file_columns(path)}
    missing = [c for c in RAW_TABLES[table] if c not in by_lower]
    if missing:
        raise RawExportError(
            f"Raw file {path} lacks contract column(s): {', '.join(missing)} "
            f"(raw contract table `{table}`).")
    return {c: by_lower[c] for c in RAW_TABLES[table]}


def text_batches(path: Path, columns: dict[str, str]) -> Iterator[pa.RecordBatch]:
    """The file's contract columns, in contract order, as text, batch by batch."""
    names = list(columns)
    originals = [columns[c] for c in names]
    try:
        if path.suffix == ".parquet":
            for batch in pq.ParquetFile(path).iter_batches(
                    batch_size=PARQUET_BATCH_ROWS, columns=originals):
                arrays = [batch.column(o).cast(pa.string()) for o in originals]
                yield pa.RecordBatch.from_arrays(arrays, names=names)
        else:
            with _csv_reader(path, include=originals) as reader:
                for batch in reader:
                    arrays = [batch.column(o) for o in originals]
                    yield pa.RecordBatch.from_arrays(arrays, names=names)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
        raise RawExportError(f"Raw file {path} is unreadable: {error}") from error


def check_export(raw_dir: Path) -> dict[str, tuple[Path, dict[str, str]]]:
    """Every contract table's file and column mapping, or the first problem."""
    return {table: (path, contract_columns(path, table))
            for table in RAW_TABLES
            for path in [find_raw_file(raw_dir, table)]}


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


def load_raw(raw_dir: Path, schema: str = "raw", **connection) -> LoadSummary:
    """Copy every contract table of `raw_dir` into `schema` (replacing it)."""
    import psycopg2

    raw_dir = Path(raw_dir)
    plan = check_export(raw_dir)
    summary = LoadSummary(schema=schema)
    with psycopg2.connect(**connection_settings(**connection)) as con:
        with con.cursor() as cur:
            cur.execute(f"create schema if not exists {_quote(schema)}")
            for table, (path, columns) in plan.items():
                target = f"{_quote(schema)}.{_quote(table)}"
                column_list = ", ".join(_quote(c) for c in columns)
                cur.execute(f"drop table if exists {target}")
                cur.execute(f"create table {target} ("
                            + ", ".join(f"{_quote(c)} text" for c in columns) + ")")
                rows = 0
                for batch in text_batches(path, columns):
                    buffer = io.BytesIO()
                    pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False))
                    buffer.seek(0)
                    cur.copy_expert(
                        f"copy {target} ({column_list}) from stdin with (format csv)", buffer)
                    rows += batch.num_rows
                summary.rows[table] = rows
                summary.files[table] = path
        # Leaving the `with` commits; an exception rolls the whole load back.
    con.close()
    return summary
