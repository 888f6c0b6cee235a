"""China's administrative divisions (province / prefecture / county), from the table `cpca` ships."""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.utils.translation import get_language

# English names of the 34 provincial-level divisions (official pinyin forms), by the first two
# digits of the code; cpca's table has only the Chinese names.
PROVINCE_NAMES_EN = {
    "11": "Beijing",
    "12": "Tianjin",
    "13": "Hebei",
    "14": "Shanxi",
    "15": "Inner Mongolia",
    "21": "Liaoning",
    "22": "Jilin",
    "23": "Heilongjiang",
    "31": "Shanghai",
    "32": "Jiangsu",
    "33": "Zhejiang",
    "34": "Anhui",
    "35": "Fujian",
    "36": "Jiangxi",
    "37": "Shandong",
    "41": "Henan",
    "42": "Hubei",
    "43": "Hunan",
    "44": "Guangdong",
    "45": "Guangxi",
    "46": "Hainan",
    "50": "Chongqing",
    "51": "Sichuan",
    "52": "Guizhou",
    "53": "Yunnan",
    "54": "Tibet (Xizang)",
    "61": "Shaanxi",
    "62": "Gansu",
    "63": "Qinghai",
    "64": "Ningxia",
    "65": "Xinjiang",
    "71": "Taiwan",
    "81": "Hong Kong",
    "82": "Macao",
}


@dataclass(frozen=True)
class Division:
    adcode: str  # six digits
    name: str
    latitude: float
    longitude: float


@cache
def divisions() -> dict[str, Division]:
    table = resources.files("cpca") / "resources" / "adcodes.csv"
    out: dict[str, Division] = {}
    with table.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"]
            if not code.endswith("000000"):
                continue  # township level; Weft locates to county level
            short = code[:6]
            out[short] = Division(
                short, row["name"], float(row["latitude"] or 0), float(row["longitude"] or 0)
            )
    return out


def get(adcode: str) -> Division | None:
    return divisions().get(adcode)


def province_of(adcode: str) -> Division | None:
    return get(adcode[:2] + "0000")


def prefecture_of(adcode: str) -> Division | None:
    return get(adcode[:4] + "00")


@cache
def provinces() -> list[Division]:
    return sorted(
        (d for code, d in divisions().items() if code.endswith("0000")), key=lambda d: d.adcode
    )


def province_code(value: str) -> str | None:
    """'44', '440000', '广东省' / '广东' or 'Guangdong' → '44'. A shortened name counts only when
    it names one province: '江' (江苏省 or 江西省?) is no province."""
    value = (value or "").strip()
    if value.isdigit() and len(value) in (2, 6) and get(value[:2] + "0000"):
        return value[:2]
    starting = [d for d in provinces() if value and d.name.startswith(value)]
    exact = [d for d in starting if d.name == value]
    if exact or len(starting) == 1:
        return (exact or starting)[0].adcode[:2]
    for code, name in PROVINCE_NAMES_EN.items():
        if value and value.casefold() == name.casefold():
            return code
    return None


def province_label(division: Division) -> str:
    """A province's name in the active language: English pages get the English name."""
    if (get_language() or "").startswith("en"):
        return PROVINCE_NAMES_EN.get(division.adcode[:2], division.name)
    return division.name


def province_name(value: str) -> str:
    """A province stored by its Chinese name (as on clusters and firms) in the active language;
    anything that is not a province's full Chinese name comes back unchanged."""
    if not value or not (get_language() or "").startswith("en"):
        return value
    code = _province_codes_by_name().get(value)
    return PROVINCE_NAMES_EN.get(code, value) if code else value


@cache
def _province_codes_by_name() -> dict[str, str]:
    return {d.name: d.adcode[:2] for d in provinces()}


def region(adcode: str) -> dict:
    """Province, prefecture and county names for a six-digit code (prefecture/county may be '')."""
    prov, pref, county = province_of(adcode), prefecture_of(adcode), get(adcode)
    return {
        "adcode": adcode,
        "province": prov.name if prov else "",
        # Municipalities list their districts under a placeholder prefecture (市辖区).
        "city": pref.name
        if pref
        and pref.adcode != (prov.adcode if prov else None)
        and pref.name not in ("市辖区", "县")
        else "",
        "county": county.name if county and not adcode.endswith("00") else "",
    }


@cache
def _prefectures_with_counties() -> set[str]:
    return {code[:4] for code in divisions() if not code.endswith("00")}


def has_no_counties(adcode: str) -> bool:
    """True for prefecture-level cities without counties (东莞市, 中山市, 嘉峪关市, 儋州市)."""
    return (
        adcode.endswith("00")
        and not adcode.endswith("0000")
        and adcode[:4] not in _prefectures_with_counties()
    )


# Suffixes of prefecture-, county- and town-level names, longest first, and how English writes
# them (GB/T 16159 spells the proper name in pinyin and translates the kind of division).
_PLACE_SUFFIXES_EN = (
    ("自治州", " Autonomous Prefecture"),
    ("自治县", " Autonomous County"),
    ("街道", " Subdistrict"),
    ("地区", " Prefecture"),
    ("新区", " New Area"),
    ("市", ""),
    ("区", " District"),
    ("县", " County"),
    ("旗", " Banner"),
    ("镇", " Town"),
    ("乡", " Township"),
)


def place_name(value: str) -> str:
    """A prefecture, county or town (stored in Chinese) in the active language: on English pages
    its pinyin with the kind of division in English (东莞市 → Dongguan, 柯桥区 → Keqiao District,
    虎门镇 → Humen Town). Names that are not Chinese come back unchanged."""
    if not value or not (get_language() or "").startswith("en"):
        return value
    return _place_name_en(value)


@cache
def _place_name_en(value: str) -> str:
    from pypinyin import Style, lazy_pinyin

    stem, kind = value, ""
    for suffix, english in _PLACE_SUFFIXES_EN:
        if value.endswith(suffix) and len(value) > len(suffix):
            stem, kind = value[: -len(suffix)], english
            break
    syllables = lazy_pinyin(stem, style=Style.NORMAL, errors="default")
    if not stem or syllables == [stem]:
        return value
    # Pinyin marks where a syllable starting with a vowel begins: Xi'an, not Xian.
    word = syllables[0] + "".join(("'" if s[0] in "aoe" else "") + s for s in syllables[1:])
    return word.capitalize() + kind
