"""Number formats of the statistics pages (Decimal in, text out; never through float)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
HUNDRED_MILLION = Decimal(100_000_000)


def _d(value):
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register.filter
def figure(value, places=0):
    """1234567.891 → 1,234,568 (or with `places` decimals)."""
    v = _d(value)
    if v is None:
        return "—"
    q = Decimal(1).scaleb(-int(places))
    return f"{v.quantize(q, rounding=ROUND_HALF_UP):,}"


@register.filter
def yi(value):
    """Yuan → hundred millions of yuan (亿元), two decimals."""
    v = _d(value)
    return (
        "—"
        if v is None
        else f"{(v / HUNDRED_MILLION).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    )


@register.filter
def pct(value, places=1):
    v = _d(value)
    if v is None:
        return "—"
    q = Decimal(1).scaleb(-int(places))
    return f"{(v * 100).quantize(q, rounding=ROUND_HALF_UP)}%"


@register.filter
def signed_pct(value):
    v = _d(value)
    if v is None:
        return "—"
    return f"{(v * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):+}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
