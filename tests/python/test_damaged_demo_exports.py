"""The damage classes of test_damaged_exports.py and test_publishing.py on the
scale-1 demo export, built on a copy of the published demo warehouse (the
session fixture `demo_warehouse`) the way a nightly run meets it.

The demo export itself already carries implausible dates (a recorded_at in
2062, a due date in 2205, payments received in 1925 or before their
invoice, a payout run for 9999) and malformed CSV lines (test_demo_warehouse
checks that they are quarantined with their reasons and line numbers).
"""

import csv
import shutil
from decimal import Decimal

import pytest

from conftest import build, build_on, closed_payouts, edit_csv, output, published_marts

pytestmark = pytest.mark.dbt


def demo_copy(demo_warehouse, tmp_path):
    return shutil.copytree(demo_warehouse.raw_dir, tmp_path / "raw")


def test_a_failing_demo_build_changes_no_published_mart(demo_warehouse, tmp_path):
    raw = demo_copy(demo_warehouse, tmp_path)
    with open(raw / "payout_runs.csv", "a", encoding="utf-8") as runs:
        runs.write("nws_partner_lead,2026-04-01,2026-04-30,2026-05-10T12:00:00Z\n")
    before = published_marts(demo_warehouse)
    wh = build_on(demo_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode != 0
    assert "NOTHING PUBLISHED: 1 node(s) failed (payout_runs_match_settlement_periods" \
        in output(wh.result)
    assert published_marts(wh) == before


def test_corrected_demo_history_is_booked_as_corrections(demo_warehouse, tmp_path):
    """The first payable NWS line of a final (closed and published) quarter
    is damaged in a later export (net = list - discount no longer holds, so
    it is quarantined): its published row stays, and a correction of minus
    its published amount goes to the first NWS quarter open now."""
    line_id, agreement, amount, period = demo_warehouse.rows(
        "select invoice_line_id, agreement_id, commission_amount_payout_currency, "
        "settlement_period_start from marts.fct_commission_lines "
        "where program_code = 'nws_partner_lead' and status = 'payable' and is_final "
        "and not is_correction and commission_amount_payout_currency > 0 "
        "order by settlement_period_start, invoice_line_id limit 1")[0]
    first_open = demo_warehouse.scalar(
        "select min(period_start) from intermediate.int_settlement_periods_listed "
        f"where program_code = 'nws_partner_lead' and closed_at is null "
        f"and period_start > '{period}'")
    raw = demo_copy(demo_warehouse, tmp_path)

    path = raw / "invoice_lines.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    net = records[0].index("net_amount")
    for record in records:
        if record[0] == line_id:
            record[net] = str(Decimal(record[net]) + 5)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records)
    wh = build_on(demo_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert closed_payouts(wh) == closed_payouts(demo_warehouse)
    assert wh.rows(
        "select agreement_id, natural_period_start, settlement_period_start, "
        "commission_amount_payout_currency from marts.fct_commission_lines "
        f"where is_correction and invoice_line_id = '{line_id}'") == [
        (agreement, period, first_open, -amount)]
    assert wh.rows("select reason from marts.rpt_data_quality_rejections "
                   f"where source_table = 'invoice_lines' and record_key = '{line_id}'") == [
        ("net_amount_mismatch",)]


def test_an_empty_demo_file_stops_the_build(demo_warehouse, tmp_path):
    raw = demo_copy(demo_warehouse, tmp_path)
    edit_csv(raw / "payments.csv", lambda lines: lines[:1])
    wh = build_on(demo_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode != 0
    assert (f"Raw file {raw}/payments.csv has no rows while {raw}/invoices.csv has 100 or "
            "more: the export looks truncated.") in output(wh.result)
    assert published_marts(wh) == published_marts(demo_warehouse)


def test_a_demo_header_with_a_column_twice_stops_the_build(demo_warehouse, tmp_path):
    raw = demo_copy(demo_warehouse, tmp_path)
    edit_csv(raw / "customers.csv",
             lambda lines: [lines[0].replace('"legal_entity"', '"customer_name"')] + lines[1:])
    wh = build_on(demo_warehouse.path, raw, tmp_path / "b")
    assert wh.result.returncode != 0
    assert (f"Raw file {raw}/customers.csv names column `customer_name` twice in its header "
            "(columns 2 and 5)") in output(wh.result)
    assert published_marts(wh) == published_marts(demo_warehouse)


def test_demo_invoices_as_typed_parquet(demo_warehouse, tmp_path):
    """invoices as a Parquet file whose issue and due dates are midnight
    timestamps and recorded_at a time-zone-aware timestamp (values that are
    no date, such as 2025-02-29, cannot be typed and are empty): every mart
    is the same as from the CSV file; the same invoices are quarantined."""
    import duckdb

    raw = demo_copy(demo_warehouse, tmp_path)
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        # Read as text first: DuckDB would push the casts into the CSV scan.
        con.execute(f"create table invoices as select * from read_csv("
                    f"'{raw}/invoices.csv', all_varchar = true)")
        con.execute(f"""
            copy (
                select * replace (
                    cast(try_cast(issued_on as date) as timestamp) as issued_on,
                    cast(try_cast(due_on as date) as timestamp) as due_on,
                    try_cast(recorded_at as timestamptz) as recorded_at)
                from invoices
            ) to '{raw}/invoices.parquet' (format parquet)""")
    (raw / "invoices.csv").unlink()
    wh = build(raw, tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    got, expected = published_marts(wh), published_marts(demo_warehouse)
    for mart in expected:
        if mart != "rpt_data_quality_rejections":
            assert got[mart] == expected[mart], mart
    quarantined = ("select record_key from marts.rpt_data_quality_rejections "
                   "where source_table = 'invoices' order by 1")
    assert wh.rows(quarantined) == demo_warehouse.rows(quarantined)


def test_the_next_days_demo_export_builds_on_yesterdays_warehouse(demo_warehouse, tmp_path):
    """The nightly run (README, "Demo data"): the demo export plus one day
    (`partner-payouts next-day`) on a copy of the published warehouse. The
    build passes, closed periods stay as published, and every appended row
    is staged or quarantined with a reason."""
    from partner_payouts.demo.next_day import next_day

    day = next_day(demo_warehouse.raw_dir, tmp_path / "raw")
    wh = build_on(demo_warehouse.path, day.out_dir, tmp_path / "b")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    assert closed_payouts(wh) == closed_payouts(demo_warehouse)
    prefix = day.day.strftime("%Y%m%d")
    for table, key in (("invoices", "invoice_id"), ("invoice_lines", "invoice_line_id"),
                       ("payments", "payment_id")):
        staged = wh.scalar(f"select count(*) from staging.stg_billing__{table} "
                           f"where {key} like '%{prefix}%'")
        rejected = wh.scalar("select count(*) from marts.rpt_data_quality_rejections "
                             f"where source_table = '{table}' and record_key like '%{prefix}%'")
        assert staged + rejected == day.rows[table], table
        assert staged > 0, table
    assert wh.scalar("select count(*) from staging.stg_billing__invoices where document_type = "
                     f"'credit_note' and invoice_id like '%{prefix}%'") == 3
