"""Damaged exports, as a nightly run meets them on a published warehouse.

Starting from the published commission fixture (`commission_warehouse`),
each test damages a copy of tests/raw_exports/commissions the way real
billing exports are damaged and builds on a copy of the warehouse:
- implausible rows are quarantined with their reason and move neither the
  as-of date nor the settlement calendar;
- a broken export stops the build before anything is published, with one
  line naming the file;
- typed Parquet means what it says;
- malformed CSV lines are quarantined with their line number, the rest of
  the file is read;
- the warehouse file itself: locked, in a missing or read-only folder, or
  named after a SQL keyword.
Every closed period stays as published, to the cent.
"""

import os
import shutil
import subprocess
import sys
from datetime import date

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from conftest import (RAW_EXPORTS, build, build_on, closed_payouts, edit_csv, output,
                      published_marts)
from partner_payouts.raw_contract import RAW_TABLES

pytestmark = pytest.mark.dbt

CLI = [sys.executable, "-m", "partner_payouts.cli"]


def damaged(tmp_path, name="raw"):
    return shutil.copytree(RAW_EXPORTS / "commissions", tmp_path / name)


def append(path, text):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def rejections(wh, *tables):
    listed = ", ".join(f"'{t}'" for t in tables)
    return wh.rows("select source_table, record_key, reason, rejected_column, source_line "
                   f"from marts.rpt_data_quality_rejections where source_table in ({listed}) "
                   "order by 1, 2, 5")


# ------------------------------------------------------------ plausibility ---

