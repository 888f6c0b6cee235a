"""Parameters several endpoints share: free-text search with one length limit, and ids and
whole numbers read from a form's POST or a query string.

Each word of a search becomes a condition of its own (several for a long Chinese word), so a
search of a thousand short words is a query SQLite refuses ("Expression tree is too large").
The web forms take 100 characters; the API takes the same, and says so when a search is longer.
"""

import re
from typing import Annotated

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, Field, ValidationInfo

from .errors import ApiError

SEARCH_MAX_LENGTH = 100

# The largest id a database row can have (a signed 64-bit integer, SQLite and PostgreSQL alike).
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def id_param(data, name: str) -> int | None:
    """The id `data[name]` names (`data` is request.POST or request.GET), or None when it names
    none: missing, empty, a word, "1e9", "-1", "0", digits of another script, or past MAX_ID.

    A lookup by None finds nothing, so `get_object_or_404(Model, pk=id_param(...))` answers 404
    for a forged or mistyped id, as for an unknown one, rather than a 500 from int("abc").
    """
    return parse_id(data.get(name))


def parse_id(raw) -> int | None:
    """`raw` (a string, or None) as a row's id, or None when it is none (see id_param)."""
    raw = str(raw or "").strip()
    if not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def int_param(data, name: str) -> int | None:
    """The whole number `data[name]` holds (a sign allowed), or None when it holds none: missing,
    empty, a word, "1e9", "4.5". Callers check the range and say what they expect."""
    raw = str(data.get(name) or "").strip()
    return int(raw) if _WHOLE_NUMBER.fullmatch(raw) and len(raw) <= 20 else None


def check_search_text(value: str, info: ValidationInfo) -> str:
    length = len(value.strip())
    if length > SEARCH_MAX_LENGTH:
        message = _(
            "The search “%(param)s” may have at most %(max)d characters; this one has %(n)d."
        ) % {"param": info.field_name, "max": SEARCH_MAX_LENGTH, "n": length}
        # Raised as it is (not a ValueError), so the answer's message names the parameter and
        # the limit rather than the generic "The request is not valid."; details keep the shape
        # of other invalid parameters.
        raise ApiError(
            422,
            "invalid_request",
            message,
            [{"loc": ["query", info.field_name], "message": message, "type": "string_too_long"}],
        )
    return value


class QueryParams(BaseModel):
    """The base of every endpoint's query parameters (`Query[...]`). A plain pydantic model: ninja's
    Schema reads its input through a Python getter per field (made for ORM objects), which for a
    query string's dict cost as much as the rest of reading the parameters twice over."""


SearchText = Annotated[
    str,
    Field(json_schema_extra={"maxLength": SEARCH_MAX_LENGTH}),
    AfterValidator(check_search_text),
]


def year_param(data, default: int | None, name: str = "year") -> int | None:
    """The year `data[name]` asks for (four digits), or `default` when it asks for none. Anything
    else (a word, "1e9", "-1", "20240") is a BadRequest saying what a year looks like: a 400 page,
    rather than a 500 or quietly another year's figures."""
    if not str(data.get(name) or "").strip():
        return default
    year = int_param(data, name)
    if year is None or not 1000 <= year <= 9999:
        raise BadRequest(
            _("The year “%(value)s” is not a year: give four digits, such as 2024.")
            % {"value": str(data.get(name))[:20]}
        )
    return year
