"""Streaming writers for a raw export folder: one CSV or Parquet file per table.

Every column is written as text, exactly as a billing or CRM export would hand
it over (so that bad values, like an unparsable date, can be represented in
Parquet too). Rows are written in batches and never held for the whole file.
"""

from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from partner_payouts.raw_contract import RAW_TABLES

PARQUET_ROW_GROUP = 250_000
_CENT = pa.scalar(Decimal("0.01"), pa.decimal128(3, 2))


def money(cents) -> pa.Array:
    """Integer cents as exact decimal text: 12345 -> '123.45'."""
    arr = pa.array(np.asarray(cents, dtype=np.int64)).cast(pa.decimal128(20, 0))
    return pc.cast(pc.multiply(arr, _CENT), pa.string())


def basis_points(bp, nullable_zero=False) -> pa.Array:
    """Basis points as a fraction in text: 1250 -> '0.125'; 0 -> null when asked."""
    values = np.asarray(bp, dtype=np.int64)
    arr = pa.array(values).cast(pa.decimal128(20, 0))
    text = pc.cast(pc.multiply(arr, pa.scalar(Decimal("0.0001"), pa.decimal128(5, 4))),
                   pa.string())
    if nullable_zero:
        text = pc.if_else(pa.array(values == 0), pa.nulls(len(values), pa.string()), text)
    return text


def dates(days) -> pa.Array:
    """numpy datetime64[D] (NaT = null) as ISO dates."""
    return pc.cast(pa.array(np.asarray(days, dtype="datetime64[D]")), pa.string())


def timestamps(seconds, offset_minutes: int = 0) -> pa.Array:
    """numpy datetime64[s] (UTC) as ISO-8601 text, with an explicit offset."""
    ts = np.asarray(seconds, dtype="datetime64[s]") + np.timedelta64(offset_minutes * 60, "s")
    text = pc.cast(pa.array(ts), pa.string())  # 'YYYY-MM-DD hh:mm:ss'
    text = pc.replace_substring(text, " ", "T")
    if offset_minutes == 0:
        suffix = "Z"
    else:
        sign = "+" if offset_minutes > 0 else "-"
        hours, minutes = divmod(abs(offset_minutes), 60)
        suffix = f"{sign}{hours:02d}:{minutes:02d}"
    return pc.binary_join_element_wise(text, pa.scalar(suffix), "")


def text(values) -> pa.Array:
    """A list or numpy array of str (None = null) as a string array."""
    return pa.array(values, type=pa.string())


class RawExportWriter:
    """Writes the 13 raw-contract tables to `out_dir` as `<table>.csv|.parquet`."""

    def __init__(self, out_dir: Path, fmt: str):
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"format must be csv or parquet, not {fmt!r}")
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        self.rows_written = dict.fromkeys(RAW_TABLES, 0)
        self._schemas = {
            table: pa.schema([(c, pa.string()) for c in columns])
            for table, columns in RAW_TABLES.items()
        }
        self._writers = {}
        self._buffers = {table: [] for table in RAW_TABLES}
        self._buffered = dict.fromkeys(RAW_TABLES, 0)
        self._sinks = {}
        # CSV: the number of the file's last line written (the header is line 1).
        self.lines_written = dict.fromkeys(RAW_TABLES, 1)
        for table in RAW_TABLES:
            other = "parquet" if fmt == "csv" else "csv"
            stale = self.out_dir / f"{table}.{other}"
            if stale.exists():
                stale.unlink()
            path = self.out_dir / f"{table}.{fmt}"
            if fmt == "csv":
                options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
                self._sinks[table] = pa.OSFile(str(path), "wb")
                self._writers[table] = pacsv.CSVWriter(self._sinks[table], self._schemas[table],
                                                       write_options=options)
            else:
                self._writers[table] = pq.ParquetWriter(path, self._schemas[table],
                                                        compression="zstd")

    def write(self, table: str, columns: dict) -> None:
        """Append rows: `columns` maps every contract column to an array."""
        schema = self._schemas[table]
        missing = set(schema.names) - set(columns)
        extra = set(columns) - set(schema.names)
        if missing or extra:
            raise ValueError(f"{table}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        arrays = []
        for name in schema.names:
            value = columns[name]
            if not isinstance(value, (pa.Array, pa.ChunkedArray)):
                value = text(value)
            arrays.append(value.cast(pa.string()))
        batch = pa.Table.from_arrays(arrays, schema=schema)
        if batch.num_rows == 0:
            return
        self.rows_written[table] += batch.num_rows
        if self.fmt == "csv":
            self._writers[table].write_table(batch)
            self.lines_written[table] += batch.num_rows  # demo values hold no line breaks
            return
        self._buffers[table].append(batch)
        self._buffered[table] += batch.num_rows
        if self._buffered[table] >= PARQUET_ROW_GROUP:
            self._flush(table)

    def write_lines(self, table: str, lines: list[str]) -> list[int]:
        """CSV only: append lines exactly as given (malformed on purpose);
        returns their line numbers."""
        if self.fmt != "csv":
            raise ValueError("raw lines can only be written to CSV files")
        numbers = []
        for line in lines:
            self._sinks[table].write((line + "\n").encode("utf-8"))
            self.lines_written[table] += 1
            numbers.append(self.lines_written[table])
        return numbers

    def _flush(self, table: str) -> None:
        if self._buffers[table]:
            combined = pa.concat_tables(self._buffers[table])
            self._writers[table].write_table(combined, row_group_size=PARQUET_ROW_GROUP)
            self._buffers[table] = []
            self._buffered[table] = 0

    def close(self) -> None:
        for table, writer in self._writers.items():
            if self.fmt == "parquet":
                self._flush(table)
            writer.close()
        for sink in self._sinks.values():
            sink.close()
        self._writers = {}
        self._sinks = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
