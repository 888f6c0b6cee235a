"""Links in what leaves the site, such as e-mails sent by background work: absolute, from
WEFT_SITE_URL, since there is no request to take the host from."""

from django.conf import settings


def absolute_url(path: str) -> str:
    if not path or "://" in path:
        return path
    return settings.WEFT_SITE_URL.rstrip("/") + path
