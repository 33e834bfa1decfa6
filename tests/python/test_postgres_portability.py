"""The same models on PostgreSQL, unchanged.

Each export is loaded with `partner-payouts load-raw` into a fresh database
of a throw-away PostgreSQL server, built with the profile's `postgres`
target (every model, seed and data test; unit tests are engine-independent
and run in the DuckDB build), and every staging model, public mart and the
time spine is compared, row for row and value for value, with the DuckDB
build of the same export.
`partner-payouts validate --target postgres` checks the PostgreSQL build as
it checks the DuckDB one.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import (REPO, RAW_EXPORTS, assert_same_rows, compared_relations, output,
                      run_dbt)
from partner_payouts.loader import load_raw

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]


def create_bi_role(server):
    """The BI login of the project's default var `bi_roles` (roles belong to
    the server, not to one database)."""
    con = server.connect()
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = 'payouts_bi'")
        if cur.fetchone() is None:
            cur.execute("create role payouts_bi login")
    con.close()


def build_on_postgres(server, raw_dir, name, tmp, unit_tests=False):
    """Load and build an export into a new database (with `unit_tests`: the
    README's command as written, unit tests included)."""
    server.create_database(name)
    create_bi_role(server)
    load_raw(raw_dir, host=server.host, port=server.port, user=server.user, dbname=name)
    skip = [] if unit_tests else ["--exclude-resource-type", "unit_test"]
    result = run_dbt(["build", "--target", "postgres", *skip],
                     raw_dir, tmp / "unused.duckdb", tmp, extra_env=server.env(name))
    assert result.returncode == 0, output(result)[-4000:]
    return result


@pytest.fixture(scope="session")
def postgres_build(postgres_server, tmp_path_factory):
    """Build a fixture export on the server once per session, into a
    database named after it; returns the database's name."""
    built = set()

    def _build(name: str) -> str:
        if name not in built:
            build_on_postgres(postgres_server, RAW_EXPORTS / name, name,
                              tmp_path_factory.mktemp(f"postgres_{name}"))
            built.add(name)
        return name

    return _build


def assert_same_rows_on_postgres(duckdb_warehouse, server, dbname):
    con = server.connect(dbname)

    def fetch(query):
        with con.cursor() as cur:
            cur.execute(query)
            return cur.fetchall()

    try:
        return assert_same_rows(duckdb_warehouse, fetch)
    finally:
        con.close()


@pytest.mark.parametrize("fixture_name", ["clean", "bad_rows", "commissions", "resellers"])
def test_fixture_export_builds_identically_on_postgres(
        fixture_name, request, postgres_server, postgres_build):
    duckdb_warehouse = request.getfixturevalue(
        {"clean": "clean_warehouse", "bad_rows": "bad_rows_warehouse",
         "commissions": "commission_warehouse",
         "resellers": "reseller_warehouse"}[fixture_name])
    postgres_build(fixture_name)
    # 28 staging models (base + staged, the export frame, the malformed lines),
    # the 12 public marts and the semantic layer's time spine.
    assert assert_same_rows_on_postgres(duckdb_warehouse, postgres_server, fixture_name) == 41


def test_demo_export_builds_identically_on_postgres(demo_warehouse, postgres_server, tmp_path):
    build_on_postgres(postgres_server, demo_warehouse.raw_dir, "demo", tmp_path)
    assert assert_same_rows_on_postgres(demo_warehouse, postgres_server, "demo") == 41
    # ...and the comparison is not vacuous: the marts hold the demo's rows.
    con = postgres_server.connect("demo")
    with con.cursor() as cur:
        cur.execute("select count(*), count(distinct program_code) "
                    "from marts.fct_commission_lines")
        lines, programs = cur.fetchone()
    con.close()
    assert lines > 1000 and programs == 4


def test_the_bi_role_reads_the_marts_and_nothing_else(
        commission_warehouse, postgres_server, tmp_path):
    """The documented command, unit tests included, on the commission
    fixture; then, logged in as `payouts_bi`: every public mart answers,
    every other schema is refused (staging with the lead contacts, raw, the
    audited marts, reference, intermediate)."""
    import psycopg2

    build_on_postgres(postgres_server, RAW_EXPORTS / "commissions", "grants", tmp_path,
                      unit_tests=True)
    marts = [table for schema, table in compared_relations(commission_warehouse)
             if schema == "marts"]
    assert len(marts) == 12
    con = psycopg2.connect(host=postgres_server.host, port=postgres_server.port,
                           user="payouts_bi", dbname="grants")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            for mart in marts:
                cur.execute(f"select count(*) from marts.{mart}")
                assert cur.fetchone()[0] >= 0
            cur.execute("select count(*) from marts.fct_partner_payouts")
            assert cur.fetchone()[0] == commission_warehouse.scalar(
                "select count(*) from marts.fct_partner_payouts") > 0
            for relation in ("staging.stg_partner_crm__lead_contacts",
                             "staging.stg_billing__invoices", "raw.lead_contacts",
                             "marts_audit.fct_partner_payouts", "reference.programs",
                             "intermediate.int_commission_lines_evaluated",
                             "publishing.closed_periods"):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(f"select 1 from {relation} limit 1")
    finally:
        con.close()


def test_a_missing_bi_role_stops_the_build_with_one_line(postgres_server, tmp_path):
    postgres_server.create_database("roles")
    result = run_dbt(["build", "--target", "postgres", "--vars", "{bi_roles: [no_such_role]}"],
                     RAW_EXPORTS / "commissions", tmp_path / "unused.duckdb", tmp_path,
                     extra_env=postgres_server.env("roles"))
    assert result.returncode != 0
    assert ("var bi_roles: role(s) no_such_role do not exist on" in output(result)
            and "create them (create role no_such_role nologin)" in output(result))


def validate_on_postgres(server, dbname):
    return subprocess.run(
        [str(Path(sys.executable).with_name("partner-payouts")), "validate",
         "--target", "postgres", "--no-docs"],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, **server.env(dbname)})


