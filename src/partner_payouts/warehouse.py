"""Opening the warehouse, with one clear line when it cannot be: the DuckDB
file's folder is missing or read-only, or another process holds it; the
PostgreSQL server cannot be reached or refuses the login."""

from __future__ import annotations

import os
import re
from pathlib import Path


def memory_settings() -> dict:
    """DuckDB settings of every connection this package opens on large
    data: the dbt profile's memory cap (`PAYOUTS_DUCKDB_MEMORY_LIMIT`,
    default 2.5GB, DECISIONLOG D80; DuckDB spills beyond it) and no
    insertion order."""
    return {"memory_limit": os.environ.get("PAYOUTS_DUCKDB_MEMORY_LIMIT", "2.5GB"),
            "preserve_insertion_order": False}


class WarehouseError(Exception):
    """The warehouse cannot be opened; str() says what to do."""


def _locked(path: Path, error: Exception) -> WarehouseError:
    holder = re.search(r"held in (\S+) \(PID (\d+)\)", str(error))
    by = f" (PID {holder.group(2)}, {Path(holder.group(1)).name})" if holder else ""
    return WarehouseError(
        f"Warehouse {path} is in use by another process{by}: close the program holding "
        "it (a BI tool or notebook: let it read the published snapshot, "
        "`partner-payouts publish`) and run again.")


def _writable(folder: Path) -> bool:
    """Can this process create a file in `folder`? (Tried, not guessed from
    the mode bits: a read-only mount or an immutable folder stops root too.)"""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".payouts_probe_"):
            return True
    except OSError:
        return False


def check_writable(path: Path) -> None:
    """The checks a build needs before dbt opens the file for writing."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise WarehouseError(
            f"Warehouse folder {folder} does not exist: create it (mkdir -p {folder}) "
            "or point PAYOUTS_DUCKDB_PATH at a file in an existing folder.")
    if not _writable(folder) or (path.exists() and not os.access(path, os.W_OK)):
        raise WarehouseError(
            f"Warehouse {path} is read-only for this user: run as its owner, or point "
            "PAYOUTS_DUCKDB_PATH at a writable folder.")
    if path.exists():
        import duckdb

        try:
            duckdb.connect(str(path)).close()
        except duckdb.Error as error:
            if "lock" in str(error).lower():
                raise _locked(path, error) from None
            raise WarehouseError(f"Warehouse {path} cannot be opened: "
                                 f"{str(error).splitlines()[0]}") from None


def connect_read_only(path: Path, config: dict | None = None):
    """A read-only DuckDB connection to a built warehouse."""
    import duckdb

    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"No warehouse at {path}: build it first (make demo), or point "
                             "--warehouse / PAYOUTS_DUCKDB_PATH at it.")
    try:
        return duckdb.connect(str(path), read_only=True, config=config or {})
    except duckdb.Error as error:
        if "lock" in str(error).lower():
            raise _locked(path, error) from None
        raise WarehouseError(f"Warehouse {path} cannot be opened: "
                             f"{str(error).splitlines()[0]}") from None


PG_VARIABLES = ("PAYOUTS_PG_HOST, PAYOUTS_PG_PORT, PAYOUTS_PG_USER, PAYOUTS_PG_PASSWORD "
                "and PAYOUTS_PG_DBNAME")


def connect_postgres_read_only(**overrides):
    """A read-only psycopg2 connection to the PostgreSQL warehouse, from the
    PAYOUTS_PG_* variables (as dbt's `postgres` target and `load-raw` read
    them); one repeatable-read transaction, so every query sees one snapshot."""
    import psycopg2

    from partner_payouts.loader import connection_settings

    try:
        settings = connection_settings(**overrides)
    except ValueError:
        raise WarehouseError(f"PAYOUTS_PG_PORT is not a port number: set {PG_VARIABLES} "
                             "(as for dbt's postgres target and load-raw).") from None
    where = postgres_location(**overrides)
    try:
        con = psycopg2.connect(**settings, connect_timeout=10,
                               application_name="partner-payouts validate")
    except psycopg2.Error as error:
        reason = " ".join(str(error).split("\n")[0].split())
        raise WarehouseError(f"Cannot connect to {where}: {reason}. Set {PG_VARIABLES} "
                             "(as for dbt's postgres target and load-raw).") from None
    con.set_session(isolation_level="REPEATABLE READ", readonly=True)
    return con


def postgres_location(**overrides) -> str:
    """Where the PAYOUTS_PG_* variables point, for messages (no password)."""
    from partner_payouts.loader import connection_settings

    try:
        settings = connection_settings(**overrides)
    except ValueError:
        return "PostgreSQL (PAYOUTS_PG_PORT is not a port number)"
    return (f"PostgreSQL at {settings['host']}:{settings['port']}, database "
            f"{settings['dbname']}, user {settings['user']}")
