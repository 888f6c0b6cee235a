"""Writes of the directory's in-memory index: building a snapshot (see directory_index.py)."""

import secrets
import time

import psycopg
from django.db import connection, transaction

from .directory_index import DirectoryIndex
from .directory_listings import ListingsBuilder
from .models import (
    ClusterMembership,
    DirectoryChange,
    DirectoryIndexSnapshot,
    DirectoryVersion,
    Enterprise,
)
from .selectors import listing_columns, listing_of


def build_directory_index() -> DirectoryIndexSnapshot:
    """Index every firm, store the snapshot, and forget what no process needs any more."""
    began = time.perf_counter()
    # The watermark is read before the firms: a change not yet committed then has a seq from
    # the watermark on, so it counts as changed since the snapshot, whether or not it is in it.
    watermark, horizon = change_watermark()
    listings = ListingsBuilder()
    index = DirectoryIndex.build(_firms_in_directory_order(listings))
    index.listings = listings.done()
    data = index.dumps()
    with transaction.atomic():
        snapshot = DirectoryIndexSnapshot.objects.create(
            token=secrets.randbits(62),
            watermark=watermark,
            horizon=horizon,
            firms=len(index),
            seconds=round(time.perf_counter() - began, 3),
            data=b"" if connection.vendor == "postgresql" else data,
        )
        if connection.vendor == "postgresql":
            _store_binary(snapshot.pk, data)
            snapshot.data = data
        # The snapshot before stays: a process may be answering from it until its next request.
        kept = (
            DirectoryIndexSnapshot.objects.filter(id__lt=snapshot.id)
            .order_by("-id")
            .values("id", "watermark")
            .first()
        )
        oldest = kept or {"id": snapshot.id, "watermark": watermark}
        DirectoryIndexSnapshot.objects.filter(id__lt=oldest["id"]).delete()
        DirectoryChange.objects.filter(seq__lt=oldest["watermark"]).delete()
        # Last, so the directory's version row is locked for the shortest time.
        _announce(snapshot)
    return snapshot


_ANNOUNCE = (
    f"INSERT INTO {DirectoryVersion._meta.db_table} (id, token, snapshot_id, snapshot_token) "  # noqa: S608
    "VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE "
    "SET snapshot_id = excluded.snapshot_id, snapshot_token = excluded.snapshot_token "
    f"WHERE {DirectoryVersion._meta.db_table}.snapshot_id IS NULL "
    f"OR {DirectoryVersion._meta.db_table}.snapshot_id < excluded.snapshot_id"
)


def _announce(snapshot: DirectoryIndexSnapshot) -> None:
    """Name the snapshot in the directory's state, unless a newer one is named already (two
    builds that overlap may commit in either order)."""
    with connection.cursor() as cursor:
        cursor.execute(_ANNOUNCE, [secrets.randbits(62), snapshot.pk, snapshot.token])


def _store_binary(snapshot_id: int, data: bytes) -> None:
    """The snapshot's bytes as a binary parameter. The driver's default (client-side binding)
    writes bytes as hex text inside the statement: at a million firms, past the 1 GiB that
    PostgreSQL allows a statement."""
    connection.ensure_connection()
    table = DirectoryIndexSnapshot._meta.db_table
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"UPDATE {table} SET data = %b WHERE id = %s",  # noqa: S608
            [data, snapshot_id],
        )


def _firms_in_directory_order(listings: ListingsBuilder):
    """(id, tokens, text) of every firm, their listings added to `listings` on the way, all
    read by one statement, so from one state of the database. Tokens come as one string:
    PostgreSQL's driver takes several times longer to turn a million text arrays into lists
    than Python takes to split."""
    tokens = (
        "array_to_string(e.search_tokens, ' ')"
        if connection.vendor == "postgresql"
        else ("e.search_tokens")
    )
    table = Enterprise._meta.db_table
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT {listing_columns()}, {tokens}, e.search_text FROM {table} AS e "  # noqa: S608
            "ORDER BY e.name_sort, e.id",
            [ClusterMembership.Status.APPROVED],
        )
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                listings.add(*listing_of(row))
                firm_tokens, text = row[-2:]
                yield row[0], (firm_tokens or "").split(), text or ""


_NEXT_SEQ = (
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0) + 1"  # as migration 0010
)


def change_watermark() -> tuple[int, str]:
    """The seq from which a change may not be reflected in firms read from now on, and on
    PostgreSQL the transaction snapshot telling which of those changes are (the horizon)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every transaction below the snapshot's xmin has ended: its writes are visible. Of
            # those from xmin on, the snapshot tells which had committed: its xmin is the whole
            # server's, so a transaction of another database can hold it back for long.
            cursor.execute(
                "SELECT pg_snapshot_xmin(s)::text::bigint, s::text FROM pg_current_snapshot() AS s"
            )
            return cursor.fetchone()
        # SQLite has one writer: every change logged so far is committed and visible.
        cursor.execute(_NEXT_SEQ, [DirectoryChange._meta.db_table])
        return cursor.fetchone()[0], ""
