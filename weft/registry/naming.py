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


def name_keys(name: str, adcode: str = "") -> dict[str, str]:
    """The columns derived from a firm's name (and, for matching, its place), by field name."""
    return {"name_sort": sort_key(name), "match_key": match_key(name, adcode or "")}


def set_name_keys(enterprise) -> None:
    """Set the name keys of a firm: by every write that may change its name or adcode."""
    for field, value in name_keys(enterprise.name_zh, enterprise.adcode).items():
        setattr(enterprise, field, value)


def strip_legal_form(name: str) -> str:
    text = _BRACKETS.sub("", normalise(name))
    for suffix in LEGAL_FORM_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


# --- matching keys (entity resolution in bulk imports) -----------------------------------------
MATCH_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "集团",
    "经营部",
    "工作室",
    "合作社",
    "商行",
    "厂",
    "店",
    "行",
)
_DIVISION_SUFFIX = re.compile(
    r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|省|市|区|县|盟|旗)$"
)
_TOWN = re.compile(r"^[\u4e00-\u9fff]{2,3}?(镇|街道|乡)")
_NOT_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=1)
def _place_names() -> dict[str, list[tuple[str, frozenset]]]:
    """Division names, full (广东省) and short (广东), each with the codes it may stand for:
    2 digits for a province, 4 for a prefecture, 6 for a county."""
    from .divisions import divisions

    names: dict[str, set] = {}
    for code, d in divisions().items():
        if d.name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        level = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        names.setdefault(d.name, set()).add(level)
        short = _DIVISION_SUFFIX.sub("", d.name)
        if len(short) >= 2:
            names.setdefault(short, set()).add(level)
    # By first two characters, longest first: most text starts with no place name at all.
    by_start: dict[str, list[tuple[str, frozenset]]] = {}
    for name, codes in sorted(names.items(), key=lambda kv: -len(kv[0])):
        by_start.setdefault(name[:2], []).append((name, frozenset(codes)))
    return by_start


def _leading_place(text: str, adcode: str) -> int:
    """Length of the longest place name `text` starts with that is the firm's own place (0 if
    none). Trade names are often place names elsewhere (新昌, 嘉禾, 成华 are counties): only the
    firm's own province, prefecture or county counts; without a location, only full names."""
    for name, codes in _place_names().get(text[:2], ()):
        length = len(name)
        if len(text) < length + 2 or not text.startswith(name):
            continue
        if adcode:
            if not any(adcode.startswith(c) for c in codes):
                continue
        elif not _DIVISION_SUFFIX.search(text[:length]):
            continue
        # 沙湾 is a county in Xinjiang but 沙湾镇 a town in Guangzhou: towns stay whole here.
        if not text[length:].startswith(("镇", "乡", "街道")):
            return length
    return 0


def strip_places(text: str, adcode: str = "") -> str:
    """Without the leading names of the firm's province, prefecture and county (广东省东莞市… →
    …), normalised, without spaces and punctuation."""
    text = _NOT_WORD.sub("", normalise(text)).replace("_", "")
    while cut := _leading_place(text, adcode):
        text = text[cut:]
    return text


@lru_cache(maxsize=262144)
def match_key(name: str, adcode: str = "") -> str:
    """A name as entity resolution compares it: full-width folded, brackets, place prefixes
    (province, city, county, town) and legal-form suffixes removed.

    东莞市虎门镇丽人制衣有限公司, 丽人制衣（东莞）有限责任公司 and 丽人制衣厂 all become 丽人制衣.
    `adcode` is where the firm is: see `_leading_place`.
    """
    text = strip_places(_BRACKETS.sub("", normalise(name)), adcode)
    town = _TOWN.match(text)
    if town and len(text) - town.end() >= 2:
        text = text[town.end() :]
    for _round in range(2):
        for suffix in MATCH_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                break
    return text
