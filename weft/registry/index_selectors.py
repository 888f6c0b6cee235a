"""Reads of the directory's in-memory index: the snapshot this process holds, the firms changed
since it was built, and a search's matches from both (see directory_index.py)."""

import threading
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connection
from pyroaring import BitMap

from .directory_index import DirectoryIndex
from .models import DirectoryChange, DirectoryIndexSnapshot, DirectoryVersion, Enterprise
from .search import index_query_tokens, search_terms

# Past this many rows before the page, merging the changed firms into the index's order is left
# to the database's plan (deep pages of a directory with recent changes).
MERGE_LIMIT = 2_000
SNAPSHOT_PIECE = 8 * 1024**2  # bytes of a stored snapshot read at a time on PostgreSQL

_STATE = (
    "SELECT token, snapshot_id, snapshot_token "  # noqa: S608
    f"FROM {DirectoryVersion._meta.db_table} WHERE id = 1"
)
# The firms changed since a snapshot: from its watermark on, and on PostgreSQL by a transaction
# its horizon does not show as committed (index_services.change_watermark). One row of NULL when
# none changed, no row when the snapshot is gone.
_CHANGED = (
    "SELECT {select} "  # noqa: S608
    f"FROM {DirectoryIndexSnapshot._meta.db_table} AS s "
    f"LEFT JOIN {DirectoryChange._meta.db_table} AS c ON c.seq >= s.watermark{{visible}} "
    "WHERE s.id = %s LIMIT %s"
)
_NOT_IN_HORIZON = (
    " AND (s.horizon = '' OR NOT pg_visible_in_snapshot(c.seq::text::xid8, s.horizon::pg_snapshot))"
)


def changed_since(snapshot_id: int, limit: int) -> list[int] | None:
    """The firms changed since this snapshot was built, up to `limit` + 1 of them (more than
    `limit`: too many to merge); None when the snapshot is gone."""
    with connection.cursor() as cursor:
        cursor.execute(_changed("DISTINCT c.enterprise_id"), [snapshot_id, limit + 1])
        rows = cursor.fetchall()
    if not rows:
        return None
    return [firm_id for (firm_id,) in rows if firm_id is not None]


@dataclass(frozen=True)
class DirectoryState:
    """What one query tells of the directory: its version token (None without the row: then
    nothing caches) and the latest index snapshot (None before the first build)."""

    version: int | None
    snapshot_id: int | None = None
    snapshot_token: int | None = None


def directory_state() -> DirectoryState:
    # Plain SQL: read on every directory request, where the ORM's query building costs ~15x.
    with _state_cursor() as cursor:
        cursor.execute(_STATE)
        row = cursor.fetchone()
    return DirectoryState(*row) if row else DirectoryState(None)


