"""Chinese names: pinyin sort keys and normalisation for matching."""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.seg.mmseg import seg as mmseg

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


@lru_cache(maxsize=262144)
def _word_pinyin(word: str) -> str:
    return " ".join(lazy_pinyin(word, style=Style.NORMAL, errors="default"))


def sort_key(name: str) -> str:
    """Pinyin of a name, so 阿 < 爱 < 北 < … as a Chinese reader expects.

    The name is cut into dictionary words first, so heteronyms take the reading of their word
    (长 in 长兴 is chang, not zhang); words repeat across names, so their pinyin is cached.
    """
    text = "".join(normalise(name).split())
    return " ".join(_word_pinyin(w) for w in mmseg.cut(text))[:400]


def strip_legal_form(name: str) -> str:
    text = _BRACKETS.sub("", normalise(name))
    for suffix in LEGAL_FORM_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text
