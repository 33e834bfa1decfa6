"""The same models on Spark, unchanged (README, "Run it on Spark").

A local Spark Thrift server (the `spark_server` fixture: what `make
spark-up` starts) reads each export where it lies, through the `spark__`
version of the raw-export hook; the profile's `spark` target builds every
model, seed and data test (the unit tests too, in the commission fixture's
build), and every staging model, public mart and the time spine is compared,
row for row and value for value, with the DuckDB build of the same export.
Each build starts from an empty Spark warehouse.
"""

import datetime
import shutil

import duckdb
import pytest

from conftest import RAW_EXPORTS, assert_same_rows, output, run_dbt

pytestmark = [pytest.mark.dbt, pytest.mark.spark]


def spark_env(server) -> dict:
    return {"PAYOUTS_SPARK_PORT": str(server.port)}


def connect(server):
    from pyhive import hive

    return hive.connect(host="127.0.0.1", port=server.port, configuration={
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.decimalOperations.allowPrecisionLoss": "false"})


def empty_warehouse(server):
    """Drop every schema a build made (tables are managed: their files go too)."""
    con = connect(server)
    cur = con.cursor()
    cur.execute("show schemas")
    for (schema,) in cur.fetchall():
        if schema != "default":
            cur.execute(f"drop schema {schema} cascade")
    con.close()


def build_on_spark(server, raw_dir, tmp, unit_tests=False, command=("build",)):
    empty_warehouse(server)
    skip = [] if unit_tests else ["--exclude-resource-type", "unit_test"]
    return run_dbt([*command, "--target", "spark",
                    *(skip if command == ("build",) else [])],
                   raw_dir, tmp / "unused.duckdb", tmp, extra_env=spark_env(server))


def comparable(value):
    """Spark's driver returns dates as ISO text; DuckDB returns dates.
    Decimals compare by value (every digit), whatever their scale."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def assert_same_rows_on_spark(duckdb_warehouse, server):
    con = connect(server)
    cur = con.cursor()

    def fetch(query):
        cur.execute(query)
        return cur.fetchall()

    try:
        return assert_same_rows(duckdb_warehouse, fetch, comparable)
    finally:
        con.close()


@pytest.mark.parametrize("fixture_name", ["clean", "bad_rows", "commissions", "resellers"])
def test_fixture_export_builds_identically_on_spark(
        fixture_name, request, spark_server, tmp_path):
    duckdb_warehouse = request.getfixturevalue(
        {"clean": "clean_warehouse", "bad_rows": "bad_rows_warehouse",
         "commissions": "commission_warehouse",
         "resellers": "reseller_warehouse"}[fixture_name])
    # The documented command, unit tests included, once.
    result = build_on_spark(spark_server, RAW_EXPORTS / fixture_name, tmp_path,
                            unit_tests=fixture_name == "commissions")
    assert result.returncode == 0, output(result)[-4000:]
    assert "PUBLISHED: 12 public marts" in result.stdout
    # 28 staging models (base + staged, the export frame, the malformed lines),
    # the 12 public marts and the semantic layer's time spine.
    assert assert_same_rows_on_spark(duckdb_warehouse, spark_server) == 41


def test_demo_export_builds_identically_on_spark(demo_warehouse, spark_server, tmp_path):
    result = build_on_spark(spark_server, demo_warehouse.raw_dir.resolve(), tmp_path)
    assert result.returncode == 0, output(result)[-4000:]
    assert assert_same_rows_on_spark(demo_warehouse, spark_server) == 41
    # ...and the comparison is not vacuous: the marts hold the demo's rows,
    # and malformed CSV lines were read and set aside as on DuckDB.
    con = connect(spark_server)
    cur = con.cursor()
    cur.execute("select count(*), count(distinct program_code) from marts.fct_commission_lines")
    lines, programs = cur.fetchone()
    cur.execute("select count(*) from staging.stg_export__malformed_lines")
    (malformed,) = cur.fetchone()
    con.close()
    assert lines > 1000 and programs == 4
    assert malformed == demo_warehouse.scalar(
        "select count(*) from staging.stg_export__malformed_lines") > 0
    # The published marts are Parquet in Spark's layout under the warehouse
    # folder, readable without Spark.
    files = f"{spark_server.warehouse}/marts.db/fct_commission_lines/*.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"select count(*) from '{files}'").fetchone()[0] == lines


def register(raw_dir, tmp, target_args, extra_env=None):
    tmp.mkdir(parents=True, exist_ok=True)
    return run_dbt(["run-operation", "register_raw_export", *target_args],
                   raw_dir, tmp / "export.duckdb", tmp, extra_env=extra_env)


def message(result):
    return next(line.strip() for line in output(result).splitlines()
                if "Raw file" in line or "Raw folder" in line)


@pytest.mark.parametrize("damage", ["missing_file", "missing_column", "both_formats",
                                    "missing_folder"])
def test_a_broken_export_stops_spark_with_duckdbs_message(
        damage, spark_server, copy_export, tmp_path):
    """The raw-export checks say the same one line on Spark as on DuckDB."""
    export = copy_export("commissions")
    if damage == "missing_file":
        (export / "payments.csv").unlink()
    elif damage == "missing_column":
        lines = (export / "invoices.csv").read_text(encoding="utf-8").splitlines()
        lines[0] = lines[0].replace("currency", "Currency")
        (export / "invoices.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif damage == "both_formats":
        with duckdb.connect() as con:
            con.execute(f"copy (select * from read_csv('{export}/products.csv')) "
                        f"to '{export}/products.parquet' (format parquet)")
    else:
        shutil.rmtree(export)
    on_duckdb = register(export, tmp_path / "duckdb", [])
    on_spark = register(export, tmp_path / "spark", ["--target", "spark"],
                        extra_env=spark_env(spark_server))
    assert on_duckdb.returncode != 0 and on_spark.returncode != 0
    assert message(on_spark) == message(on_duckdb)
    assert "Traceback" not in output(on_spark)


def test_typed_parquet_reads_as_the_same_raw_text_on_spark(
        spark_server, tmp_path):
    """A typed Parquet export (dates, time-zone-aware timestamps, decimals,
    integers, booleans) registers as the same raw text on Spark as on
    DuckDB, column by column."""
    from test_damaged_exports import typed_parquet

    export = tmp_path / "typed"
    typed_parquet(RAW_EXPORTS / "commissions", export)
    empty_warehouse(spark_server)
    on_duckdb = register(export, tmp_path / "duckdb", [])
    on_spark = register(export, tmp_path / "spark", ["--target", "spark"],
                        extra_env=spark_env(spark_server))
    assert on_duckdb.returncode == 0 and on_spark.returncode == 0, output(on_spark)[-3000:]
    con = connect(spark_server)
    cur = con.cursor()
    compared = 0
    with duckdb.connect(str(tmp_path / "duckdb" / "export.duckdb"), read_only=True) as duck:
        tables = [t for (t,) in duck.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_name not in ('export_files', 'malformed_lines')").fetchall()]
        for table in tables:
            expected = sorted(duck.execute(f"select * from raw.{table}").fetchall(), key=repr)
            cur.execute(f"select * from raw.{table}")
            assert sorted(cur.fetchall(), key=repr) == expected, table
            compared += 1
    con.close()
    assert compared == 13
