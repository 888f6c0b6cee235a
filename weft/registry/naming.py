"""Chinese names: pinyin sort keys and normalisation for matching."""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from .search import normalise

LEGAL_FORM_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "经营部",
    "工作室",
    "合作社",
    "制衣厂",
    "厂",
    "店",
    "行",
)
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")


@lru_cache(maxsize=65536)
def _char_pinyin(ch: str) -> str:
    return "".join(lazy_pinyin(ch, style=Style.NORMAL, errors="default"))


def sort_key(name: str) -> str:
    """Pinyin of a name, letter by letter, so 阿 < 爱 < 北 < … as a Chinese reader expects."""
    text = normalise(name)
    return " ".join(_char_pinyin(ch) for ch in text if not ch.isspace())[:400]


def strip_legal_form(name: str) -> str:
    text = _BRACKETS.sub("", normalise(name))
    for suffix in LEGAL_FORM_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text
