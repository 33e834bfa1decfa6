"""The published snapshot (`partner-payouts publish`): what readers open
instead of the build's warehouse (src/partner_payouts/snapshot.py)."""

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import build_on, combined_export, output
from partner_payouts import snapshot
from partner_payouts.snapshot import MANIFEST, SNAPSHOT_DB, publish
from partner_payouts.statements.render import render

pytestmark = pytest.mark.dbt

PAYOUTS = ("select agreement_id, period_start, payout_currency, payout_amount "
           "from marts.fct_partner_payouts order by 1, 2")
NWS_Q2 = date(2025, 4, 1)  # open; a late credit note takes it from 150.00 to 120.00


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "partner_payouts.cli", *args],
                          capture_output=True, text=True, cwd=cwd)


def columns(con, relation):
    return [(name, kind) for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()]


def state(out: Path):
    """What a reader of the snapshot `out` would find: the link's target and
    every file's bytes."""
    target = os.readlink(out)
    return target, {p.name: p.read_bytes() for p in sorted(out.resolve().iterdir())}


def versions(out: Path):
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith(out.name + ".") and not p.name.endswith(".lock"))


def test_every_public_mart_is_published_row_for_row(commission_warehouse, tmp_path):
    wh = commission_warehouse
    result = cli("publish", "--warehouse", str(wh.path), "--out", str(tmp_path / "published"))
    assert result.returncode == 0, result.stderr
    marts = [t for (t,) in wh.rows("select table_name from information_schema.tables "
                                   "where table_schema = 'marts' order by 1")]
    assert len(marts) == 12
    # One short summary: the marts and their rows.
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:]] == marts

    out = tmp_path / "published"
    assert out.is_symlink() and (out / MANIFEST).is_file()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{m}.parquet" for m in marts] + [SNAPSHOT_DB, MANIFEST])
    manifest = json.loads((out / MANIFEST).read_text())
    with duckdb.connect(str(wh.path), read_only=True) as build, duckdb.connect() as files:
        for mart in marts:
            parquet = f"read_parquet('{out / mart}.parquet')"
            assert columns(files, parquet) == columns(build, f"marts.{mart}"), mart
            assert (sorted(files.execute(f"select * from {parquet}").fetchall(), key=repr)
                    == sorted(build.execute(f"select * from marts.{mart}").fetchall(),
                              key=repr)), mart
            assert manifest["marts"][mart] == build.execute(
                f"select count(*) from marts.{mart}").fetchone()[0]
        assert files.execute(
            f"select payout_amount from read_parquet('{out}/fct_partner_payouts.parquet') "
            "where agreement_id = 'A004' and period_start = date '2025-02-01'"
        ).fetchone() == (Decimal("830.77"),)
    # The printed total of rows is the manifest's.
    assert lines[0].startswith(f"Published 12 marts ({sum(manifest['marts'].values()):,} rows)")


