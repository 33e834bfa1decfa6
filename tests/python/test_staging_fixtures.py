"""dbt builds on the hand-made raw exports in tests/raw_exports/.

Expected values are worked out by hand from the fixture files and the raw
contract (docs/raw-contract.md).
"""

import csv
from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from conftest import RAW_EXPORTS, build, output
from partner_payouts.raw_contract import RAW_TABLES

pytestmark = pytest.mark.dbt

STAGED = {
    "partners": "stg_partner_crm__partners",
    "partner_agreements": "stg_partner_crm__partner_agreements",
    "customers": "stg_billing__customers",
    "leads": "stg_partner_crm__leads",
    "lead_contacts": "stg_partner_crm__lead_contacts",
    "products": "stg_billing__products",
    "contracts": "stg_billing__contracts",
    "invoices": "stg_billing__invoices",
    "invoice_lines": "stg_billing__invoice_lines",
    "payments": "stg_billing__payments",
    "fx_rates": "stg_billing__fx_rates",
    "tier_grace_periods": "stg_partner_crm__tier_grace_periods",
    "payout_runs": "stg_partner_crm__payout_runs",
}


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- clean ---

def test_clean_export_is_staged_whole(clean_warehouse):
    for table, model in STAGED.items():
        rows_in = len(csv_rows(RAW_EXPORTS / "clean" / f"{table}.csv"))
        assert clean_warehouse.scalar(f"select count(*) from staging.{model}") == rows_in, table
    assert clean_warehouse.scalar("select count(*) from marts.rpt_data_quality_rejections") == 0


def test_a_file_without_an_optional_column_builds(clean_warehouse, reseller_warehouse):
    """partner_agreements.post_payment_approved_on is optional: the clean
    fixture's file lacks it (read as null), the reseller fixture's has it."""
    header = (RAW_EXPORTS / "clean" / "partner_agreements.csv").read_text().splitlines()[0]
    assert "post_payment_approved_on" not in header
    assert clean_warehouse.rows(
        "select count(*), count(post_payment_approved_on) "
        "from staging.stg_partner_crm__partner_agreements") == [(3, 0)]
    assert reseller_warehouse.rows(
        "select agreement_id, post_payment_approved_on "
        "from staging.stg_partner_crm__partner_agreements") == [("A008", date(2025, 4, 1))]


def test_timestamps_with_offsets_are_stored_in_utc(clean_warehouse):
    created = dict(clean_warehouse.rows(
        "select partner_id, created_at from staging.stg_partner_crm__partners"))
    # 2024-01-05T10:00:00+02:00 -> 08:00 UTC; no offset -> read as UTC; a date -> midnight.
    assert created == {
        "P001": datetime(2024, 1, 5, 8, 0),
        "P002": datetime(2024, 2, 1, 9, 30),
        "P003": datetime(2024, 1, 10, 0, 0),
    }
    customer = dict(clean_warehouse.rows(
        "select customer_id, created_at from staging.stg_billing__customers"))
    assert customer["C002"] == datetime(2024, 3, 1, 17, 0)  # 12:00-05:00


def test_codes_are_normalised(clean_warehouse):
    # ' Invoice ' -> 'invoice', 'usd' -> 'USD', 'Approved' -> 'approved',
    # 'MyEngineer_Support' -> 'myengineer_support', 'www.Alpine-Partners.example'
    # -> 'alpine-partners.example', 'de' -> 'DE', 'FALSE' -> false.
    assert clean_warehouse.rows(
        "select document_type, currency from staging.stg_billing__invoices "
        "where invoice_id = 'I002'") == [("invoice", "USD")]
    assert clean_warehouse.rows(
        "select agreement_status, payout_currency from "
        "staging.stg_partner_crm__partner_agreements where agreement_id = 'A002'"
    ) == [("approved", "USD")]
    assert clean_warehouse.scalar(
        "select product_family from staging.stg_billing__products "
        "where product_code = 'MYENG'") == "myengineer_support"
    assert clean_warehouse.rows(
        "select company_domain, country_code from staging.stg_partner_crm__partners "
        "where partner_id = 'P001'") == [("alpine-partners.example", "DE")]
    assert clean_warehouse.scalar(
        "select is_decision_maker_introduced from staging.stg_partner_crm__leads "
        "where lead_id = 'L002'") is False


