"""Row validation: each cell checked against the registry's rules, with a specific message.

Errors are kept as a code and parameters, so a message is rendered in the language of whoever
reads it (the page, the API, the error report), not of whoever uploaded the file.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

from weft.registry.geocoding import geocode_many
from weft.registry.identifiers import uscc_is_valid, validate_uscc
from weft.registry.models import Certification, ChainStage, Enterprise, IndustryCode

from .columns import BY_FIELD

MESSAGES = {
    "required": _("%(column)s is required."),
    "too_long": _("%(column)s is longer than %(max)d characters."),
    "formula": _("%(column)s holds a formula (%(value)s); paste the value instead."),
    "uscc": _("Unified social credit code %(value)s: %(detail)s"),
    "uscc_duplicate": _("Code %(value)s already appears in row %(first)d of this file."),
    "stage_unknown": _(
        "Unknown chain stage “%(value)s”; use one of the stages on the template's second sheet."
    ),
    "industry_unknown": _(
        "Unknown industry code “%(value)s” (GB/T 4754-2017, divisions 17, 18, 19, 28)."
    ),
    "certification_unknown": _("Unknown certification “%(value)s”."),
    "employees_not_number": _("Employees must be a whole number, not “%(value)s”."),
    "employees_negative": _("Employees cannot be negative (%(value)s)."),
    "year_invalid": _("Year founded must be a year between 1800 and 2100, not “%(value)s”."),
    "email_invalid": _("“%(value)s” is not an email address."),
    "website_invalid": _("“%(value)s” is not a web address."),
    "address_vague": _(
        "The address “%(value)s” locates only to %(place)s; give the city and county (区/县)."
    ),
    "address_unknown": _("The address “%(value)s” cannot be located in China."),
}

MAX_LENGTH = {
    "name_zh": 200,
    "name_en": 200,
    "address": 300,
    "main_products": 500,
    "contact_name": 50,
    "contact_phone": 30,
}
_SPLIT = re.compile(r"[,，、;；/|\n]+")


def message(code: str, params: dict) -> str:
    """The message of an error in the active language."""
    params = dict(params)
    if "field" in params:
        params["column"] = params.get("column") or str(BY_FIELD[params["field"]].label)
    if code == "uscc":
        errors = validate_uscc(params.get("value", "")).errors
        params["detail"] = errors[0]["message"] if errors else ""
    return str(MESSAGES[code]) % params


@dataclass
class Row:
    number: int
    values: dict
    errors: list[dict] = field(default_factory=list)
    place: object = None

    def error(self, code: str, field_name: str = "", **params):
        self.errors.append({"field": field_name, "code": code, "params": params})

    @property
    def ok(self) -> bool:
        return not self.errors


class Vocabulary:
    """Stage, industry-code and certification names, loaded once per import."""

    def __init__(self):
        self.stages = {}
        for s in ChainStage.objects.all():
            for key in (s.code, s.name_zh, s.name_en):
                self.stages[key.lower()] = s.code
        self.industry_codes = set(IndustryCode.objects.values_list("code", flat=True))
        self.certifications = {}
        for c in Certification.objects.all():
            for key in (c.code, c.name_zh, c.name_en):
                self.certifications[key.lower()] = c.code


def _codes(row: Row, field_name: str, raw: str, lookup, code: str) -> list[str]:
    found = []
    for part in _SPLIT.split(raw):
        part = part.strip()
        if not part:
            continue
        value = lookup(part)
        if value is None:
            row.error(code, field_name, value=part)
        elif value not in found:
            found.append(value)
    return found


def _whole_number(raw: str):
    text = raw.replace(",", "").replace("，", "").replace("人", "").strip()
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def validate_rows(
    raw_rows: list[tuple[int, list]],
    mapping: dict[int, str],
    headers: list[str],
    vocab: Vocabulary,
    seen_usccs: dict[str, int],
    *,
    formulas: bool,
    places: "PlaceCache | None" = None,
) -> list[Row]:
    """Check a batch of rows. `seen_usccs` (code → first row) spans the whole file."""
    rows = []
    for number, cells in raw_rows:
        row = Row(number, {})
        for index, field_name in mapping.items():
            raw = cells[index] if index < len(cells) else None
            if raw is None:
                continue
            column = headers[index] if index < len(headers) else ""
            if formulas and raw.startswith("="):
                row.error("formula", field_name, column=column, value=raw[:40])
                continue
            _clean(row, field_name, raw, column, vocab, seen_usccs)
        if not row.values.get("name_zh") and not any(e["field"] == "name_zh" for e in row.errors):
            row.error("required", "name_zh", field="name_zh")
        rows.append(row)
    _geocode(rows, places if places is not None else PlaceCache())
    return rows


def _clean(row: Row, name: str, raw: str, column: str, vocab: Vocabulary, seen: dict):
    limit = MAX_LENGTH.get(name)
    if limit and len(raw) > limit:
        row.error("too_long", name, column=column, max=limit)
        return
    if name == "uscc":
        code, valid = uscc_is_valid(raw)  # the message is built when shown (`message`)
        if not valid:
            row.error("uscc", name, value=raw)
            return
        first = seen.get(code)
        if first is not None and first != row.number:
            row.error("uscc_duplicate", name, value=code, first=first)
            return
        seen[code] = row.number
        row.values["uscc"] = code
    elif name == "stages":
        row.values[name] = _codes(
            row, name, raw, lambda p: vocab.stages.get(p.lower()), "stage_unknown"
        )
    elif name == "industry_codes":
        row.values[name] = _codes(
            row, name, raw, lambda p: p if p in vocab.industry_codes else None, "industry_unknown"
        )
    elif name == "certifications":
        row.values[name] = _codes(
            row,
            name,
            raw,
            lambda p: vocab.certifications.get(p.lower()),
            "certification_unknown",
        )
    elif name == "employees":
        number = _whole_number(raw)
        if number is None:
            row.error("employees_not_number", name, value=raw)
        elif number < 0:
            row.error("employees_negative", name, value=raw)
        else:
            row.values[name] = number
    elif name == "founded_year":
        number = _whole_number(raw)
        if number is None or not 1800 <= number <= 2100:
            row.error("year_invalid", name, value=raw)
        else:
            row.values[name] = number
    elif name == "contact_email":
        try:
            validate_email(raw)
            row.values[name] = raw
        except ValidationError:
            row.error("email_invalid", name, value=raw)
    elif name == "website":
        url = raw if "://" in raw else f"http://{raw}"
        try:
            URLValidator()(url)
            row.values[name] = url
        except ValidationError:
            row.error("website_invalid", name, value=raw)
    else:
        row.values[name] = raw


# Where an address's administrative part ends: its first county-level or town word (not the 区
# of 自治区, a province) or its 街道, else its second 市 (a county-level city).
# 广东省东莞市虎门镇连升路8号 → 广东省东莞市虎门镇; 浙江省嘉兴市海宁市海州路1号 → 浙江省嘉兴市海宁市.
_ADMIN_PART = re.compile(r"^.+?(?:(?<!自治)区|[县旗镇乡]|街道)|^.+?市.+?市")


class PlaceCache:
    """Geocodes by the administrative part of the address, kept for the whole import.

    A list's addresses share a few hundred such parts (towns and districts): each is located once.
    A part is trusted only when it locates to a county by itself, since more words cannot change
    a county cpca has already found; any other address is located whole, as before.
    """

    def __init__(self):
        self.by_part: dict[str, object] = {}

    def locate(self, addresses: list[str]) -> list:
        parts = []
        for address in addresses:
            m = _ADMIN_PART.match(address)
            parts.append(m.group(0) if m else None)
        unknown = sorted({p for p in parts if p is not None and p not in self.by_part})
        if unknown:
            for part, place in zip(unknown, geocode_many(unknown), strict=True):
                self.by_part[part] = place if place.precision == "county" else None
        found = [self.by_part.get(p) if p is not None else None for p in parts]
        rest = [i for i, place in enumerate(found) if place is None]
        if rest:
            for i, place in zip(rest, geocode_many([addresses[i] for i in rest]), strict=True):
                found[i] = place
        return found


def _geocode(rows: list[Row], cache: PlaceCache) -> None:
    located = [r for r in rows if r.values.get("address")]
    if not located:
        return
    places = cache.locate([r.values["address"] for r in located])
    for row, place in zip(located, places, strict=True):
        row.place = place
        if place.precision == Enterprise.GeocodePrecision.NONE:
            row.error("address_unknown", "address", value=row.values["address"])
        elif place.precision == Enterprise.GeocodePrecision.PROVINCE:
            row.error("address_vague", "address", value=row.values["address"], place=place.province)
