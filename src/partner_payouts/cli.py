"""Command-line interface: `partner-payouts <command>`.

Each command is a thin wrapper around a plain function that the tests call
directly.
"""

import argparse
import sys
from pathlib import Path


def demo_data(args) -> int:
    from partner_payouts.demo.generate import generate

    summary = generate(Path(args.out), scale=args.scale, seed=args.seed, fmt=args.format)
    total = sum(summary.rows.values())
    print(f"Demo export written to {summary.out_dir} ({summary.fmt}, scale {summary.scale:g}, "
          f"seed {summary.seed}): {total:,} rows in {summary.seconds:.1f} s")
    for table, rows in summary.rows.items():
        bad = summary.bad_rows.get(table, 0)
        print(f"  {table:<20} {rows:>12,} rows  ({bad:,} deliberately bad)")
    return 0


def next_day(args) -> int:
    import datetime

    from partner_payouts.demo.next_day import next_day as write_next_day
    from partner_payouts.loader import RawExportError

    source = Path(args.source)
    if not source.is_dir():
        print(f"{source}: no such export folder; give the folder of yesterday's export "
              "(e.g. data/demo, made by `make demo`).", file=sys.stderr)
        return 2
    try:
        day = datetime.date.fromisoformat(args.day) if args.day else None
        result = write_next_day(source, Path(args.out), seed=args.seed, day=day)
    except (ValueError, RawExportError) as error:
        print(f"next-day: {error}", file=sys.stderr)
        return 2
    added = ", ".join(f"{rows:,} {table}" for table, rows in result.rows.items())
    print(f"Export of {result.day} written to {result.out_dir}: {source} plus {added} "
          f"({len(result.late_documents)} late documents, "
          f"{len(result.late_credit_notes)} late credit notes for a closed period)")
    return 0


def validate(args) -> int:
    import os

    from partner_payouts.quality.runner import open_warehouse, summary
    from partner_payouts.quality.runner import validate as run_validation
    from partner_payouts.warehouse import WarehouseError

    if args.target == "postgres" and args.warehouse:
        print("--warehouse names a DuckDB file; with --target postgres the database comes "
              "from PAYOUTS_PG_HOST, PAYOUTS_PG_PORT, PAYOUTS_PG_USER, PAYOUTS_PG_PASSWORD "
              "and PAYOUTS_PG_DBNAME.", file=sys.stderr)
        return 2
    path = Path(args.warehouse or os.environ.get(
        "PAYOUTS_DUCKDB_PATH", "warehouse/partner_payouts.duckdb"))
    try:
        warehouse = open_warehouse(args.target, path)
    except WarehouseError as error:
        print(error, file=sys.stderr)
        return 2
    docs = None if args.no_docs else Path(args.docs_dir)
    try:
        outcome = run_validation(warehouse, Path(args.project_dir), docs)
    finally:
        warehouse.close()
    print(summary(outcome, warehouse))
    return 0 if outcome.success else 1


def coverage(args) -> int:
    import os

    from partner_payouts.quality.coverage import check

    warehouse = Path(args.warehouse or os.environ.get(
        "PAYOUTS_DUCKDB_PATH", "warehouse/partner_payouts.duckdb"))
    problems = check(Path(args.manifest), warehouse)
    for problem in problems:
        print(f"  MISSING  {problem}")
    print(f"dbt coverage: {len(problems)} problem(s) in {args.manifest}.")
    return 1 if problems else 0


def load_raw(args) -> int:
    from partner_payouts.loader import RawExportError
    from partner_payouts.loader import load_raw as run_load

    try:
        summary = run_load(Path(args.raw_dir), schema=args.schema, host=args.host,
                           port=args.port, user=args.user, dbname=args.dbname)
    except RawExportError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Raw export {args.raw_dir} loaded into schema {summary.schema}: "
          f"{sum(summary.rows.values()):,} rows, {summary.malformed_lines:,} malformed "
          "CSV line(s) set aside for the quarantine")
    for table, rows in summary.rows.items():
        print(f"  {table:<20} {rows:>12,} rows  ({summary.files[table].name})")
    return 0


