"""Merging an incoming row into a registry record: fill gaps, newer wins, provenance per field."""

from decimal import Decimal

from weft.registry.models import Enterprise
from weft.registry.naming import set_name_keys
from weft.registry.services import size_band_for

M2M = ("stages", "industry_codes", "certifications")
SCALARS = (
    "name_zh",
    "name_en",
    "uscc",
    "address",
    "main_products",
    "employees",
    "contact_name",
    "contact_phone",
    "contact_email",
    "founded_year",
    "website",
)
PLACE_FIELDS = (
    "province",
    "city",
    "county",
    "adcode",
    "latitude",
    "longitude",
    "geocode_precision",
)


def place_values(place) -> dict:
    if place is None:
        return {}
    return {
        "province": place.province,
        "city": place.city,
        "county": place.county,
        "adcode": place.adcode,
        "latitude": Decimal(str(round(place.latitude, 6))) if place.latitude is not None else None,
        "longitude": Decimal(str(round(place.longitude, 6)))
        if place.longitude is not None
        else None,
        "geocode_precision": place.precision,
    }


def _json(value):
    return str(value) if isinstance(value, Decimal) else value


def merge_scalars(enterprise: Enterprise, values: dict, place, stamp: dict, since: str) -> dict:
    """Apply `values` to `enterprise` in memory. A field takes the incoming value when it is empty,
    or when its current value was supplied before `since` (the incoming list's date): the newer
    value wins. Returns {field: [before, after]} of what changed, place fields included."""
    changes = {}
    provenance = dict(enterprise.field_provenance or {})
    for name in SCALARS:
        value = values.get(name)
        if value in (None, ""):
            continue
        current = getattr(enterprise, name)
        if current == value:
            continue
        if current not in (None, ""):
            supplied_at = (provenance.get(name) or {}).get("at")
            if supplied_at and supplied_at >= since:
                # Supplied after this list was made (or by this same list, an earlier row):
                # the current value is at least as new, so the incoming one only fills gaps.
                continue
        changes[name] = [_json(current), _json(value)]
        setattr(enterprise, name, value)
        provenance[name] = stamp
        if name == "address":
            for key, new in place_values(place).items():
                old = getattr(enterprise, key)
                if old != new:
                    changes[key] = [_json(old), _json(new)]
                    setattr(enterprise, key, new)
    if "employees" in changes:
        band = size_band_for(enterprise.employees)
        if band != enterprise.size_band:
            changes["size_band"] = [enterprise.size_band, band]
            enterprise.size_band = band
    if "name_zh" in changes or "adcode" in changes:
        set_name_keys(enterprise)
    if changes:
        enterprise.field_provenance = provenance
    return changes


def merge_codes(current: dict[str, list[str]], values: dict) -> dict:
    """Union of the many-to-many codes: incoming codes fill gaps, none are removed."""
    changes = {}
    for name in M2M:
        incoming = values.get(name) or []
        before = list(current.get(name, []))
        after = before + [c for c in incoming if c not in before]
        if after != before:
            changes[name] = [before, after]
    return changes
