"""API answers that are the same for every caller, cached until the data behind them changes.

The key is the data's version token plus the full URL (the answer's page links name the host
and the query). Whatever renews the token (for the directory: database triggers on every write
to its tables) makes every cached answer unreachable at once, so no answer outlives its data;
the time limit only frees space. Throttling and authentication still run for every request.
For the directory the token is DirectoryVersion (weft/registry/models.py, migration 0004).
"""

import hashlib
from collections.abc import Callable

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel


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
    # The answer is built by the endpoint's own code from typed columns; checking it against the
    # schema and writing it with pydantic took 90 of a first-time directory request's 850 µs.
    # orjson writes it in 8. The test suite checks every answer it gets against the schema
    # (WEFT_CHECK_ANSWERS), so a change that breaks the declared shape fails there.
    body = orjson.dumps(data)
    if settings.WEFT_CHECK_ANSWERS:
        check_answer(schema, data, body)
    return HttpResponse(body, content_type=f"application/json; charset={settings.DEFAULT_CHARSET}")


def check_answer(schema: type[BaseModel], data, body: bytes) -> None:
    """Raises AnswerMismatch unless `body` is what pydantic would write for `data` under
    `schema`, every value already of its declared type (strict: no 0 for false, no "1" for 1)."""
    expected = schema.model_validate(data, strict=True).model_dump(mode="json", by_alias=True)
    if orjson.loads(body) != expected:
        raise AnswerMismatch(f"the answer differs from its schema {schema.__name__}")


class AnswerMismatch(AssertionError):
    """An answer written without pydantic differs from the one its schema gives."""
