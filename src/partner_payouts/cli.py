"""Command-line interface: `partner-payouts <command>`."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="partner-payouts")
    parser.add_subparsers(dest="command", required=True)
    parser.parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
