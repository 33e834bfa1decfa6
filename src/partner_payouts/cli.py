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
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