def test_the_views_file_answers_read_only_from_anywhere(commission_warehouse, tmp_path):
    wh = commission_warehouse
    out = tmp_path / "published"
    publish(wh.path, out)
    # Another process, another working directory, read-only.
    script = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
              "print(con.execute(\"select payout_currency, sum(payout_amount) from "
              "marts.fct_partner_payouts group by 1 order by 1\").fetchall())")
    reader = subprocess.run([sys.executable, "-c", script, str(out / SNAPSHOT_DB)],
                            capture_output=True, text=True, cwd="/")
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.strip() == repr(wh.rows(
        "select payout_currency, sum(payout_amount) from marts.fct_partner_payouts "
        "group by 1 order by 1"))
    with duckdb.connect(str(out / SNAPSHOT_DB), read_only=True) as con:
        # Only views, one per mart, with the marts' columns, types and descriptions.
        assert con.execute("select count(*) from duckdb_tables()").fetchone() == (0,)
        views = [v for (v,) in con.execute(
            "select view_name from duckdb_views() where not internal and schema_name = 'marts' "
            "order by 1").fetchall()]
        assert views == [t for (t,) in wh.rows(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1")]
        with duckdb.connect(str(wh.path), read_only=True) as build:
            for view in views:
                assert columns(con, f"marts.{view}") == columns(build, f"marts.{view}")
        assert con.execute(
            "select comment from duckdb_views() where view_name = 'fct_partner_payouts'"
        ).fetchone()[0].startswith("What each partner agreement is paid")
        with pytest.raises(duckdb.Error):
            con.execute("create table marts.scratch (x integer)")
        # The statements read the snapshot as they read the warehouse.
        summary = render(con, tmp_path / "statements", progress=None, with_pdf=False)
    assert summary.totals == {"EUR": Decimal("1430.77"), "USD": Decimal("6300.00")}


def test_a_new_publish_swaps_while_readers_and_builds_run(commission_warehouse, tmp_path):
    """A reader holding the snapshot open keeps reading it while the build
    warehouse is rebuilt (late documents) and published again; the new
    snapshot has the new payouts; the previous version is kept, older ones go."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(commission_warehouse.path, warehouse)
    out = tmp_path / "published"
    first = publish(warehouse, out)
    reader = duckdb.connect(str(out / SNAPSHOT_DB), read_only=True)
    before = reader.execute(PAYOUTS).fetchall()
    assert ("A001", NWS_Q2, "EUR", Decimal("150.00")) in before

    rebuilt = build_on(warehouse, combined_export(tmp_path, "commissions", "commissions_late"),
                       tmp_path / "build", in_place=True)
    assert rebuilt.result.returncode == 0, output(rebuilt.result)[-3000:]
    assert "PUBLISHED: 12 public marts" in rebuilt.result.stdout
    assert reader.execute(PAYOUTS).fetchall() == before  # the build never touched it

    second = publish(warehouse, out)
    assert os.readlink(out) == second.version_dir.name != first.version_dir.name
    assert reader.execute(PAYOUTS).fetchall() == before  # still the old snapshot
    with duckdb.connect(str(out / SNAPSHOT_DB), read_only=True) as fresh:
        after = fresh.execute(PAYOUTS).fetchall()
    assert after == rebuilt.rows(PAYOUTS) != before
    assert ("A001", NWS_Q2, "EUR", Decimal("120.00")) in after
    assert versions(out) == [first.version_dir.name, second.version_dir.name]
    reader.close()

    third = publish(warehouse, out)
    assert third.removed == [first.version_dir]
    assert versions(out) == [second.version_dir.name, third.version_dir.name]


def test_refusals_leave_the_previous_snapshot_intact(commission_warehouse, tmp_path):
    out = tmp_path / "published"
    publish(commission_warehouse.path, out)
    previous = state(out)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    locked = tmp_path / "locked.duckdb"
    shutil.copyfile(commission_warehouse.path, locked)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(120)", str(locked)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        cases = {
            tmp_path / "missing.duckdb": "No warehouse at",
            empty: "has no published marts (schema `marts` is empty): run a build that passes",
            locked: "is in use by another process",
        }
        for warehouse, message in cases.items():
            result = cli("publish", "--warehouse", str(warehouse), "--out", str(out))
            assert result.returncode == 2, result.stdout
            assert result.stdout == "" and len(result.stderr.splitlines()) == 1
            assert message in result.stderr and str(warehouse) in result.stderr
            assert state(out) == previous
            assert versions(out) == [previous[0]]
    finally:
        holder.kill()
        holder.wait()
    # --out that is a folder of something else.
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "keep.txt").write_text("mine")
    result = cli("publish", "--warehouse", str(commission_warehouse.path),
                 "--out", str(tmp_path / "reports"))
    assert result.returncode == 2
    assert "exists and is not a published snapshot" in result.stderr
    assert (tmp_path / "reports" / "keep.txt").read_text() == "mine"


def test_a_publish_failing_halfway_leaves_nothing_behind(commission_warehouse, tmp_path,
                                                         monkeypatch):
    out = tmp_path / "published"
    publish(commission_warehouse.path, out)
    previous = state(out)

    def disk_full(folder, comments):
        raise OSError(28, "No space left on device", str(folder / SNAPSHOT_DB))

    monkeypatch.setattr(snapshot, "_write_views", disk_full)
    with pytest.raises(snapshot.SnapshotError, match="No space left on device.*previous "
                                                     "snapshot is still published"):
        publish(commission_warehouse.path, out)
    assert state(out) == previous
    assert versions(out) == [previous[0]]
