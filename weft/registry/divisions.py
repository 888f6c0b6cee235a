"""China's administrative divisions (province / prefecture / county), from the table `cpca` ships."""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


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
    """'44', '440000' or '广东省' / '广东' → '44'."""
    value = (value or "").strip()
    if value.isdigit() and len(value) in (2, 6) and get(value[:2] + "0000"):
        return value[:2]
    for d in provinces():
        if value and (d.name == value or d.name.startswith(value)):
            return d.adcode[:2]
    return None


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
