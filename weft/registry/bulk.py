"""Bulk writes into the registry's tables, beside Django's ORM: for the demo generator (a million
firms) and the bulk import (a hundred thousand rows per run), where model instances and a
statement per row are most of the cost. Values arrive ready for the database."""

import datetime
import json
import sqlite3

from django.db import DEFAULT_DB_ALIAS, connection, connections
from psycopg.types.json import Jsonb

from .fields import GIN, TokenListField


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for `count` new rows of `model`, that no other writer can take meanwhile.

    PostgreSQL hands them out from the table's identity sequence. SQLite has one writer at a time:
    inside the batch's transaction (BEGIN IMMEDIATE, see settings) nobody else can insert, so the
    ids after the largest ever used are ours.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if not connection.in_atomic_block:  # pragma: no cover - a programming error
            raise RuntimeError("reserve_ids needs the write transaction that will insert the rows.")
        qn = connection.ops.quote_name
        # Identifiers come from the model's metadata, quoted; no user input reaches this SQL.
        cursor.execute(f"SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(table)}")  # noqa: S608
        largest = cursor.fetchone()[0] or 0
        # AUTOINCREMENT never reuses ids of deleted rows; neither do we.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(largest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def insert_rows(model, columns: list[str], rows: list) -> None:
    """INSERT `rows` (values ready for the database) into `columns`: COPY on PostgreSQL (several
    times faster than an INSERT per row), statements of many rows each on SQLite (see
    `_sqlite_statements`).

    What `bulk_create` does, minus the SQL it compiles for every 24 rows on SQLite (its limit of
    999 parameters per statement) and the model instances: most of the cost of a million firms.
    The bulk import writes through it too.
    """
    if not rows:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    # Identifiers come from the model's metadata, quoted; values go as parameters or data.
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for values, params in _sqlite_statements(conn, len(columns), rows):
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)  # noqa: S608


# Parameters per SQLite statement at most: a firm has about 45 columns, so 88 firms. Longer
# statements gained nothing more (100 firms or 728 a statement cost the same per firm), and
# each statement prepared stays in the connection's cache: at 32,766 parameters, the limit, the
# import's writing process grew by 280 MB.
SQLITE_PARAMETERS = 4_000


def _sqlite_statements(conn, width: int, rows: list):
    """(VALUES list, parameters) for `rows` of `width` values, several rows per statement: up to
    SQLITE_PARAMETERS parameters, or SQLite's own limit if lower.

    A statement per row costs more than its parsing: the FTS5 search index does part of its
    work at the end of every statement that touched it. Inserting into 200,000 firms, a firm per
    statement cost 121 µs (57 without the search index), 100 firms per statement 62 µs (37)."""
    conn.ensure_connection()
    limit = conn.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(limit, SQLITE_PARAMETERS) // width)
    row = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        yield ", ".join([row] * len(chunk)), [v for r in chunk for v in r]


def update_rows(model, fields: list, rows: list) -> None:
    """UPDATE `fields` of existing rows: each row is the values ready for the database, its
    primary key last. PostgreSQL: one statement joining the table to the values sent as arrays
    (an UPDATE per row costs its own parse and plan, more than the update itself); SQLite: the
    same with the values as a VALUES list, many rows per statement (see `_sqlite_statements`)."""
    if not rows:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    # Identifiers come from the model's metadata, quoted; values go as parameters.
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    with conn.cursor() as cursor:
        if conn.vendor != "postgresql":
            aliases = ", ".join([f"c{i}" for i in range(len(fields))] + ["pk"])
            assignments = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(fields))
            for values, params in _sqlite_statements(conn, len(fields) + 1, rows):
                cursor.execute(
                    f"WITH v({aliases}) AS (VALUES {values}) "  # noqa: S608
                    f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.pk",
                    params,
                )
            return
        columns = list(zip(*rows, strict=True))
        arrays, assignments = [], []
        for i, f in enumerate(fields):
            kind = f.db_type(conn)
            if kind.endswith("[]"):  # an array column (search tokens): no ragged 2-D arrays
                arrays.append("%s::text[]")
                assignments.append(f"{qn(f.column)} = string_to_array(v.c{i}, ' ')")
                columns[i] = [
                    v if v is None or isinstance(v, str) else " ".join(v) for v in columns[i]
                ]  # a string: tokens joined already
            else:
                arrays.append(f"%s::{kind}[]")
                assignments.append(f"{qn(f.column)} = v.c{i}")
        arrays.append(f"%s::{model._meta.pk.db_type(conn)}[]")
        aliases = ", ".join([f"c{i}" for i in range(len(fields))] + ["pk"])
        cursor.execute(
            f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608
            f"FROM unnest({', '.join(arrays)}) AS v({aliases}) WHERE {table}.{pk} = v.pk",
            [array_text(c) for c in columns],
        )