def statements(args) -> int:
    from partner_payouts.statements.render import render
    from partner_payouts.warehouse import WarehouseError, connect_read_only

    try:
        con = connect_read_only(Path(args.warehouse))
    except WarehouseError as error:
        print(error, file=sys.stderr)
        return 2
    with con:
        tables = {t for (t,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts'").fetchall()}
        if "rpt_partner_statements" not in tables:
            print(f"Warehouse {args.warehouse} has no published statements "
                  "(marts.rpt_partner_statements): run a dbt build first.", file=sys.stderr)
            return 2
        print(f"Rendering partner statements from {args.warehouse} into {args.out}",
              file=sys.stderr)
        summary = render(con, Path(args.out), agreement=args.agreement,
                         period_start=args.period_start, with_pdf=not args.no_pdf)
    per_thousand = summary.seconds / summary.statements * 1000 if summary.statements else 0
    print(f"{summary.statements:,} statement(s) written to {summary.out_dir} in "
          f"{summary.seconds:.1f} s ({per_thousand:.0f} s per 1,000); "
          f"{len(summary.payouts):,} positive payout(s) in {summary.out_dir / 'payouts.csv'}")
    for currency, total in sorted(summary.totals.items()):
        print(f"  total to pay  {currency}  {total:>16,.2f}")
    if summary.statements == 0:
        print("No statement matches the selection.", file=sys.stderr)
    return 0


def publish(args) -> int:
    import os

    from partner_payouts.snapshot import SnapshotError, snapshot_dir
    from partner_payouts.snapshot import publish as run_publish
    from partner_payouts.warehouse import WarehouseError

    warehouse = Path(args.warehouse or os.environ.get(
        "PAYOUTS_DUCKDB_PATH", "warehouse/partner_payouts.duckdb"))
    out = Path(args.out) if args.out else snapshot_dir()
    try:
        summary = run_publish(warehouse, out)
    except (SnapshotError, WarehouseError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Published {len(summary.marts)} marts ({sum(summary.marts.values()):,} rows) from "
          f"{warehouse} to {out} -> {summary.version_dir.name} in "
          f"{summary.seconds:.1f} s; {len(summary.removed)} old version(s) removed")
    for mart, rows in summary.marts.items():
        print(f"  {mart:<36} {rows:>12,} rows")
    return 0


def check_warehouse(args) -> int:
    import os

    from partner_payouts.warehouse import WarehouseError, check_writable

    path = Path(args.warehouse or os.environ.get(
        "PAYOUTS_DUCKDB_PATH", "warehouse/partner_payouts.duckdb"))
    try:
        check_writable(path)
    except WarehouseError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partner-payouts",
        description="Tools around the partner_payouts dbt warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo-data", help="write a deterministic demo raw export (all 13 contract tables)")
    demo.add_argument("--out", required=True, help="folder to write the files to")
    demo.add_argument("--scale", type=float, default=1.0,
                      help="1 = about 10,000 invoice lines; grows linearly (default 1)")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument("--format", choices=["csv", "parquet"], default=None,
                      help="file format (default: csv below scale 100, parquet from 100)")
    demo.set_defaults(handler=demo_data)

    following = commands.add_parser(
        "next-day", help="write the next day's export: an export plus one day of new "
                         "documents, payments and late corrections (README, Demo data)")
    following.add_argument("--from", dest="source", required=True,
                           help="the folder of the previous day's export (kept as it is)")
    following.add_argument("--out", required=True, help="folder to write the new export to")
    following.add_argument("--day", default=None,
                           help="the new day, YYYY-MM-DD (default: the day after the "
                                "export's as-of date)")
    following.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    following.set_defaults(handler=next_day)

    check = commands.add_parser(
        "validate", help="run the Great Expectations suites of the public marts as one "
                         "checkpoint; exit 1 when an expectation fails")
    check.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb",
                       help="the warehouse's engine, as dbt's targets: duckdb (default; the "
                            "file of --warehouse) or postgres (the database of the "
                            "PAYOUTS_PG_* variables, as for dbt and load-raw)")
    check.add_argument("--warehouse", default=None,
                       help="DuckDB file (default: $PAYOUTS_DUCKDB_PATH or "
                            "warehouse/partner_payouts.duckdb); duckdb target only")
    check.add_argument("--project-dir", default=".",
                       help="the dbt project (its yml gives the marts' columns)")
    check.add_argument("--docs-dir", default="gx_data_docs",
                       help="where Data Docs (HTML) are written (default gx_data_docs/)")
    check.add_argument("--no-docs", action="store_true", help="do not write Data Docs")
    check.set_defaults(handler=validate)

    cover = commands.add_parser(
        "coverage", help="fail when a model lacks a description or a primary-key test, a "
                         "public-mart column lacks a description, or a transactional "
                         "source lacks freshness")
    cover.add_argument("--manifest", default="target/manifest.json",
                       help="dbt's manifest (default target/manifest.json)")
    cover.add_argument("--warehouse", default=None,
                       help="DuckDB file whose marts are checked column by column")
    cover.set_defaults(handler=coverage)

    load = commands.add_parser(
        "load-raw", help="copy a raw export (CSV or Parquet files) into the raw schema of a "
                         "PostgreSQL database, for engines that cannot read files")
    load.add_argument("--raw-dir", required=True, help="folder of the raw export")
    load.add_argument("--schema", default="raw", help="target schema (default raw)")
    load.add_argument("--host", default=None, help="default $PAYOUTS_PG_HOST or localhost")
    load.add_argument("--port", type=int, default=None, help="default $PAYOUTS_PG_PORT or 5432")
    load.add_argument("--user", default=None, help="default $PAYOUTS_PG_USER or postgres")
    load.add_argument("--dbname", default=None,
                      help="default $PAYOUTS_PG_DBNAME or partner_payouts "
                           "(password: $PAYOUTS_PG_PASSWORD)")
    load.set_defaults(handler=load_raw)

    render_cmd = commands.add_parser(
        "statements", help="render partner statements (HTML, PDF with lines.csv embedded, "
                           "CSV) and the payout file from the published marts")
    render_cmd.add_argument("--warehouse", required=True,
                            help="DuckDB warehouse (or the published snapshot's file)")
    render_cmd.add_argument("--out", required=True,
                            help="folder: <agreement>/<period_start>/statement.* and "
                                 "payouts.csv")
    render_cmd.add_argument("--agreement", default=None, help="only this agreement")
    render_cmd.add_argument("--period-start", default=None,
                            help="only this settlement period (YYYY-MM-DD)")
    render_cmd.add_argument("--no-pdf", action="store_true",
                            help="HTML and CSV only (faster)")
    render_cmd.set_defaults(handler=statements)

    snapshot = commands.add_parser(
        "publish", help="write the published marts as a read-only snapshot for readers: "
                        "<out>/<mart>.parquet and <out>/partner_payouts.duckdb (views), "
                        "swapped in atomically")
    snapshot.add_argument("--warehouse", default=None,
                          help="DuckDB file (default: $PAYOUTS_DUCKDB_PATH or "
                               "warehouse/partner_payouts.duckdb); opened read-only")
    snapshot.add_argument("--out", default=None,
                          help="the snapshot: a symbolic link to <out>.<timestamp>/, "
                               "replaced in one step (default: $PAYOUTS_SNAPSHOT_DIR or "
                               "published)")
    snapshot.set_defaults(handler=publish)

    preflight = commands.add_parser(
        "check-warehouse", help="check that a build can write the warehouse file (its folder "
                                "exists and is writable, no other process holds it); one line "
                                "and exit 2 when not")
    preflight.add_argument("--warehouse", default=None,
                           help="DuckDB file (default: $PAYOUTS_DUCKDB_PATH or "
                                "warehouse/partner_payouts.duckdb)")
    preflight.set_defaults(handler=check_warehouse)

    for action, text in (("up", "start a local Spark Thrift server for the `spark` target "
                                "(tables under $PAYOUTS_SPARK_WAREHOUSE, default "
                                "warehouse/spark; port $PAYOUTS_SPARK_PORT, default 10000)"),
                         ("down", "stop the local Spark Thrift server (the tables stay)")):
        spark = commands.add_parser(f"spark-{action}", help=text)
        spark.set_defaults(handler=lambda args, action=action: spark_server(action))
    return parser


def spark_server(action: str) -> int:
    from partner_payouts.spark import main as run

    return run(action)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
