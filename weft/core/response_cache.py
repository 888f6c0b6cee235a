"""API answers that are the same for every caller, cached until the data behind them changes.

The key is the data's version token plus the full URL (the answer's page links name the host
and the query). Whatever renews the token (for the directory: database triggers on every write
to its tables) makes every cached answer unreachable at once, so no answer outlives its data;
the time limit only frees space. Throttling and authentication still run for every request.
For the directory the token is DirectoryVersion (weft/registry/models.py, migration 0004).
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel

from .api import api


def cached_public_answer(
    request: HttpRequest,
    schema: type[BaseModel],
    build: Callable[[], object],
    *,
    version: int | None,
    seconds: int,
) -> HttpResponse:
    # Inside a transaction the answer may include its own uncommitted writes, which the version
    # does not show until commit (and never, if it rolls back): build it, never cache it.
    if not seconds or version is None or connection.in_atomic_block:
        return _render(request, schema, build())
    key = (
        "answer:" + hashlib.sha256(f"{version} {request.build_absolute_uri()}".encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        content_type, body = cached
        return HttpResponse(body, content_type=content_type)
    response = _render(request, schema, build())
    cache.set(key, (response["Content-Type"], response.content), seconds)
    return response


def _render(request, schema, data) -> HttpResponse:
    # The same validation and JSON the endpoint's declared response schema would give, written
    # by pydantic itself (a fifth of the time of building dicts for the json module).
    return HttpResponse(
        schema.model_validate(data).model_dump_json(by_alias=True),
        content_type=f"{api.renderer.media_type}; charset={settings.DEFAULT_CHARSET}",
    )