def array_text(values) -> str:
    """PostgreSQL's text form of a one-dimensional array of `values` (None is NULL), which the
    server parses into the array type the SQL casts it to: for COPY and array parameters.

    psycopg's own array dumper walks every element in Python, with a regular expression each:
    several seconds for the hundreds of thousands of values a bulk import sends."""
    return "{" + ",".join("NULL" if v is None else _element(v) for v in values) + "}"


def token_array_text(tokens: list[str]) -> str:
    """`array_text` of search tokens, which hold neither quotes nor backslashes as a rule: then
    in one join instead of an escape per token."""
    if not tokens:
        return "{}"
    joined = '","'.join(tokens)
    if "\\" in joined or joined.count('"') != 2 * (len(tokens) - 1):
        return array_text(tokens)
    return '{"' + joined + '"}'


def _element(value) -> str:
    if isinstance(value, Jsonb):
        value = (value.dumps or json.dumps)(value.obj)
    elif isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    elif not isinstance(value, str):
        value = str(value)  # numbers, booleans ('True' is PostgreSQL's true too)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def insert_objects(model, objs: list) -> None:
    """INSERT model instances whose primary keys are set, each value prepared as Django would;
    search tokens on PostgreSQL as array text (`token_array_text`), which COPY parses in one go
    where psycopg would adapt a list element by element."""
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the `connection` proxy is slow
    fields = model._meta.concrete_fields

    def value_of(f):
        if conn.vendor == "postgresql" and isinstance(f, TokenListField):
            return lambda obj: token_array_text(getattr(obj, f.attname))
        return lambda obj: f.get_db_prep_save(f.pre_save(obj, True), conn)

    values = [value_of(f) for f in fields]
    rows = [[value(obj) for value in values] for obj in objs]
    insert_rows(model, [f.column for f in fields], rows)


def insert_links(model, key_columns: list[str], keys: list[tuple], constants: dict | None = None):
    """INSERT rows that differ only in their foreign keys: `keys` are tuples of ids for
    `key_columns`; every row gets the same `constants` (field name → value)."""
    conn = connections[DEFAULT_DB_ALIAS]
    fixed = [model._meta.get_field(name) for name in constants or {}]
    fixed_values = tuple(f.get_db_prep_save(constants[f.name], conn) for f in fixed)
    rows = [key + fixed_values for key in keys]
    insert_rows(model, key_columns + [f.column for f in fixed], rows)


def gather_search_entries(kb: int) -> None:
    """PostgreSQL, in a bulk writer's transaction: let the search tokens' GIN index gather up to
    `kb` of new entries in its pending list before merging them into the index proper.

    The list is merged whenever it passes gin_pending_list_limit (4 MB): a batch of 5,000 firms
    brings about 700,000 entries, several merges of small runs; larger runs merge faster.
    Searches read the pending list too, so new firms are found as soon as they commit; call
    `merge_pending_search_entries` once the bulk writing is over."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL gin_pending_list_limit = {int(kb)}")


def merge_pending_search_entries() -> None:
    """PostgreSQL: merge the entries still pending into the GIN index, so searches do not keep
    reading a long pending list until autovacuum gets to it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN])
