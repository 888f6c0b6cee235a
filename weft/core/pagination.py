"""Page-number pagination with a total count, the same shape on every list endpoint; and the
page a web list shows for whatever `?page=` its link carries."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db import connections, transaction
from django.db.models import Count, Window
from django.utils.translation import gettext as _

from .errors import ApiError

# SQL's OFFSET is a signed 64-bit number (SQLite and PostgreSQL alike): a page starting past it
# cannot even be asked for, and no table has that many rows.
_MAX_OFFSET = 2**63 - 1


def nearest_page(paginator: Paginator, number):
    """Page `number` of a web list, or the nearest one: the first for no number, a word or a
    number below 1, the last past the end. (Paginator.get_page gives the last page for 0.)"""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    return paginator.get_page(max(number, 1))


def check_page(page: int, page_size: int | None) -> None:
    if page < 1 or (page_size is not None and page_size < 1):
        raise ApiError(422, "invalid_request", _("page and page_size must be 1 or more."))


def paginate(
    request,
    queryset,
    *,
    page: int,
    page_size: int | None,
    windowed: bool = False,
    rows: Callable[[list], list] | None = None,
) -> dict:
    """One page of `queryset` with its total count and links.

    `windowed` counts in the page's own query (COUNT(*) OVER ()), so a search whose matches are
    expensive to find is evaluated once, not twice; an object with its own
    `window(start, size) -> (items, count)` is asked for the page and count instead. `rows`
    turns the page's objects into what the endpoint returns.
    """
    check_page(page, page_size)
    size = min(page_size or settings.WEFT_API_PAGE_SIZE, settings.WEFT_API_MAX_PAGE_SIZE)
    if windowed:
        start = (page - 1) * size
        if start + size > _MAX_OFFSET:
            _out_of_range(page, _last_page(queryset.count(), size))
        window = getattr(queryset, "window", None)
        items, count = window(start, size) if window else windowed_page(queryset, start, size)
    else:
        paginator = Paginator(queryset, size, allow_empty_first_page=True)
        try:
            current = paginator.page(page)
        except EmptyPage:
            _out_of_range(page, paginator.num_pages)
        items, count = list(current.object_list), paginator.count
    pages = _last_page(count, size)
    if page > pages:
        _out_of_range(page, pages)

    here = request.build_absolute_uri(request.path)
    # The query as given, its (first) page number replaced or added. Plain pairs: copying the
    # QueryDict for each link cost as much as a page's rows from memory.
    pairs, at = [], None
    for key, values in request.GET.lists():
        if key == "page":
            at = len(pairs)
            pairs.append(None)
        else:
            pairs += [(key, value) for value in values]
    if at is None:
        at = len(pairs)
        pairs.append(None)

    def link(number):
        pairs[at] = ("page", str(number))
        return f"{here}?{urlencode(pairs)}"

    return {
        "count": count,
        "page": page,
        "page_size": size,
        "pages": pages,
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": rows(items) if rows else items,
    }


def windowed_page(queryset, start: int, size: int) -> tuple[list, int]:
    """Rows `start` to `start + size` of `queryset` and the number of all its rows, in one query."""
    windowed = queryset.annotate(total_rows=Window(Count("*")))[start : start + size]
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        # The window reads every match, so walking an ORDER BY index never stops early; but the
        # planner costs the walk as if LIMIT did (3 s instead of 40 ms at a million firms).
        with transaction.atomic(using=queryset.db):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_indexscan = off")
            items = list(windowed)
    else:
        items = list(windowed)
    if items:
        if isinstance(items[0], dict):
            total = items[0]["total_rows"]
            for item in items:
                del item["total_rows"]
        else:
            total = items[0].total_rows
        return items, total
    # Past the last page the window has no row to carry the total: count the plain way.
    return items, queryset.count() if start else 0


def _last_page(count: int, size: int) -> int:
    return max(1, -(-count // size))


def _out_of_range(page: int, last: int):
    raise ApiError(
        404,
        "page_out_of_range",
        _("Page %(page)d does not exist; the last page is %(last)d.")
        % {"page": page, "last": last},
    ) from None
