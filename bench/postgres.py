"""A throwaway PostgreSQL 15 cluster for the benchmark, on 127.0.0.1, started and stopped by the bench.

Same approach as scripts/with-postgres, but the data directory is kept (var/bench/pg) so a 1M-row
database can be reused with `--reuse`, and the server is tuned like a production box with 24 GB.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

BIN = Path(os.environ.get("WEFT_PG_BIN", "/usr/lib/postgresql/15/bin"))

# A production box sized for 24 GB of memory. Durability settings are relaxed only while the
# demo data is generated (see `durable()`), and restored before anything is measured.
TUNING = {
    "shared_buffers": "2GB",
    "effective_cache_size": "12GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "random_page_cost": "1.1",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "max_connections": "50",
}
BULK_LOAD = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class Postgres:
    def __init__(self, directory: Path, port: int):
        self.dir = Path(directory)
        self.data = self.dir / "data"
        self.port = port
        self.started = False
        # PostgreSQL refuses to run as root: use the postgres system user then.
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def url(self, database: str, socket: bool = False) -> str:
        """By TCP on 127.0.0.1, or (`socket`) through the cluster's Unix socket: on one machine
        a round trip takes 70-80 instead of 120 µs (2-core VM, `SELECT 1`)."""
        if socket:
            return (
                f"postgres://weft@{quote(str(self.dir.resolve()), safe='')}:{self.port}/{database}"
            )
        return f"postgres://weft@127.0.0.1:{self.port}/{database}"

    def _run(self, *args, check=True, capture=False):
        return subprocess.run(
            [*self.run_as, *map(str, args)],
            check=check,
            capture_output=capture,
            text=True,
        )

    def init(self) -> None:
        """A new, empty cluster (any old one in the directory is removed)."""
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        if self.run_as:
            shutil.chown(self.dir, "postgres")
        self._run(
            BIN / "initdb",
            "-D",
            self.data,
            "-U",
            "weft",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            capture=True,
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.dir}'",
            **TUNING,
        }
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# weft bench\n")
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())

    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def start(self) -> None:
        # The load runs before open and close tens of thousands of client connections, whose
        # local ports (any in the ephemeral range, ours included) linger for a minute after
        # closing: the server cannot bind its port until they are gone.
        for attempt in range(13):
            started = self._run(
                BIN / "pg_ctl",
                "-D",
                self.data,
                "-l",
                self.dir / "server.log",
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                "120",
                "start",
                check=attempt == 12,
                capture=True,
            )
            if started.returncode == 0:
                self.started = True
                return
            time.sleep(5)

    def stop(self) -> None:
        if self.started:
            self._run(
                BIN / "pg_ctl",
                "-D",
                self.data,
                "-m",
                "fast",
                "-w",
                "stop",
                check=False,
                capture=True,
            )
            self.started = False

    def psql(self, database: str, sql: str) -> str:
        out = subprocess.run(
            [
                BIN / "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "weft",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    def database_exists(self, name: str) -> bool:
        sql = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608
        return self.psql("postgres", sql) == "1"

    def recreate_database(self, name: str) -> None:
        self.psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
        self.psql("postgres", f'CREATE DATABASE "{name}"')

    def bulk_load(self) -> None:
        self._set(BULK_LOAD)

    def durable(self) -> None:
        self._set({k: "DEFAULT" for k in BULK_LOAD})
        self.psql("postgres", "CHECKPOINT")

    def _set(self, settings: dict) -> None:
        for key, value in settings.items():
            value = value if value == "DEFAULT" else f"'{value}'"
            self.psql("postgres", f"ALTER SYSTEM SET {key} = {value}")
        self.psql("postgres", "SELECT pg_reload_conf()")
        time.sleep(0.5)

    def drop_gin_indexes(self, database: str, table: str) -> list[str]:
        """Drop the table's GIN indexes and return their definitions, to build them after a bulk
        load: one CREATE INDEX is much faster than a million incremental GIN insertions."""
        where = f"tablename = '{table}' AND indexdef LIKE '%USING gin%'"
        sql = f"SELECT indexname || chr(9) || indexdef FROM pg_indexes WHERE {where}"  # noqa: S608
        found = [line.split("\t", 1) for line in self.psql(database, sql).splitlines() if line]
        for name, _definition in found:
            self.psql(database, f'DROP INDEX "{name}"')
        return [definition for _name, definition in found]

    def create_indexes(self, database: str, definitions: list[str]) -> None:
        for definition in definitions:
            self.psql(database, definition)

    def version(self) -> str:
        return self.psql("postgres", "SHOW server_version")

    def show(self, *names: str) -> dict[str, str]:
        return {n: self.psql("postgres", f"SHOW {n}") for n in names}
