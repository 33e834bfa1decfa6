"""A throw-away PostgreSQL server for the portability tests.

Started from the server binaries on the machine (`initdb`, `pg_ctl`; Debian
puts them in /usr/lib/postgresql/<version>/bin), listening on a Unix socket
only, with a data folder in a fresh temporary directory. PostgreSQL refuses
to run as root, so as root the server runs as the `nobody` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PORT = 55432


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class PostgresServer:
    root: Path
    bindir: Path
    host: str
    port: int = PORT
    user: str = "postgres"

    def env(self, dbname: str) -> dict[str, str]:
        """The PAYOUTS_PG_* variables of one database (dbt profile and loader)."""
        return {"PAYOUTS_PG_HOST": self.host, "PAYOUTS_PG_PORT": str(self.port),
                "PAYOUTS_PG_USER": self.user, "PAYOUTS_PG_PASSWORD": "",
                "PAYOUTS_PG_DBNAME": dbname}

    def connect(self, dbname: str = "postgres"):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=dbname)

    def create_database(self, name: str) -> None:
        con = self.connect()
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{name}"')
            cur.execute(f'create database "{name}"')
        con.close()


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *command]
    return command


def start(bindir: Path) -> PostgresServer:
    root = Path(tempfile.mkdtemp(prefix="payouts-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "nobody", "nogroup")
    data = root / "data"
    subprocess.run(
        _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                         "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]),
        check=True, capture_output=True, text=True)
    options = (f"-k {root} -p {PORT} -c listen_addresses='' -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                         "-l", str(root / "server.log"), "-w", "start"]),
        check=True, capture_output=True, text=True)
    return PostgresServer(root=root, bindir=bindir, host=str(root))


def stop(server: PostgresServer) -> None:
    subprocess.run(
        _as_server_user([str(server.bindir / "pg_ctl"), "-D", str(server.root / "data"),
                         "-m", "fast", "-w", "stop"]),
        capture_output=True, text=True)
    shutil.rmtree(server.root, ignore_errors=True)