def test_money_and_rates_are_exact_decimals(clean_warehouse):
    line = clean_warehouse.rows(
        "select list_amount, discount_amount, promo_pct, net_amount, tax_amount, "
        "typeof(net_amount), typeof(promo_pct) "
        "from staging.stg_billing__invoice_lines where invoice_line_id = 'IL005'")[0]
    assert line[:5] == (Decimal("3000"), Decimal("300"), Decimal("0.05"), Decimal("2700"),
                        Decimal("567"))
    assert line[5].startswith("DECIMAL") and line[6].startswith("DECIMAL")
    assert clean_warehouse.scalar(
        "select commission_rate_override from staging.stg_partner_crm__partner_agreements "
        "where agreement_id = 'A002'") == Decimal("0.08")
    assert clean_warehouse.scalar(
        "select units_per_eur from staging.stg_billing__fx_rates "
        "where fx_rate_id = 'USD|2024-03-29'") == Decimal("1.0811")


def test_renamed_and_derived_columns(clean_warehouse):
    assert clean_warehouse.rows(
        "select service_period_starts_on, service_period_ends_on "
        "from staging.stg_billing__invoice_lines where invoice_line_id = 'IL003'"
    ) == [(date(2024, 3, 10), date(2025, 3, 9))]
    assert clean_warehouse.rows(
        "select invoice_id, is_credit_note from staging.stg_billing__invoices "
        "where is_credit_note") == [("I003", True)]
    assert clean_warehouse.rows(
        "select customer_id from staging.stg_billing__customers where is_reseller_account"
    ) == [("C003",)]


def test_parquet_export_stages_the_same_rows(clean_warehouse, tmp_path):
    parquet_dir = tmp_path / "parquet_export"
    parquet_dir.mkdir()
    for table in RAW_TABLES:
        data = pacsv.read_csv(
            RAW_EXPORTS / "clean" / f"{table}.csv",
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in RAW_TABLES[table]},
                strings_can_be_null=True))
        pq.write_table(data, parquet_dir / f"{table}.parquet")
    wh = build(parquet_dir, tmp_path / "build")
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    for model in STAGED.values():
        query = f"select * from staging.{model} order by all"
        assert wh.rows(query) == clean_warehouse.rows(query), model


# ------------------------------------------------------------- bad rows ---

def test_every_bad_row_is_quarantined_with_its_reason(bad_rows_warehouse):
    expected = Counter(
        (r["source_table"], r["record_key"], r["reason"], r["rejected_column"])
        for r in csv_rows(RAW_EXPORTS / "bad_rows" / "expected_rejections.csv"))
    actual = Counter(
        tuple("" if v is None else v for v in row) for row in bad_rows_warehouse.rows(
            "select source_table, record_key, reason, rejected_column "
            "from marts.rpt_data_quality_rejections"))
    assert actual == expected


def test_rows_in_equal_rows_staged_plus_quarantined(bad_rows_warehouse):
    for row in csv_rows(RAW_EXPORTS / "bad_rows" / "expected_staged_counts.csv"):
        table = row["source_table"]
        rows_in = len(csv_rows(RAW_EXPORTS / "bad_rows" / f"{table}.csv"))
        staged = bad_rows_warehouse.scalar(f"select count(*) from staging.{STAGED[table]}")
        quarantined = bad_rows_warehouse.scalar(
            "select count(*) from marts.rpt_data_quality_rejections "
            f"where source_table = '{table}'")
        assert (rows_in, staged, quarantined) == (
            int(row["rows_in"]), int(row["rows_staged"]), int(row["rows_quarantined"])), table


def test_quarantine_keeps_the_original_values(bad_rows_warehouse):
    raw = bad_rows_warehouse.scalar(
        "select raw_record from marts.rpt_data_quality_rejections "
        "where source_table = 'contracts' and record_key = 'K009'")
    assert '"monthly_amount":"1.000,00"' in raw and '"contract_id":"K009"' in raw


