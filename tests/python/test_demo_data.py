"""The demo-data generator: contract shape, determinism, size, formats, memory."""

import csv
import resource
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
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


def test_next_day_cli_names_what_is_wrong_in_one_line(tmp_path, capsys):
    assert main(["next-day", "--from", str(tmp_path / "nowhere"),
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no such export folder" in err and "make demo" in err
    export = tmp_path / "export"
    generate(export, scale=0.1, seed=5)
    (export / "payments.csv").unlink()
    assert main(["next-day", "--from", str(export), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "payments.csv or" in err and "payments.parquet" in err, err


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


def test_next_day_appends_one_day_and_keeps_the_previous_export(tmp_path):
    """`partner-payouts next-day`: the previous export's files are kept as
    they were; the new files are the old bytes plus the day's rows, every
    one of them recorded on the new day; late credit notes credit one line
    of an invoice of the last closed period in full; a seed gives the same
    bytes, and the day after credits other invoices."""
    from partner_payouts.demo.next_day import next_day

    day1 = generate(tmp_path / "day1", scale=0.5, seed=7).out_dir
    before = {path.name: path.read_bytes() for path in day1.iterdir()}
    day2 = next_day(day1, tmp_path / "day2", seed=7)
    assert {path.name: path.read_bytes() for path in day1.iterdir()} == before
    assert str(day2.day) == "2026-07-16"  # the demo's as-of date is 2026-07-15
    assert day2.rows["invoices"] > 0 and day2.rows["invoice_lines"] > 0
    assert len(day2.late_credit_notes) == 3 and len(day2.late_documents) > 0

    for name, old in before.items():
        new = (day2.out_dir / name).read_bytes()
        assert new.startswith(old), name
        added = list(csv.reader(new[len(old):].decode("utf-8").splitlines()))
        table = name.split(".")[0]
        assert len(added) == day2.rows.get(table, 0), name
        header = read_csv(day1 / name, skip_lines=range(2, 10**7))[0]
        for record in added:
            row = dict(zip(header, record))
            if "recorded_at" in row:
                assert row["recorded_at"].startswith("2026-07-16T"), row
            if table == "payments":
                assert row["received_on"] == "2026-07-16"

    invoices = {r[0]: r for r in read_csv(day2.out_dir / "invoices.csv")[1:]}
    lines = read_csv(day2.out_dir / "invoice_lines.csv")[1:]
    for note, credited in day2.late_credit_notes:
        assert invoices[note][3:5] == ["credit_note", credited]
        # Issued in March 2026, the last period the demo's payout runs closed.
        assert "2026-03-01" <= invoices[note][5] <= "2026-03-31"
        (credit_line,) = [line for line in lines if line[1] == note]
        (original,) = [line for line in lines if line[1] == credited
                       and line[2:7] == credit_line[2:7]][:1]
        for column in (8, 11, 12):  # list, net and tax amounts
            assert Decimal(credit_line[column]) == -Decimal(original[column])

    again = next_day(day1, tmp_path / "again", seed=7)
    for name in before:
        assert (again.out_dir / name).read_bytes() == (day2.out_dir / name).read_bytes()
    day3 = next_day(day2.out_dir, tmp_path / "day3", seed=7)
    assert str(day3.day) == "2026-07-17"
    assert not {c for _, c in day3.late_credit_notes} & {c for _, c in day2.late_credit_notes}

    # A Parquet export (here with typed invoice columns and a column the
    # contract does not know) gets the same day, in its own columns and types.
    parquet = generate(tmp_path / "pq1", scale=0.5, seed=7, fmt="parquet").out_dir
    invoices = parquet / "invoices.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select * replace (try_cast(issued_on as date) as issued_on), 'x' as note "
                    f"from '{invoices}') to '{tmp_path / 'typed.parquet'}'")
    (tmp_path / "typed.parquet").replace(invoices)
    typed = next_day(parquet, tmp_path / "pq2", seed=7)
    assert typed.rows == day2.rows and typed.late_credit_notes == day2.late_credit_notes
    with duckdb.connect() as con:
        types = dict(con.execute(f"select column_name, column_type from (describe select * "
                                 f"from '{typed.out_dir / 'invoices.parquet'}')").fetchall())
        added = con.execute(
            f"select invoice_id, cast(issued_on as varchar), note "
            f"from '{typed.out_dir / 'invoices.parquet'}' where invoice_id like 'INV20260716%' "
            "order by 1").fetchall()
    assert types["issued_on"] == "DATE" and types["note"] == "VARCHAR"
    assert added == [(r[0], r[5], None) for r in sorted(invoices_csv_rows(day2))]


def invoices_csv_rows(day):
    return [r for r in read_csv(day.out_dir / "invoices.csv")[1:] if r[0].startswith("INV2026")]