def test_implausible_rows_are_quarantined_and_move_nothing(commission_warehouse, tmp_path):
    """An invoice recorded in 2062 (a year typo: the fixture runs to April
    2025), a payment received before its invoice was issued, and a payout run
    for the year 9999: each is quarantined with its reason; the as-of date
    (15 April 2025), the settlement calendar and the FX days stay as they
    were, and so does every published closed period."""
    raw = damaged(tmp_path)
    append(raw / "invoices.csv",
           "I050,C001,VND-DE,invoice,,2025-04-20,2025-05-04,EUR,2062-04-20T06:00:00Z\n")
    append(raw / "invoice_lines.csv",
           "IL050,I050,K001,CLOUD,recurring,2025-04-20,2025-05-19,1,1000.00,0.00,,"
           "1000.00,190.00\n")
    append(raw / "payments.csv", "PM099,I004,2025-04-01,10.00,2025-04-09T07:00:00Z\n")
    append(raw / "payout_runs.csv", "nws_partner_lead,9999-01-01,9999-03-31,"
                                    "9999-04-10T12:00:00Z\n")
    wh = build_on(commission_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert rejections(wh, "invoices", "invoice_lines", "payments", "payout_runs") == [
        ("invoice_lines", "IL050", "parent_quarantined", "invoice_id", None),
        ("invoices", "I050", "implausible_date", "recorded_at", None),
        ("payments", "PM099", "payment_before_invoice", "received_on", None),
        ("payout_runs", "nws_partner_lead|9999-01-01", "implausible_date", "period_start", None)]
    same = ("select * from intermediate.int_as_of_dates_derived",
            "select count(*), max(period_start) from intermediate.int_settlement_periods_listed",
            "select count(*), max(rate_on) from intermediate.int_fx_rates_filled")
    for query in same:
        assert wh.rows(query) == commission_warehouse.rows(query), query
    assert wh.scalar("select as_of_on from intermediate.int_as_of_dates_derived") == \
        date(2025, 4, 15)
    assert closed_payouts(wh) == closed_payouts(commission_warehouse)


# --------------------------------------------------------- broken exports ---

def test_an_empty_transactional_file_stops_the_build(commission_warehouse, tmp_path):
    """invoice_lines.csv with a header and no rows next to 12 invoices: with
    the guard at 10 rows (var empty_table_guard_rows; 100 by default) the
    export is truncated. The build stops before any model, naming the file,
    and the published marts stay as they were. Switched off, it builds."""
    raw = damaged(tmp_path)
    edit_csv(raw / "invoice_lines.csv", lambda lines: lines[:1])
    before = published_marts(commission_warehouse)
    command = ("build", "--exclude-resource-type", "unit_test",
               "--vars", "{empty_table_guard_rows: 10}")
    wh = build_on(commission_warehouse.path, raw, tmp_path / "b", command=command)
    assert wh.result.returncode != 0
    assert (f"Raw file {raw}/invoice_lines.csv has no rows while {raw}/invoices.csv has 10 "
            "or more: the export looks truncated.") in output(wh.result)
    assert published_marts(wh) == before
    off = build_on(commission_warehouse.path, raw, tmp_path / "off",
                   command=command[:-1] + ("{empty_table_guard_rows: 0}",))
    assert off.result.returncode == 0, output(off.result)[-4000:]


def test_a_column_named_twice_stops_the_build(commission_warehouse, tmp_path):
    raw = damaged(tmp_path)
    def twice(lines):
        out = []
        for line in lines:
            fields = line.split(",")
            fields.insert(4, fields[3])  # amount, written twice
            out.append(",".join(fields))
        return out

    edit_csv(raw / "payments.csv", twice)
    wh = build_on(commission_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode != 0
    assert (f"Raw file {raw}/payments.csv names column `amount` twice in its header "
            "(columns 4 and 5)") in output(wh.result)
    assert published_marts(wh) == published_marts(commission_warehouse)


def test_a_missing_folder_stops_the_build(tmp_path):
    wh = build(tmp_path / "no_such_export", tmp_path / "b")
    assert wh.result.returncode != 0
    assert (f"Raw folder {tmp_path}/no_such_export does not exist or holds no files: set "
            "PAYOUTS_RAW_DIR") in output(wh.result)


def typed_parquet(source, target):
    """The CSV export as typed Parquet: dates as dates (issue days as midnight
    timestamps, as some exporters write them), timestamps time-zone aware,
    decimals, integers and booleans typed."""
    import duckdb

    target.mkdir()
    kinds = {
        "date": lambda c: f"cast({c} as date)",
        "timestamp": lambda c: f"cast({c} as timestamptz)",
        "decimal": lambda c: f"cast({c} as decimal(18, 4))",
        "integer": lambda c: f"cast({c} as integer)",
        "boolean": lambda c: f"cast({c} as boolean)",
    }
    from partner_payouts.quality.project import raw_column_types

    types = raw_column_types(RAW_EXPORTS.parents[1])
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        for table, columns in RAW_TABLES.items():
            with open(source / f"{table}.csv", encoding="utf-8") as handle:
                header = handle.readline().strip().split(",")
            projections = []
            for column in (c for c in columns if c in header):  # optional ones may be absent
                kind = types[table][column]
                cast = kinds.get(kind, lambda c: c)(f'"{column}"')
                if column in ("issued_on", "received_on"):
                    cast = f'cast(cast("{column}" as date) as timestamp)'
                projections.append(f'{cast} as "{column}"')
            con.execute(
                f"copy (select {', '.join(projections)} from read_csv('{source / table}.csv', "
                f"all_varchar = true)) to '{target / table}.parquet' (format parquet)")


def test_typed_parquet_means_what_it_says(commission_warehouse, tmp_path):
    """The commission fixture as typed Parquet builds the same marts as the
    CSV files (before, a timestamp in a date column quarantined every row)."""
    typed_parquet(RAW_EXPORTS / "commissions", tmp_path / "typed")
    schema = pq.read_schema(tmp_path / "typed" / "invoices.parquet")
    assert schema.field("issued_on").type == pa.timestamp("us")
    wh = build(tmp_path / "typed", tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    got, expected = published_marts(wh), published_marts(commission_warehouse)
    assert wh.scalar("select count(*) from marts.rpt_data_quality_rejections") == 0
    for mart in expected:
        assert got[mart] == expected[mart], mart


# ------------------------------------------------------ malformed CSV lines ---

def test_malformed_lines_are_quarantined_and_the_rest_is_read(commission_warehouse, tmp_path):
    """payments.csv gets, after its 8 rows (lines 2-9): line 10 with a field
    too many, line 11 with two fields, line 12 whose quote is never closed,
    then line 13, a good payment of March's NetSource invoice (I012, 1,060
    gross). By RFC 4180 the open quote would swallow line 13; it is read on
    its own, so March's line is paid in full. Rows in (12 lines after the
    header) = 9 staged + 3 quarantined."""
    raw = damaged(tmp_path)
    append(raw / "payments.csv",
           "PM090,I012,2025-03-28,1060.00,2025-03-28T07:00:00Z,oops\n"
           "PM091,I012\n"
           'PM092,"I012,2025-03-28,1060.00,2025-03-28T07:00:00Z\n'
           "PM093,I012,2025-03-28,1060.00,2025-03-28T07:00:00Z\n")
    wh = build_on(commission_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert wh.rows("select source_file, source_line, reason, raw_record "
                   "from marts.rpt_data_quality_rejections order by 2") == [
        (f"{raw}/payments.csv", 10, "csv_too_many_fields",
         '{"line_number":10,"line_text":"PM090,I012,2025-03-28,1060.00,'
         '2025-03-28T07:00:00Z,oops"}'),
        (f"{raw}/payments.csv", 11, "csv_too_few_fields",
         '{"line_number":11,"line_text":"PM091,I012"}'),
        (f"{raw}/payments.csv", 12, "csv_unterminated_quote",
         '{"line_number":12,"line_text":"PM092,\\"I012,2025-03-28,1060.00,'
         '2025-03-28T07:00:00Z"}')]
    lines_in = len((raw / "payments.csv").read_text(encoding="utf-8").splitlines()) - 1
    staged = wh.scalar("select count(*) from staging.stg_billing__payments")
    assert (lines_in, staged) == (12, 9)
    assert wh.rows("select payment_id from staging.stg_billing__payments "
                   "where payment_id = 'PM093'") == [("PM093",)]
    # NetSource, March (closed, published without IL013): the invoice is now
    # paid in full on 28 March, so 100.00 is booked into April, the first
    # period open now; March stays as published.
    assert closed_payouts(wh) == closed_payouts(commission_warehouse)
    assert wh.rows("select adjustment_amount from marts.fct_partner_payouts "
                   "where agreement_id = 'A002' and period_start = '2025-04-01'") == [(100,)]


def test_a_file_that_is_not_utf8_stops_the_build_naming_the_line(tmp_path):
    raw = damaged(tmp_path)
    with open(raw / "payments.csv", "ab") as handle:
        handle.write(b"PM090,I012,2025-03-28,\xff\xfe10,2025-03-28T07:00:00Z\n")
    wh = build(raw, tmp_path / "b")
    assert wh.result.returncode != 0
    assert (f"Raw file {raw}/payments.csv cannot be read from line 10: it is not UTF-8 text; "
            "export it again as UTF-8.") in output(wh.result)


# ------------------------------------------------------------ the warehouse ---

def run_cli(*args):
    command = [*CLI, *args]
    return subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(RAW_EXPORTS.parents[2] / "src")})


def test_a_locked_warehouse_gets_one_clear_line(commission_warehouse, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(commission_warehouse.path, copy)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
        "print('open', flush=True); time.sleep(60)"), str(copy)], stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        for command in (("check-warehouse", "--warehouse", str(copy)),
                        ("validate", "--warehouse", str(copy), "--no-docs")):
            result = run_cli(*command)
            assert result.returncode == 2
            assert result.stdout == ""
            (line,) = result.stderr.splitlines()
            assert line.startswith(
                f"Warehouse {copy} is in use by another process (PID {holder.pid}, ")
            assert line.endswith(
                "): close the program holding it (a BI tool or notebook: let it read the "
                "published snapshot, `partner-payouts publish`) and run again.")
    finally:
        holder.kill()
        holder.wait()


def test_a_missing_or_read_only_warehouse_folder_gets_one_clear_line(tmp_path):
    missing = run_cli("check-warehouse", "--warehouse", str(tmp_path / "nowhere" / "w.duckdb"))
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        f"Warehouse folder {tmp_path}/nowhere does not exist: create it (mkdir -p "
        f"{tmp_path}/nowhere) or point PAYOUTS_DUCKDB_PATH at a file in an existing folder."]
    folder = tmp_path / "read_only"
    folder.mkdir()
    # Mode bits do not stop root: as root, the folder is made immutable.
    made_immutable = os.geteuid() == 0 and subprocess.run(
        ["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    if not made_immutable:
        folder.chmod(0o555)
    try:
        result = run_cli("check-warehouse", "--warehouse", str(folder / "w.duckdb"))
    finally:
        if made_immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"Warehouse {folder}/w.duckdb is read-only for this user: run as its owner, or point "
        "PAYOUTS_DUCKDB_PATH at a writable folder."]


def test_a_warehouse_named_after_a_sql_keyword_passes_the_unit_tests(tmp_path):
    """`full.duckdb`: DuckDB names the catalog `full`, a SQL keyword."""
    from conftest import run_dbt

    result = run_dbt(["build"], RAW_EXPORTS / "commissions",
                     tmp_path / "full.duckdb", tmp_path)
    assert result.returncode == 0, output(result)[-4000:]
    assert "unit test" in output(result)
