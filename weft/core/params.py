"""Query parameters several list endpoints share: free-text search with one length limit.

Each word of a search becomes a condition of its own (several for a long Chinese word), so a
search of a thousand short words is a query SQLite refuses ("Expression tree is too large").
The web forms take 100 characters; the API takes the same, and says so when a search is longer.
"""

from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, ValidationInfo

from .errors import ApiError

SEARCH_MAX_LENGTH = 100


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


SearchText = Annotated[
    str,
    Field(json_schema_extra={"maxLength": SEARCH_MAX_LENGTH}),
    AfterValidator(check_search_text),
]
