"""`partner-payouts load-raw`: the raw export copied into PostgreSQL's raw schema.

The loader runs the project's own raw-export reader (the dbt hook, on a
scratch DuckDB file) before any connection is made, so the checks' tests need
no server; the load itself is tested on the throw-away server.
"""

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import RAW_EXPORTS
from partner_payouts.cli import main
from partner_payouts.loader import RawExportError, check_export, load_raw
from partner_payouts.raw_contract import RAW_TABLES


def test_a_complete_export_passes_the_checks():
    files = check_export(RAW_EXPORTS / "clean")
    assert files == {table: (RAW_EXPORTS / "clean" / f"{table}.csv").resolve()
                     for table in RAW_TABLES}


def test_missing_contract_column_names_the_file_and_the_column():
    with pytest.raises(RawExportError, match=r"missing_column/invoices\.csv lacks contract "
                                             r"column\(s\): currency"):
        check_export(RAW_EXPORTS / "missing_column")


def test_missing_file_is_named(copy_export):
    folder = copy_export("clean")
    (folder / "payments.csv").unlink()
    with pytest.raises(RawExportError, match=f"Raw file missing: expected {folder}/payments.csv"):
        check_export(folder)


def test_csv_and_parquet_of_one_table_are_refused(copy_export):
    folder = copy_export("clean")
    (folder / "fx_rates.parquet").write_bytes(b"")
    with pytest.raises(RawExportError, match="holds both fx_rates.csv and fx_rates.parquet"):
        check_export(folder)


def test_unreadable_files_are_named(copy_export):
    folder = copy_export("clean")
    (folder / "payments.csv").unlink()
    (folder / "payments.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(RawExportError, match=f"{folder}/payments.parquet"):
        check_export(folder)


def test_header_names_match_exactly(copy_export):
    folder = copy_export("clean")
    path = folder / "payments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0].replace("amount", "Amount"), *lines[1:]]) + "\n",
                    encoding="utf-8")
    with pytest.raises(RawExportError, match=r"payments\.csv lacks contract column\(s\): "
                                             r"amount .*`Amount` should be `amount`"):
        check_export(folder)


def test_cli_reports_a_broken_export_without_a_traceback(capsys):
    assert main(["load-raw", "--raw-dir", str(RAW_EXPORTS / "missing_column")]) == 2
    assert "lacks contract column(s): currency" in capsys.readouterr().err


@pytest.mark.postgres
def test_load_keeps_contract_columns_as_text(postgres_server, copy_export):
    folder = copy_export("clean")
    # An extra column, columns in another order (names padded with spaces),
    # and a typed Parquet file.
    partners = (folder / "partners.csv").read_text(encoding="utf-8").splitlines()
    header = partners[0].split(",")
    (folder / "partners.csv").write_text(
        "\n".join([",".join(["note", *[f" {h} " for h in reversed(header)]])]
                  + [",".join(["x", *reversed(line.split(","))]) for line in partners[1:]])
        + "\n", encoding="utf-8")
    (folder / "fx_rates.csv").unlink()
    pq.write_table(pa.table({
        "rate_date": pa.array([date(2024, 3, 29)]),
        "currency": pa.array(["USD"]),
        "units_per_eur": pa.array([Decimal("1.0811")], type=pa.decimal128(10, 4)),
        "source": pa.array(["ECB"]),
    }), folder / "fx_rates.parquet")
    postgres_server.create_database("loader")
    summary = load_raw(folder, host=postgres_server.host, port=postgres_server.port,
                       user=postgres_server.user, dbname="loader")
    assert summary.rows["partners"] == len(partners) - 1
    assert summary.rows["fx_rates"] == 1
    con = postgres_server.connect("loader")
    with con.cursor() as cur:
        cur.execute("select table_name, column_name, data_type from information_schema.columns "
                    "where table_schema = 'raw' order by table_name, ordinal_position")
        columns = cur.fetchall()
        cur.execute("select * from raw.fx_rates")
        fx = cur.fetchall()
        cur.execute("select partner_id, created_at from raw.partners order by 1")
        partner_rows = cur.fetchall()
    con.close()
    assert {t for t, _, _ in columns} == set(RAW_TABLES) | {"malformed_lines", "export_files"}
    for table in RAW_TABLES:
        assert tuple(c for t, c, _ in columns if t == table) == RAW_TABLES[table]
    assert {d for t, _, d in columns if t in RAW_TABLES} == {"text"}
    assert fx == [("2024-03-29", "USD", "1.0811")]
    assert partner_rows[0] == ("P001", "2024-01-05T10:00:00+02:00")
