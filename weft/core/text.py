"""Text helpers that depend on the active language."""

from collections.abc import Iterable

from django.utils.translation import get_language


def list_separator() -> str:
    """What goes between the items of a list: "、" in Chinese, ", " in English."""
    return ", " if (get_language() or "").startswith("en") else "、"


def join_list(items: Iterable) -> str:
    """`a、b、c` on Chinese pages, `a, b, c` on English ones."""
    return list_separator().join(str(item) for item in items)
