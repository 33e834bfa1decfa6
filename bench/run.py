"""`make bench` (README, "Performance"): the build against the engine's floor.

A benchmark, not a test: it prints wall time, peak memory (the largest
resident set of the command's processes) and each step's ratio to the
floor query measured in the same run, and writes them to
`.bench/scale<N>/results.csv`. Steps:

1. the demo export at the scale (Parquet), generated unless it exists;
2. the floor: `bench/floor.sql` on DuckDB over the raw files;
3. a full `dbt build` (every test) into a fresh warehouse;
4. `partner-payouts validate` on it;
5. the next day's export (`partner-payouts next-day`: one more day of
   documents, payments and late corrections);
6. the nightly `dbt build` of that export on the warehouse of step 3,
   without the unit tests, as the nightly run does (DECISIONLOG D77).

Every command runs in its own process under a small wrapper that reports
the process tree's peak resident memory (`getrusage` of its children).
"""

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLOOR_SQL = REPO / "bench" / "floor.sql"

# Runs argv[1:] and prints, as its last stderr line, the peak resident set
# of that command's process tree in KiB (Linux reports ru_maxrss in KiB).
WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'BENCH_PEAK_KIB={peak}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measured(argv: list[str], env: dict, log: Path) -> tuple[float, float]:
    """(wall seconds, peak MB) of one command; its output goes to `log`."""
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        result = subprocess.run([sys.executable, "-c", WRAPPER, *argv], env=env, cwd=REPO,
                                stdout=out, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - started
    peaks = re.findall(r"BENCH_PEAK_KIB=(\d+)", result.stderr)
    with open(log, "a", encoding="utf-8") as out:
        out.write(result.stderr)
    if result.returncode != 0:
        sys.exit(f"bench: `{' '.join(argv)}` failed (exit {result.returncode}); see {log}")
    return wall, int(peaks[-1]) / 1024 if peaks else float("nan")


def floor_script(raw: Path) -> str:
    """The floor query with each `{table}` as a reader of its Parquet file."""
    sql = FLOOR_SQL.read_text(encoding="utf-8")
    readers = {name: f"read_parquet('{raw / (name + '.parquet')}')"
               for name in set(re.findall(r"\{(\w+)\}", sql)) - {"table", "commission_terms"}}
    readers["commission_terms"] = (
        f"read_csv('{REPO / 'seeds' / 'program_terms' / 'commission_terms.csv'}', "
        "header = true, all_varchar = true)")
    for name, reader in readers.items():
        sql = sql.replace("{" + name + "}", reader)
    return ("import duckdb, json, time\n"
            "con = duckdb.connect()\n"
            "started = time.monotonic()\n"
            f"rows = con.execute({sql!r}).fetchall()\n"
            "print(f'BENCH_QUERY_SECONDS={time.monotonic() - started}')\n"
            "print(json.dumps([[str(v) for v in row] for row in rows]))\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100,
                        help="demo scale (default 100 = about 1 M invoice lines; 1000 = 10 M)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=None,
                        help="dbt threads (default: the profile's)")
    args = parser.parse_args(argv)

    folder = REPO / ".bench" / f"scale{args.scale:g}"
    raw, logs = folder / "raw", folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO / "profiles"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
           "PAYOUTS_RAW_DIR": str(raw), "PAYOUTS_DUCKDB_PATH": str(folder / "warehouse.duckdb")}
    rows = []

    def step(name, argv, log, extra_env=None):
        wall, peak = measured(argv, {**env, **(extra_env or {})}, logs / log)
        rows.append({"step": name, "seconds": wall, "peak_mb": peak})
        print(f"  {name}: {wall:.1f} s, {peak:.0f} MB", flush=True)

    print(f"bench: scale {args.scale:g} in {folder}", flush=True)
    if not (raw / "invoice_lines.parquet").exists():
        shutil.rmtree(raw, ignore_errors=True)
        step("demo data (Parquet)", [str(BIN / "partner-payouts"), "demo-data", "--out", str(raw),
                                     "--scale", str(args.scale), "--seed", str(args.seed),
                                     "--format", "parquet"], "demo_data.log")
    step("floor query (DuckDB, process)", [sys.executable, "-c", floor_script(raw)], "floor.log")
    # The ratios' denominator: the query alone, without starting Python.
    floor = float(re.findall(r"BENCH_QUERY_SECONDS=([0-9.]+)",
                             (logs / "floor.log").read_text(encoding="utf-8"))[-1])
    for stale in folder.glob("warehouse.duckdb*"):
        stale.unlink()
    threads = ["--threads", str(args.threads)] if args.threads else []
    step("dbt build, full (every test)",
         [str(BIN / "dbt"), "build", *threads, "--target-path", str(folder / "target"),
          "--log-path", str(logs)], "build_full.log")
    step("partner-payouts validate",
         [str(BIN / "partner-payouts"), "validate", "--warehouse",
          str(folder / "warehouse.duckdb"), "--no-docs"], "validate.log")
    # The nightly run: the next day's export, built on the warehouse above.
    following = folder / "raw_next_day"
    shutil.rmtree(following, ignore_errors=True)
    step("next day's export", [str(BIN / "partner-payouts"), "next-day", "--from", str(raw),
                                "--out", str(following), "--seed", str(args.seed)],
         "next_day.log")
    step("dbt build, next day (no unit tests)",
         [str(BIN / "dbt"), "build", "--exclude-resource-type", "unit_test", *threads,
          "--target-path", str(folder / "target_next"), "--log-path", str(logs)],
         "build_next_day.log", {"PAYOUTS_RAW_DIR": str(following)})

    with open(folder / "results.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["step", "seconds", "peak_mb", "ratio_to_floor"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "seconds": f"{row['seconds']:.1f}",
                             "peak_mb": f"{row['peak_mb']:.0f}",
                             "ratio_to_floor": f"{row['seconds'] / floor:.1f}"})
    slowest = []
    run_results = folder / "target" / "run_results.json"
    if run_results.exists():
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
        slowest = sorted(results, key=lambda r: -r["execution_time"])[:10]

    limit = os.environ.get("PAYOUTS_DUCKDB_MEMORY_LIMIT") or "the profile's default"
    print(f"\nscale {args.scale:g}, {os.cpu_count()} cores, DuckDB memory_limit {limit} "
          f"(floor: {floor:.2f} s)\n")
    print(f"| {'step':34} | {'wall':>9} | {'peak RSS':>9} | {'x floor':>8} |")
    print(f"|{'-' * 36}|{'-' * 11}|{'-' * 11}|{'-' * 10}|")
    for row in rows:
        print(f"| {row['step']:34} | {row['seconds']:7.1f} s | {row['peak_mb']:6.0f} MB "
              f"| {row['seconds'] / floor:8.1f} |")
    if slowest:
        print("\nslowest nodes of the full build (dbt run results):")
        for result in slowest:
            print(f"  {result['execution_time']:7.1f} s  {result['unique_id']}")
    print(f"\nwritten to {folder / 'results.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
