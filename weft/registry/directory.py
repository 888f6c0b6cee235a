"""One page of the enterprise directory and its exact count, by the cheapest plan for the search.

First choice: the in-memory index (directory_index.py), which counts and pages without reading
any row but the page's. The database plans below answer when it cannot: not built yet, switched
off, too many firms changed since its build, or a term it cannot decide alone.

The generic plan (`selectors.enterprise_directory` with COUNT(*) OVER ()) reads every match's
row to count it and to sort it by name: at a million firms, ~2 µs per match on SQLite, so a
search matching 60,000 firms costs 130 ms however few rows the page shows.

On SQLite, when the index tokens alone decide the search (every term is proved by its tokens,
see `search.tokens_prove`), the count is read from the FTS5 index without touching a row, and
the page is found one of two ways, whichever reads fewer rows:
- *walk*: go down the `name_sort` index in name order, keeping the firms the index matched,
  until the page is full; about (start + size) × firms ÷ matches rows, cheap when matches are
  dense;
- *sort*: fetch every match's name and keep the first rows; about `matches` rows, cheap when
  matches are few.
Reading a row costs about the same either way, so the walk is taken when
`(start + size) × firms < matches²`. Both give the same rows in the same order (name, then id).

PostgreSQL's GIN index cannot count without visiting each match's row, so there the generic
plan stays (see `core.pagination.windowed_page`).
"""

from django.db import connection

from weft.core.pagination import windowed_page

from .fields import FTS, fts_match
from .index_selectors import DirectoryState, IndexedMatches, current_view, index_tokens
from .models import Enterprise
from .search import search_terms, tokens_prove
from .selectors import (
    EnterpriseFilters,
    directory_rows,
    enterprise_directory,
    enterprise_list_page,
)

_COUNT = f"SELECT count(*) FROM {FTS} WHERE {FTS} MATCH %s"  # noqa: S608
# `+id` keeps SQLite from answering IN by rowid lookups, so it walks the name_sort index.
_WALK = (
    f"SELECT id FROM registry_enterprise WHERE +id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s) "  # noqa: S608, E501
    "ORDER BY name_sort, id LIMIT %s OFFSET %s"
)
_SORT = (
    f"SELECT e.id FROM (SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH %s) AS m "  # noqa: S608
    "JOIN registry_enterprise AS e ON e.id = m.id ORDER BY e.name_sort, e.id LIMIT %s OFFSET %s"
)


class DirectoryMatches:
    """The firms matching some directory filters, as `core.pagination.paginate` pages them:
    `window(start, size)` gives `[{"id": ...}, ...]` in name order and the number of matches.

    The in-memory index answers when it holds every token the search needs (index_selectors);
    otherwise the database does, by the plans above."""

    def __init__(self, filters: EnterpriseFilters, state: DirectoryState | None = None):
        self.filters = filters
        self._count: int | None = None
        self._indexed = _indexed_matches(filters, state)
        self._match = None if self._indexed else _sqlite_match(filters)

    def window(self, start: int, size: int) -> tuple[list[dict], int]:
        if self._indexed is not None:
            ids = self._indexed.window(start, size, self._database_page)
            return [{"id": i} for i in ids], self._indexed.count
        if self._match is not None:
            ids, self._count = _sqlite_window(self._match, start, size, self._count)
            return [{"id": i} for i in ids], self._count
        ids = enterprise_directory(self.filters).values("id")
        if self._count is None:
            return windowed_page(ids, start, size)
        return list(ids[start : start + size]), self._count  # counted already (`count`)

    def rows(self, page: list[dict], version: int | None = None) -> list[dict]:
        """The page's directory rows (`selectors.directory_rows`): those the index holds from
        memory, the others from the database."""
        held = self._indexed.listings([row["id"] for row in page]) if self._indexed else None
        return directory_rows(page, version, held)

    def _database_page(self, start: int, size: int) -> list[int]:
        return list(
            enterprise_directory(self.filters).values_list("id", flat=True)[start : start + size]
        )

    def count(self) -> int:
        if self._indexed is not None:
            return self._indexed.count
        if self._count is None:
            if self._match is not None:
                self._count = _sqlite_count(self._match)
            else:
                self._count = enterprise_directory(self.filters).count()
        return self._count


class DirectoryListing:
    """Directory matches as Django's Paginator pages them for the directory pages: a count, and
    slices of firms with what a directory row shows."""

    def __init__(self, filters: EnterpriseFilters):
        self.matches = DirectoryMatches(filters)

    def count(self) -> int:
        return self.matches.count()

    def __getitem__(self, window: slice) -> list[Enterprise]:
        page, _count = self.matches.window(window.start, window.stop - window.start)
        ids = [row["id"] for row in page]
        firms = {e.pk: e for e in enterprise_list_page(Enterprise.objects.filter(id__in=ids))}
        return [firms[i] for i in ids if i in firms]


def _indexed_matches(filters: EnterpriseFilters, state) -> IndexedMatches | None:
    tokens = index_tokens(filters)
    view = current_view(state) if tokens is not None else None
    if view is None:
        return None
    changed = []
    if view.changed_ids:
        # Firms written since the snapshot: searched by the database, as they are now.
        changed = list(
            enterprise_directory(filters)
            .filter(id__in=view.changed_ids)
            .values_list("id", flat=True)
        )
    return IndexedMatches(view, tokens, changed)


def _sqlite_match(filters: EnterpriseFilters) -> str | None:
    """The FTS5 query answering the search alone, on SQLite when the tokens decide it."""
    tokens = filters.tokens()
    decided = all(tokens_prove(term) for term in search_terms(filters.q))
    return fts_match(tokens) if connection.vendor == "sqlite" and tokens and decided else None


def _sqlite_count(match: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [match])
        return cursor.fetchone()[0]


def _sqlite_window(
    match: str, start: int, size: int, count: int | None = None
) -> tuple[list[int], int]:
    if count is None:
        count = _sqlite_count(match)
    if start >= count or not size:
        return [], count
    # Two statements, as Django's Paginator does: a write committed between them can leave the
    # count one off the page. (A transaction would take SQLite's write lock: IMMEDIATE mode.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM registry_enterprise")
        firms = cursor.fetchone()[0] or 0
        plan = _WALK if walk_is_cheaper(start + size, count, firms) else _SORT
        cursor.execute(plan, [match, size, start])
        return [row[0] for row in cursor.fetchall()], count


def walk_is_cheaper(rows_wanted: int, matches: int, firms: int) -> bool:
    """Whether walking the name index (≈ rows_wanted × firms ÷ matches rows read) reads fewer
    rows than sorting every match (≈ matches rows)."""
    return rows_wanted * firms < matches * matches