def _state_cursor():
    """A cursor for the state's one statement. On PostgreSQL the driver's own cursor, whose
    statements are prepared once per connection (settings: WEFT_DB_PREPARE): a round trip of
    50–80 µs instead of 135–145 (psycopg 3, Unix socket, 2-core VM), wrapped as Django wraps
    its cursors, so its errors are Django's. Where queries are logged (debug, tests counting
    them), Django's own cursor: the driver keeps no text of a prepared statement for the log."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    return connection.make_cursor(psycopg.Cursor(connection.connection))


@dataclass
class IndexView:
    """The index as of now: the snapshot, and the firms changed since, which it cannot answer for."""

    index: DirectoryIndex
    changed_ids: list[int]
    changed_positions: BitMap


@dataclass
class _Held:
    snapshot_token: int
    index: DirectoryIndex
    rebuild_asked: bool = False
    views: dict = field(default_factory=dict)  # directory version → IndexView, or None


_held: _Held | None = None
_loading = threading.Lock()


def current_view(state: DirectoryState | None = None) -> IndexView | None:
    """The index with the changes since its snapshot, or None where the database must answer:
    the index is switched off, not built yet, or too many firms changed since. `state`: as
    `directory_state()` gave it during this request (read now if not given)."""
    global _held
    if not settings.WEFT_DIRECTORY_INDEX:
        return None
    state = state or directory_state()
    if state.snapshot_id is None:
        return None
    version, snapshot_id, snapshot_token = state.version, state.snapshot_id, state.snapshot_token
    held = _held
    if held is None or held.snapshot_token != snapshot_token:
        with _loading:
            held = _held
            if held is None or held.snapshot_token != snapshot_token:
                data = snapshot_data(snapshot_id)
                if data is None:  # replaced since the state was read: ask again next time
                    return None
                held = _held = _Held(snapshot_token, DirectoryIndex.loads(data))
    # Within a transaction its own writes are not in the version yet: never reuse a view there.
    if connection.in_atomic_block:
        return _view(held, state)
    views = held.views
    if version not in views:  # None too: the database answers until the version changes
        views = held.views = {version: _view(held, state)}
    return views[version]


def snapshot_data(snapshot_id: int) -> bytes | bytearray | None:
    """A snapshot's stored index, or None when it is gone. On PostgreSQL it is read in pieces:
    in one piece the driver holds it twice over as hex text besides the bytes, a passing peak of
    some 800 MiB per process at a million firms (131 MiB stored)."""
    table = DirectoryIndexSnapshot._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"SELECT data FROM {table} WHERE id = %s", [snapshot_id])  # noqa: S608
            row = cursor.fetchone()
            return row and row[0]
        cursor.execute(f"SELECT length(data) FROM {table} WHERE id = %s", [snapshot_id])  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            return None
        data = bytearray(row[0])
        for start in range(0, len(data), SNAPSHOT_PIECE):
            cursor.execute(
                f"SELECT substr(data, %s, %s) FROM {table} WHERE id = %s",  # noqa: S608
                [start + 1, SNAPSHOT_PIECE, snapshot_id],
            )
            row = cursor.fetchone()
            if row is None:  # deleted meanwhile (a snapshot is never changed)
                return None
            data[start : start + len(row[0])] = row[0]
    return data


def _view(held: _Held, state: DirectoryState) -> IndexView | None:
    limit = settings.WEFT_DIRECTORY_INDEX_MAX_CHANGES
    changed = changed_since(state.snapshot_id, limit)
    if changed is None:  # replaced twice since the state was read: ask again next time
        return None
    if len(changed) > limit:
        if not held.rebuild_asked:
            from .tasks import rebuild_directory_index

            held.rebuild_asked = True
            rebuild_directory_index.enqueue(replacing=state.snapshot_id)
        return None
    return IndexView(held.index, changed, held.index.positions_of(changed))


def firms_changed_since(snapshot: DirectoryIndexSnapshot) -> int:
    """How many firms this snapshot cannot answer for (the admin shows it)."""
    with connection.cursor() as cursor:
        cursor.execute(_changed("count(DISTINCT c.enterprise_id)"), [snapshot.pk, 1])
        return cursor.fetchone()[0]


def _changed(select: str) -> str:
    visible = _NOT_IN_HORIZON if connection.vendor == "postgresql" else ""
    return _CHANGED.format(select=select, visible=visible)


def index_tokens(filters) -> list[str] | None:
    """The index tokens of these directory filters, or None when a term needs the firms' text."""
    tokens: list[str] = []
    for term in search_terms(filters.q):
        decided = index_query_tokens(term)
        if decided is None:
            return None
        tokens += decided
    return list(dict.fromkeys(tokens + filters.facet_tokens()))


class IndexedMatches:
    """A directory search answered by the index, with the firms changed since its snapshot
    searched in the database and merged in the database's own order."""

    def __init__(self, view: IndexView, tokens: list[str], changed_matches: list[int]):
        self.view = view
        self.positions = view.index.matching(tokens)
        if view.changed_positions:
            self.positions = self.positions - view.changed_positions
        self.changed_matches = changed_matches
        self.count = len(self.positions) + len(changed_matches)
        # Firm id → position of the last page the index gave alone (`window`).
        self._page_positions: dict[int, int] = {}

    def listings(self, ids: list[int]) -> dict[int, tuple]:
        """The listings the index holds of these firms, by id: not those changed since its
        snapshot (the database gives theirs, as they are now)."""
        listings = self.view.index.listings
        if listings is None:
            return {}
        changed = self.view.changed_positions
        known = self._page_positions
        positions = (
            [known[i] for i in ids] if known.keys() >= set(ids) else self.view.index.positions(ids)
        )
        held = [
            (firm_id, position)
            for firm_id, position in zip(ids, positions, strict=True)
            if position is not None and position not in changed
        ]
        if not held:
            return {}
        firm_ids, positions = zip(*held, strict=True)
        return {row[0][0]: row for row in listings.at(list(firm_ids), positions)}

    def window(self, start: int, size: int, database_page) -> list[int]:
        """Ids of the firms from `start`, `size` of them, in the directory's order.
        `database_page(start, size)` answers deep pages the index cannot merge cheaply."""
        if start >= self.count or not size:
            return []
        index = self.view.index
        if not self.changed_matches:
            positions = list(self.positions[start : start + size])
            ids = index.ids(positions)
            self._page_positions = dict(zip(ids, positions, strict=True))
            return ids
        if start + size > MERGE_LIMIT:
            return database_page(start, size)
        head = index.ids(self.positions[0 : start + size])
        return list(
            Enterprise.objects.filter(id__in=head + self.changed_matches)
            .order_by("name_sort", "id")
            .values_list("id", flat=True)[start : start + size]
        )
