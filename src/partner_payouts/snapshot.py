"""The published snapshot: what readers (BI tools, notebooks, the dashboard)
open instead of the build's warehouse.

`publish(warehouse, out)` copies every public mart of the warehouse's `marts`
schema (what the last passing build published) into a new folder beside
`out`, `<out>.<UTC timestamp>/`:

- `<mart>.parquet`: the mart, row for row, with its column types (decimals
  stay exact decimals);
- `partner_payouts.duckdb`: a small DuckDB file holding only views,
  `marts.<mart>`, over those Parquet files (absolute paths of the version
  folder, so it answers from any working directory), with the marts'
  descriptions as comments;
- `snapshot.json`: when it was published, from which build, rows per mart.

Then `out`, a symbolic link, is pointed at the new folder in one
`os.replace`: a reader sees the old snapshot or the new one, never half of
one. The previous version is kept (a reader that opened it just before the
swap keeps reading); older ones are deleted. The warehouse is opened
read-only, and only while the marts are copied, so the snapshot never holds
the build's file: a build can run while readers read the snapshot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

SNAPSHOT_DB = "partner_payouts.duckdb"
MANIFEST = "snapshot.json"
SCHEMA = "marts"
SNAPSHOT_ENV = "PAYOUTS_SNAPSHOT_DIR"  # where readers find the snapshot
DEFAULT_SNAPSHOT = "published"


class SnapshotError(Exception):
    """The snapshot cannot be published; str() says what to do."""


@dataclass
class PublishSummary:
    out_dir: Path
    version_dir: Path
    warehouse: Path
    marts: dict = field(default_factory=dict)  # mart -> rows
    removed: list = field(default_factory=list)  # old version folders deleted
    seconds: float = 0.0


def _version_pattern(out: Path) -> re.Pattern:
    return re.compile(rf"^{re.escape(out.name)}\.(\d{{8}}T\d{{12}}Z)(\.partial)?$")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lock(out: Path):
    """An exclusive lock beside `out` for the whole publish: two publishes
    into one folder never interleave."""
    import fcntl

    path = out.parent / f".{out.name}.lock"
    handle = open(path, "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SnapshotError(f"Another publish into {out} is running (lock {path}): wait for "
                            "it to finish and run again.") from None
    return handle


def _check_out(out: Path) -> Path | None:
    """The version `out` points at now (None when there is no snapshot yet);
    refuses an `out` that is something else than a snapshot link."""
    if out.is_symlink():
        return out.parent / os.readlink(out)
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()  # an empty folder (made by hand): becomes the link
        return None
    if out.exists():
        raise SnapshotError(
            f"{out} exists and is not a published snapshot (a symbolic link to "
            f"{out.name}.<timestamp>/): move it away or choose another --out.")
    return None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_marts(warehouse: Path, folder: Path) -> tuple[dict, dict, str | None]:
    """Every public mart as `<folder>/<mart>.parquet`; returns rows per
    mart, the marts' comments (table and columns) and when the build
    published them. The warehouse is open (read-only) only in here."""
    import duckdb

    from partner_payouts.warehouse import connect_read_only, memory_settings

    rows, comments, built_at = {}, {}, None
    with connect_read_only(warehouse, config=memory_settings()) as con:
        marts = [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by 1", [SCHEMA]).fetchall()]
        if not marts:
            raise SnapshotError(
                f"Warehouse {warehouse} has no published marts (schema `{SCHEMA}` is "
                "empty): run a build that passes (make build), then publish again.")
        for mart in marts:
            target = folder / f"{mart}.parquet"
            try:
                (count,) = con.execute(
                    f"copy (select * from {SCHEMA}.{_ident(mart)}) to "
                    f"{_sql_string(str(target))} (format parquet, compression zstd)"
                ).fetchone()
            except duckdb.Error as error:
                raise SnapshotError(f"Copying mart {mart} of {warehouse} to {target} failed: "
                                    f"{str(error).splitlines()[0]}") from None
            rows[mart] = count
            table_comment = con.execute(
                "select comment from duckdb_tables() where schema_name = ? and "
                "table_name = ?", [SCHEMA, mart]).fetchone()
            columns = con.execute(
                "select column_name, comment from duckdb_columns() where schema_name = ? "
                "and table_name = ? and comment is not null", [SCHEMA, mart]).fetchall()
            comments[mart] = ((table_comment or [None])[0], columns)
        if con.execute("select count(*) from information_schema.tables where "
                       "table_schema = 'publishing' and table_name = 'publish_log'"
                       ).fetchone()[0]:
            last = con.execute("select max(published_at) from publishing.publish_log"
                               ).fetchone()[0]
            built_at = f"{last.isoformat()}Z" if last else None  # stored in UTC
    return rows, comments, built_at


def _write_views(folder: Path, comments: dict) -> None:
    """The views file: `marts.<mart>` over `<folder>/<mart>.parquet`."""
    import duckdb

    with duckdb.connect(str(folder / SNAPSHOT_DB)) as con:
        con.execute(f"create schema {SCHEMA}")
        for mart, (table_comment, columns) in comments.items():
            view = f"{SCHEMA}.{_ident(mart)}"
            path = _sql_string(str(folder / f"{mart}.parquet"))
            con.execute(f"create view {view} as select * from read_parquet({path})")
            if table_comment:
                con.execute(f"comment on view {view} is {_sql_string(table_comment)}")
            for column, comment in columns:
                con.execute(f"comment on column {view}.{_ident(column)} is "
                            f"{_sql_string(comment)}")
        con.execute("checkpoint")


def publish(warehouse: Path, out: Path, keep_previous: bool = True) -> PublishSummary:
    """Publish the warehouse's public marts as the snapshot `out` (see the
    module's docstring). Raises SnapshotError or WarehouseError, with the
    previous snapshot untouched."""
    import duckdb

    started = time.monotonic()
    warehouse, out = Path(warehouse), Path(os.path.abspath(out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(out)
    except OSError as error:
        raise SnapshotError(f"Cannot write the snapshot beside {out}: {error.strerror}; "
                            "choose a writable --out.") from None
    with lock:
        previous = _check_out(out)
        version = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        partial = out.parent / f"{out.name}.{version}.partial"
        final = out.parent / f"{out.name}.{version}"
        link = out.parent / f".{out.name}.link-{os.getpid()}"
        try:
            partial.mkdir()
            rows, comments, built_at = _copy_marts(warehouse, partial)
            manifest = {"version": version,
                        "published_at": datetime.now(timezone.utc).strftime(
                            "%Y-%m-%dT%H:%M:%SZ"),
                        "warehouse": warehouse.name,
                        "build_published_at": built_at,
                        "marts": rows}
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n",
                                            encoding="utf-8")
            # The views bind to the final folder's files, so rename first (the
            # folder is not linked yet: no reader sees it).
            partial.rename(final)
            _write_views(final, comments)
            for path in final.iterdir():
                path.chmod(0o444)
                _fsync(path)
            _fsync(final)
            if link.is_symlink():
                link.unlink()
            link.symlink_to(final.name)  # relative: the folder can move with its versions
            os.replace(link, out)  # the swap: from here on, readers see the new version
        except BaseException as error:
            for leftover in (partial, final):
                shutil.rmtree(leftover, ignore_errors=True)
            if link.is_symlink():
                link.unlink()
            if isinstance(error, (OSError, duckdb.Error)):
                what = str(error).splitlines()[0]
                if isinstance(error, OSError) and error.strerror:
                    what = error.strerror + (f" ({error.filename})" if error.filename else "")
                raise SnapshotError(
                    f"Cannot write the snapshot {out}: {what}; nothing was changed, the "
                    "previous snapshot is still published.") from None
            raise
        try:
            _fsync(out.parent)
        except OSError:
            pass  # the swap is done; durability of the link is the file system's
        kept = [final.name] + ([previous.name] if previous and keep_previous else [])
        removed = _clean(out, kept)
    return PublishSummary(out_dir=out, version_dir=final, warehouse=warehouse,
                          marts=rows, removed=removed,
                          seconds=time.monotonic() - started)


def _clean(out: Path, kept: list[str]) -> list[Path]:
    """Delete the versions beside `out` but `kept` (the new one and the one
    it replaced), and folders of publishes that died halfway. Runs under the
    publish lock, so no other publish is writing one."""
    pattern = _version_pattern(out)
    removed = []
    for path in sorted(out.parent.iterdir()):
        if pattern.match(path.name) and path.name not in kept and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def snapshot_dir() -> Path:
    """The snapshot readers use: $PAYOUTS_SNAPSHOT_DIR, or `published`."""
    return Path(os.environ.get(SNAPSHOT_ENV, DEFAULT_SNAPSHOT))


def snapshot_version(out: Path) -> Path | None:
    """The version folder the snapshot `out` points at, or None when there is
    no (complete) snapshot there."""
    out = Path(out)
    try:
        folder = out.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return folder if (folder / MANIFEST).is_file() else None
