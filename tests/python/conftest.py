"""Shared helpers: run dbt against a raw folder into a throw-away warehouse."""

import contextlib
import fcntl
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
RAW_EXPORTS = REPO / "tests" / "raw_exports"
DBT = Path(sys.executable).with_name("dbt")


def run_dbt(command: list[str], raw_dir: Path, warehouse: Path, workdir: Path,
            project_dir: Path = REPO, extra_env: dict | None = None):
    """Run a dbt command on `raw_dir` into `warehouse`; artifacts stay in `workdir`.

    dbt runs in the warehouse's folder with the file's bare name as
    PAYOUTS_DUCKDB_PATH, so that every run's profile is the same and starts
    from one parsed project (`_seed_parsed_project`) instead of parsing it
    again (about 10 s of each run).
    """
    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PAYOUTS_RAW_DIR": str(raw_dir),
        "PAYOUTS_DUCKDB_PATH": warehouse.name,
        "DBT_PROFILES_DIR": str(REPO / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        **(extra_env or {}),
    }
    if project_dir == REPO:
        _seed_parsed_project(command, env, workdir / "target")
    return subprocess.run(
        [str(DBT), *command, "--project-dir", str(project_dir),
         "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        cwd=warehouse.parent, env=env, capture_output=True, text=True,
    )


# The folder the pytest workers share (set by the session fixture below).
SHARED = {"root": None}


def shared_root_of(tmp_path_factory) -> Path:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    return root


@pytest.fixture(scope="session", autouse=True)
def shared_root(tmp_path_factory):
    SHARED["root"] = shared_root_of(tmp_path_factory)
    return SHARED["root"]


@contextlib.contextmanager
def run_lock(root: Path, name: str):
    """An exclusive lock, shared by the workers of this run, on `name`."""
    with open(root / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _seed_parsed_project(command: list[str], env: dict, target_path: Path) -> None:
    """Put dbt's partial-parse state of the repository's project, parsed
    once per run for this target and profile, where the run will look for
    it. dbt reuses it only when nothing it depends on differs (project
    files, profile, vars) and parses afresh otherwise, so this only saves
    time."""
    root = SHARED["root"]
    state = target_path / "partial_parse.msgpack"
    if root is None or state.exists():
        return
    target = ["--target", command[command.index("--target") + 1]] if "--target" in command else []
    profile = sorted((k, v) for k, v in env.items()
                     if k.startswith(("PAYOUTS_SPARK", "PAYOUTS_PG", "PAYOUTS_DUCKDB")))
    key = hashlib.sha1(repr((target, profile)).encode()).hexdigest()[:12]
    parsed = root / f"parsed_{key}"
    with run_lock(root, f"parsed_{key}"):
        if not (parsed / "partial_parse.msgpack").exists():
            parsed.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [str(DBT), "parse", *target, "--project-dir", str(REPO),
                 "--target-path", str(parsed), "--log-path", str(parsed)],
                cwd=parsed, env=env, capture_output=True, text=True)
    if (parsed / "partial_parse.msgpack").exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parsed / "partial_parse.msgpack", state)


class Warehouse:
    """A built warehouse, opened read-only for queries."""

    def __init__(self, path: Path, result, raw_dir: Path | None = None):
        self.path = path
        self.result = result
        self.raw_dir = raw_dir

    def rows(self, sql: str):
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def scalar(self, sql: str):
        return self.rows(sql)[0][0]


# Fixture builds skip dbt's unit tests: they do not depend on the raw folder,
# and `make test` runs them in the demo build.
BUILD = ("build", "--exclude-resource-type", "unit_test")


def build(raw_dir: Path, tmp: Path, project_dir: Path = REPO,
          command: tuple[str, ...] = BUILD) -> Warehouse:
    tmp.mkdir(parents=True, exist_ok=True)
    warehouse = tmp / "warehouse.duckdb"
    result = run_dbt(list(command), raw_dir, warehouse, tmp, project_dir=project_dir)
    return Warehouse(warehouse, result, raw_dir)


def build_on(warehouse: Path, raw_dir: Path, tmp: Path,
             command: tuple[str, ...] = BUILD, in_place: bool = False) -> Warehouse:
    """A nightly run: a copy of a built warehouse, built again on `raw_dir`
    (with `in_place`, the file itself: e.g. the one a snapshot came from)."""
    tmp.mkdir(parents=True, exist_ok=True)
    target = warehouse if in_place else tmp / "warehouse.duckdb"
    if not in_place:
        shutil.copyfile(warehouse, target)
    result = run_dbt(list(command), raw_dir, target, tmp)
    return Warehouse(target, result, raw_dir)


