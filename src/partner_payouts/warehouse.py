"""Opening the DuckDB warehouse file, with one clear line when it cannot be:
its folder is missing or read-only, or another process holds it."""

from __future__ import annotations

import os
import re
from pathlib import Path


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