def test_validate_checks_the_postgres_build(postgres_server, postgres_build):
    """`validate --target postgres` passes on the PostgreSQL build of the
    commission fixture (the same expectations as on DuckDB), and fails on a corrupted copy naming each broken expectation;
    each corruption runs one of the portable queries (the statement
    cross-check, the rate as of the period's last day, the month arithmetic,
    the catalog's text columns, JSON)."""
    source = postgres_build("commissions")
    result = validate_on_postgres(postgres_server, source)
    assert result.returncode == 0, output(result)
    assert (f"on PostgreSQL at {postgres_server.host}:{postgres_server.port}, database "
            f"{source}") in result.stdout
    assert "72 of 72 expectations met" in result.stdout
    assert "Result: PASSED" in result.stdout

    con = postgres_server.connect()
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("drop database if exists corrupted")
        cur.execute(f'create database corrupted template "{source}"')
    con.close()
    con = postgres_server.connect("corrupted")
    with con, con.cursor() as cur:
        # A negative payout (NWS Q1 of the fixture).
        cur.execute("update marts.fct_partner_payouts set payout_amount = -450 "
                    "where agreement_id = 'A001' and period_start = '2025-01-01'")
        # A NetSource line converted to USD at another rate.
        cur.execute("update marts.fct_commission_lines "
                    "set commission_amount_payout_currency = 105 "
                    "where invoice_line_id = 'IL014' and agreement_id = 'A002'")
        cur.execute("delete from marts.rpt_partner_benefits_monthly "
                    "where agreement_id = 'A001' and month_start = '2025-02-01'")
        cur.execute("update marts.rpt_lead_registry set sales_account_owner = upper(("
                    "select email from staging.stg_partner_crm__lead_contacts limit 1))")
        cur.execute(
            "insert into marts.rpt_data_quality_rejections (rejection_id, source_table, "
            "record_key, reason, rejected_column, raw_record) values ('x', 'lead_contacts', "
            "'K9', 'unknown_reference', 'lead_id', "
            "'{\"contact_id\":\"K9\",\"full_name\":\"Jane Doe\",\"email\":null}')")
    con.close()
    result = validate_on_postgres(postgres_server, "corrupted")
    assert result.returncode == 1, output(result)
    failed = [line for line in result.stdout.splitlines() if "FAILED " in line]
    for name in ["rpt_partner_statements: a statement shows its payout row's payout",
                 "fct_commission_lines: a payable line's payout-currency amount is its "
                 "commission converted",
                 "rpt_partner_benefits_monthly: an agreement's months follow each other",
                 "marts_personal_values: no lead contact's e-mail address appears",
                 "rpt_data_quality_rejections: a quarantined row's original values hold no "
                 "contact name"]:
        assert any(name in line for line in failed), (name, result.stdout)
    assert len(failed) == 5, result.stdout
    assert "Result: FAILED" in result.stdout