def published_marts(wh: Warehouse) -> dict[str, list]:
    """Every published mart's rows (schema marts), sorted: a failed build
    must leave them exactly so."""
    tables = [t for (t,) in wh.rows(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' order by 1")]
    return {t: sorted(wh.rows(f"select * from marts.{t}"), key=repr) for t in tables}


def closed_payouts(wh: Warehouse) -> dict:
    """The published payout rows of closed periods, every column."""
    return {(row[2], row[4]): row for row in wh.rows(
        "select * from marts.fct_partner_payouts where is_closed")}


def edit_csv(path: Path, edit) -> None:
    """Rewrite a CSV file's lines with `edit(lines) -> lines` (header included)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")


def combined_export(tmp: Path, base: str, *extras: str) -> Path:
    """A copy of fixture folder `base` with the rows of each folder in `extras`
    appended to the files of the same name (header lines skipped)."""
    target = tmp / f"{base}_plus_{'_'.join(extras) or 'nothing'}"
    shutil.copytree(RAW_EXPORTS / base, target)
    for extra in extras:
        for path in sorted((RAW_EXPORTS / extra).glob("*.csv")):
            rows = path.read_text(encoding="utf-8").splitlines()[1:]
            with open(target / path.name, "a", encoding="utf-8") as handle:
                handle.write("".join(row + "\n" for row in rows))
    return target


def compared_relations(duckdb_warehouse):
    """What the portability tests compare: every staging model, public mart
    and the time spine."""
    return [(schema, table) for schema, table in duckdb_warehouse.rows(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('staging', 'marts', 'utilities') order by 1, 2")]


def assert_same_rows(duckdb_warehouse, fetch, comparable=lambda value: value) -> int:
    """Every compared relation has the same rows on another engine
    (`fetch(query)` runs a query there) as in the DuckDB build, value for
    value (`comparable` evens out what a driver returns differently).
    Returns how many relations were compared."""
    compared = 0
    for schema, table in compared_relations(duckdb_warehouse):
        columns = [c for (c,) in duckdb_warehouse.rows(
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}' "
            "order by ordinal_position")]
        query = f'select {", ".join(columns)} from {schema}.{table}'
        on_duckdb = sorted((tuple(map(comparable, row))
                            for row in duckdb_warehouse.rows(query)), key=repr)
        elsewhere = sorted((tuple(map(comparable, row)) for row in fetch(query)), key=repr)
        assert len(elsewhere) == len(on_duckdb), (schema, table)
        only_duckdb = set(on_duckdb) - set(elsewhere)
        only_elsewhere = set(elsewhere) - set(on_duckdb)
        assert not only_duckdb and not only_elsewhere, (
            schema, table, sorted(only_duckdb, key=repr)[:3],
            sorted(only_elsewhere, key=repr)[:3])
        compared += 1
    return compared


def output(result) -> str:
    return result.stdout + result.stderr


def shared_build(tmp_path_factory, name: str, make) -> Warehouse:
    """A session fixture's warehouse, built once for the whole run: with
    pytest-xdist (`make pytest` runs two workers) the first worker that needs
    it builds it under a file lock, the others wait and read the same file
    (tests only read it, or copy it: `build_on`)."""
    root = shared_root_of(tmp_path_factory)
    folder, done = root / f"shared_{name}", root / f"shared_{name}.pickle"
    with run_lock(root, f"shared_{name}"):
        if not done.exists():
            wh = make(folder)
            assert wh.result.returncode == 0, output(wh.result)[-4000:]
            done.write_bytes(pickle.dumps(wh))
        return pickle.loads(done.read_bytes())


def chromium() -> str:
    """The headless browser; skipped where it is missing, unless
    PAYOUTS_REQUIRE_BROWSER=1 (as in CI), which makes that a failure."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed (.ci/run installs Debian's chromium)"
        if os.environ.get("PAYOUTS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


def browser(*args, profile):
    """Run headless Chromium once (`--dump-dom`, `--screenshot=...`) with a
    fresh profile folder."""
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


def is_blank(png: Path) -> bool:
    """A screenshot with (almost) nothing drawn: a handful of grey levels,
    or hardly a dark pixel."""
    from PIL import Image

    colours = Image.open(png).convert("L").getcolors(maxcolors=1 << 16) or []
    dark = sum(count for count, level in colours if level < 128)
    return len(colours) <= 10 or dark <= 2000


def assert_not_blank(png: Path, size: tuple[int, int]) -> None:
    from PIL import Image

    assert Image.open(png).size == size
    assert not is_blank(png), f"the screenshot {png} is blank"


@pytest.fixture(scope="session")
def commission_warehouse(tmp_path_factory):
    """The hand-made commission export (tests/raw_exports/commissions), built."""
    return shared_build(tmp_path_factory, "commissions",
                        lambda folder: build(RAW_EXPORTS / "commissions", folder))


@pytest.fixture(scope="session")
def reseller_warehouse(tmp_path_factory):
    """The hand-made reseller export (tests/raw_exports/resellers), built."""
    return shared_build(tmp_path_factory, "resellers",
                        lambda folder: build(RAW_EXPORTS / "resellers", folder))


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory):
    return shared_build(tmp_path_factory, "clean",
                        lambda folder: build(RAW_EXPORTS / "clean", folder))


@pytest.fixture(scope="session")
def bad_rows_warehouse(tmp_path_factory):
    return shared_build(tmp_path_factory, "bad_rows",
                        lambda folder: build(RAW_EXPORTS / "bad_rows", folder))


def build_demo(folder: Path) -> Warehouse:
    """The scale-1 demo export (seed 42), generated and built; `demo` holds
    the generator's own record (e.g. its misbilled lines)."""
    from partner_payouts.demo.generate import generate

    summary = generate(folder / "raw", scale=1, seed=42)
    wh = build(folder / "raw", folder / "build")
    wh.demo = summary
    return wh


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory):
    return shared_build(tmp_path_factory, "demo", build_demo)


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL server (tests/python/postgres_server.py).

    Skipped where the server binaries are missing, unless
    PAYOUTS_REQUIRE_POSTGRES=1 (as in CI), which turns the skip into a failure.
    """
    import postgres_server as pg

    bindir = pg.find_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        if os.environ.get("PAYOUTS_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " and PAYOUTS_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    server = pg.start(bindir)
    yield server
    pg.stop(server)


@pytest.fixture(scope="session")
def spark_server(tmp_path_factory):
    """A local Spark Thrift server (`partner-payouts spark-up`) with its
    warehouse in a temporary folder, on a free port.

    Skipped where Java is missing, unless PAYOUTS_REQUIRE_SPARK=1 (as in CI),
    which turns the skip into a failure. The Spark tests all live in
    test_spark_portability.py and `make pytest` distributes whole files
    (`--dist loadfile`), so one worker runs them all against this one
    server.
    """
    import socket

    from partner_payouts.spark import LocalSpark

    if shutil.which("java") is None:
        message = "Java (for Spark) not found"
        if os.environ.get("PAYOUTS_REQUIRE_SPARK") == "1":
            pytest.fail(message + " and PAYOUTS_REQUIRE_SPARK=1")
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = LocalSpark(warehouse=tmp_path_factory.mktemp("spark") / "warehouse", port=port,
                        catalog="in-memory")
    server.up()
    yield server
    server.down(grace_seconds=2)


@pytest.fixture
def copy_export(tmp_path):
    """A writable copy of a fixture folder (symlinks resolved)."""

    def _copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(RAW_EXPORTS / name, target, symlinks=False)
        return target

    return _copy


def pytest_collection_modifyitems(config, items):
    """The Spark tests first: they run one after another on one worker (one
    file, one Spark server) and take the longest, so the other worker takes
    the rest meanwhile instead of waiting for them at the end.

    pytest-xdist 3.8's `xdist_group` does not group under pytest 9 (it sets
    a node id attribute pytest 9 no longer reads): the workers each started
    a Spark server. `--dist loadfile` keeps a file on one worker, so every
    Spark test must be in that one file."""
    spark_files = {item.path.name for item in items if item.get_closest_marker("spark")}
    if len(spark_files) > 1:
        raise pytest.UsageError(
            f"Tests marked spark are in {sorted(spark_files)}: keep them in "
            "test_spark_portability.py, so that one worker and one Spark server run them.")
    items.sort(key=lambda item: 0 if item.get_closest_marker("spark") else 1)
