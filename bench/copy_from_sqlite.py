"""Copy the generated directory from the bench's SQLite database into PostgreSQL (DATABASE_URL).

    DATABASE_URL=postgres://... python bench/copy_from_sqlite.py var/bench/directory-1000000.sqlite3
    DATABASE_URL=postgres://... python bench/copy_from_sqlite.py --all-tables var/bench/x.sqlite3

`--all-tables` copies every table with rows in the SQLite file that PostgreSQL has and that its
migrations left empty (what a bench generated beyond the directory: organisations, offers...).

For `bench/directory.py --postgres-from-sqlite`: on a small machine, generating a million firms
twice takes longer than the benchmark itself, and a copy gives both backends the very same rows.
The PostgreSQL database must be migrated and empty of enterprises; the chain stages, industry codes
and certifications that migrations load must have the same ids on both sides (checked).
"""

import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

TAXONOMY = ["registry_chainstage", "registry_industrycode", "registry_certification"]
# In foreign-key order: what generate_demo writes.
TABLES = [
    "registry_cluster",
    "registry_cluster_stages",
    "registry_enterprise",
    "registry_enterprise_stages",
    "registry_enterprise_industry_codes",
    "registry_enterprise_certifications",
    "registry_clustermembership",
]


def pg_columns(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return cursor.fetchall()


def convert(data_type: str):
    if data_type == "boolean":
        return lambda v: None if v is None else bool(v)
    if data_type == "ARRAY":
        return lambda v: None if v is None else v.split()
    return lambda v: v


def all_tables(cursor, lite) -> list[str]:
    """Tables both sides have, with rows in SQLite and none yet in PostgreSQL."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    ours = [t for (t,) in cursor.fetchall() if t != "django_migrations"]
    theirs = {t for (t,) in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    out = []
    for table in ours:
        if table not in theirs:
            continue
        if lite.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is None:  # noqa: S608
            continue
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608
        if cursor.fetchone()[0]:
            continue  # filled by a migration on both sides
        out.append(table)
    return out


def main(source: str, every_table: bool = False) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in TAXONOMY:
            cursor.execute(f"SELECT id, code FROM {table} ORDER BY id")  # noqa: S608
            theirs = lite.execute(f"SELECT id, code FROM {table} ORDER BY id").fetchall()  # noqa: S608
            if [tuple(r) for r in cursor.fetchall()] != theirs:
                raise SystemExit(f"{table} differs between the two databases")
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        # Rows come from a consistent database: skip per-row foreign-key triggers while copying.
        cursor.execute("SET LOCAL session_replication_role = replica")
        tables = all_tables(cursor, lite) if every_table else TABLES
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
            if cursor.fetchone()[0]:
                raise SystemExit(f"{table} is not empty: copy into a freshly migrated database")
        for table in tables:
            columns = pg_columns(cursor, table)
            names = ", ".join(f'"{c}"' for c, _ in columns)
            converters = [convert(t) for _, t in columns]
            rows = lite.execute(f"SELECT {names} FROM {table}")  # noqa: S608
            n = 0
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([f(v) for f, v in zip(converters, row, strict=True)])
                    n += 1
            if dict(columns).get("id") in ("integer", "bigint", "smallint"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) FROM {table}",  # noqa: S608, E501
                    [table],
                )
            print(f"{table}: {n:,} rows ({time.perf_counter() - began:.0f} s)", flush=True)


if __name__ == "__main__":
    every = "--all-tables" in sys.argv[1:]
    main([a for a in sys.argv[1:] if a != "--all-tables"][0], every_table=every)