def test_exact_copy_is_staged_once(bad_rows_warehouse):
    assert bad_rows_warehouse.scalar(
        "select count(*) from staging.stg_billing__invoices where invoice_id = 'I014'") == 1
    # ...and its line is staged: the invoice has a trusted copy.
    assert bad_rows_warehouse.scalar(
        "select count(*) from staging.stg_billing__invoice_lines "
        "where invoice_line_id = 'IL021'") == 1


def test_source_freshness_reads_only_trusted_rows(bad_rows_warehouse, tmp_path):
    """`dbt source freshness` on the bad-rows export: the quarantined rows
    (unparsable or impossible dates) neither crash it nor count; every
    transactional source gets a verdict from its latest trusted value."""
    import json

    from conftest import run_dbt

    result = run_dbt(["source", "freshness"], RAW_EXPORTS / "bad_rows",
                     bad_rows_warehouse.path, tmp_path)
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    by_table = {r["unique_id"].split(".")[-1]: r for r in results}
    assert set(by_table) == {"contracts", "invoices", "invoice_lines", "payments",
                             "fx_rates", "leads"}, output(result)[-3000:]
    # The fixture is from 2024: stale, but a verdict, never a runtime error.
    assert {r["status"] for r in results} == {"error"}, output(result)[-3000:]
    latest_payment = bad_rows_warehouse.scalar(
        "select max(recorded_at) from staging.stg_billing__payments")
    assert by_table["payments"]["max_loaded_at"].startswith(
        latest_payment.strftime("%Y-%m-%dT%H:%M:%S"))


# -------------------------------------------------------- broken exports ---

def test_missing_contract_column_stops_the_build(tmp_path):
    result = build(RAW_EXPORTS / "missing_column", tmp_path).result
    assert result.returncode != 0
    assert "missing_column/invoices.csv lacks contract column(s): currency" in output(result)


def test_missing_file_stops_the_build(copy_export, tmp_path):
    folder = copy_export("clean")
    (folder / "payments.csv").unlink()
    result = build(folder, tmp_path / "build").result
    assert result.returncode != 0
    assert f"Raw file missing: expected {folder}/payments.csv" in output(result)


@pytest.mark.parametrize("broken", ["payments.parquet", "payments.csv"])
def test_unreadable_file_stops_the_build_naming_it(broken, copy_export, tmp_path):
    folder = copy_export("clean")
    (folder / "payments.csv").unlink()
    if broken.endswith(".parquet"):
        (folder / broken).write_bytes(b"not a parquet file")
    else:  # not UTF-8
        (folder / broken).write_bytes(
            b"payment_id,invoice_id,received_on,amount,recorded_at\n"
            b"PM1,I001,2024-03-01,\xff\xfe10,2024-03-01\n")
    result = build(folder, tmp_path / "build").result
    assert result.returncode != 0
    assert str(folder / broken) in output(result)


def test_csv_and_parquet_of_one_table_stop_the_build(copy_export, tmp_path):
    folder = copy_export("clean")
    pq.write_table(pacsv.read_csv(folder / "fx_rates.csv"), folder / "fx_rates.parquet")
    result = build(folder, tmp_path / "build").result
    assert result.returncode != 0
    assert "holds both fx_rates.csv and fx_rates.parquet" in output(result)


def test_personal_data_never_reaches_a_mart(bad_rows_warehouse):
    """Contact names and emails stay in staging, even for quarantined contacts."""
    contacts = csv_rows(RAW_EXPORTS / "bad_rows" / "lead_contacts.csv")
    secrets = {c["full_name"] for c in contacts} | {c["email"] for c in contacts}
    raw = bad_rows_warehouse.scalar(
        "select raw_record from marts.rpt_data_quality_rejections "
        "where source_table = 'lead_contacts' and record_key = 'K004'")
    assert '"full_name":"<redacted>"' in raw and '"email":"<redacted>"' in raw
    assert '"job_title":"CFO"' in raw
    columns = bad_rows_warehouse.rows(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts'")
    assert not {c for _, c in columns} & {"full_name", "email"}
    for table, column in columns:
        values = bad_rows_warehouse.rows(
            f'select distinct cast("{column}" as varchar) from marts."{table}"')
        leaked = {secret for (value,) in values if value for secret in secrets
                  if secret in value}
        assert not leaked, (table, column, leaked)
