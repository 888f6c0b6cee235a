"""Page-number pagination with a total count, the same shape on every list endpoint."""

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.http import QueryDict

from .api import ApiError


def paginate(request, queryset, *, page: int, page_size: int | None) -> dict:
    from django.utils.translation import gettext as _

    size = min(page_size or settings.WEFT_API_PAGE_SIZE, settings.WEFT_API_MAX_PAGE_SIZE)
    paginator = Paginator(queryset, size, allow_empty_first_page=True)
    try:
        current = paginator.page(page)
    except EmptyPage:
        raise ApiError(
            404,
            "page_out_of_range",
            _("Page %(page)d does not exist; the last page is %(last)d.")
            % {"page": page, "last": paginator.num_pages},
        ) from None

    def link(number):
        params = QueryDict(mutable=True)
        params.update(request.GET)
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return {
        "count": paginator.count,
        "page": current.number,
        "page_size": size,
        "pages": paginator.num_pages,
        "next": link(current.next_page_number()) if current.has_next() else None,
        "previous": link(current.previous_page_number()) if current.has_previous() else None,
        "results": list(current.object_list),
    }
