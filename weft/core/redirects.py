"""Where to send a visitor back to after a form: a page of this site, never one a link chose.

A `next` field (or the Referer) is whatever the request says; taken as it is, a crafted form
sends the user from Weft to any site (an open redirect). Django's own login and language views
check it the same way.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_target(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, default: str, *, referer: bool = False) -> str:
    """`next` from the form or the query string if it stays on this site, else the Referer (when
    `referer`) if it does, else `default` (a path or URL name, as `redirect` takes)."""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if referer:
        candidates.append(request.META.get("HTTP_REFERER"))
    return next((url for url in candidates if is_safe_target(request, url)), default)
