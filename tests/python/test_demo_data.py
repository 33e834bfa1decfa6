"""The demo-data generator: contract shape, determinism, size, formats, memory."""

import csv
import resource
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from partner_payouts.cli import main
from partner_payouts.demo.generate import generate
from partner_payouts.raw_contract import RAW_TABLES


def read_csv(path: Path, skip_lines=()):
    """The file's records, leaving out the physical lines numbered in
    `skip_lines` (the demo's malformed lines, which no reader could split)."""
    with open(path, newline="", encoding="utf-8") as handle:
        lines = [line for number, line in enumerate(handle, start=1)
                 if number not in skip_lines]
    return list(csv.reader(lines))


@pytest.fixture(scope="module")
def scale_one(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "scale1"
    return generate(out, scale=1, seed=42)


def test_every_contract_file_with_exactly_its_columns(scale_one):
    for table, columns in RAW_TABLES.items():
        header = read_csv(scale_one.out_dir / f"{table}.csv")[0]
        assert tuple(header) == columns, table
        assert scale_one.rows[table] > 0, table


def test_scale_one_is_about_ten_thousand_invoice_lines(scale_one):
    lines = len(read_csv(scale_one.out_dir / "invoice_lines.csv")) - 1
    assert lines == scale_one.rows["invoice_lines"]
    assert 9_000 <= lines <= 11_000


def test_every_table_gets_bad_rows(scale_one):
    assert all(scale_one.bad_rows[table] > 0 for table in RAW_TABLES)
    # ...but only a small share of the export.
    assert sum(scale_one.bad_rows.values()) < 0.02 * sum(scale_one.rows.values())


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    first = generate(tmp_path / "a", scale=0.3, seed=7)
    second = generate(tmp_path / "b", scale=0.3, seed=7)
    third = generate(tmp_path / "c", scale=0.3, seed=8)
    for table in RAW_TABLES:
        a = (first.out_dir / f"{table}.csv").read_bytes()
        assert a == (second.out_dir / f"{table}.csv").read_bytes(), table
    assert ((first.out_dir / "invoice_lines.csv").read_bytes()
            != (third.out_dir / "invoice_lines.csv").read_bytes())


def test_parquet_holds_the_same_rows_as_csv(tmp_path):
    as_csv = generate(tmp_path / "csv", scale=0.3, seed=3, fmt="csv")
    as_parquet = generate(tmp_path / "parquet", scale=0.3, seed=3, fmt="parquet")
    for table in RAW_TABLES:
        rows = read_csv(as_csv.out_dir / f"{table}.csv",
                        as_csv.malformed_lines.get(table, {}))[1:]
        data = pq.read_table(as_parquet.out_dir / f"{table}.parquet")
        assert tuple(data.column_names) == RAW_TABLES[table]
        parquet_rows = [["" if v is None else v for v in row.values()]
                        for row in data.to_pylist()]
        assert parquet_rows == rows, table
    assert not list(as_parquet.out_dir.glob("*.csv"))
    # The CSV export has three malformed lines in each of two files; the
    # Parquet export cannot hold them.
    assert {t: sorted(lines.values()) for t, lines in as_csv.malformed_lines.items()} == {
        t: ["csv_too_few_fields", "csv_too_many_fields", "csv_unterminated_quote"]
        for t in ("payments", "leads")}
    assert as_parquet.malformed_lines == {}


def test_switching_format_removes_the_other_files(tmp_path):
    generate(tmp_path, scale=0.1, seed=1, fmt="csv")
    generate(tmp_path, scale=0.1, seed=1, fmt="parquet")
    assert not list(tmp_path.glob("*.csv"))
    assert len(list(tmp_path.glob("*.parquet"))) == 13


def test_cli_writes_an_export(tmp_path, capsys):
    assert main(["demo-data", "--out", str(tmp_path), "--scale", "0.1", "--seed", "5"]) == 0
    assert "invoice_lines" in capsys.readouterr().out
    assert len(list(tmp_path.glob("*.csv"))) == 13


def test_memory_stays_bounded_as_scale_grows(tmp_path):
    """Peak memory hardly grows with the scale: the export is streamed."""

    def peak_mb(scale):
        code = ("import resource, sys; from partner_payouts.demo.generate import generate; "
                f"generate(sys.argv[1], scale={scale}, seed=1, fmt='parquet'); "
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / str(scale))],
                             capture_output=True, text=True, check=True).stdout
        return int(out.strip().splitlines()[-1]) / 1024

    small, large = peak_mb(2), peak_mb(20)
    # 10x the rows: the peak grows by the Parquet row-group buffers at most.
    assert large < small + 250, (small, large)
    assert large < 600, large


def test_ids_of_an_empty_batch():
    """A block can produce no rows of a kind (say, no payments): no id is taken."""
    from partner_payouts.demo.dims import Ids

    ids = Ids()
    assert list(ids.take("PAY", 0)) == []
    assert ids.one("PAY") == "PAY0000000001"
