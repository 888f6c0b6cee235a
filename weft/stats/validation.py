"""Rules a reported figure must pass.

Hard rules reject impossible values (negative output, profit above revenue, a fractional number
of employees). Soft rules flag surprising ones (a change of more than 50% on the same period last
year, a value far from the firm's peers): the reporter confirms them with a reason.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from weft.registry.models import ClusterMembership

from .formulas import median
from .models import Indicator, Period, Value

MIN_PEERS = 5  # fewer peers than this say nothing about what is usual


@dataclass
class Checked:
    values: dict = field(default_factory=dict)  # code → Decimal
    errors: dict = field(default_factory=dict)  # code → message (hard rule)
    warnings: dict = field(default_factory=dict)  # code → message (soft rule)


def parse_amount(raw, indicator: Indicator) -> Decimal:
    """A figure as typed: digits with an optional sign, decimal point and thousands separators."""
    text = str(raw).strip().replace(",", "").replace("，", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(raw)s” is not a number.") % {"raw": raw}) from None
    if not value.is_finite():
        raise ValueError(_("“%(raw)s” is not a number.") % {"raw": raw})
    return value


def check(enterprise, period: Period, raw: dict, indicators: dict[str, Indicator]) -> Checked:
    """Check the figures `raw` ({code: text or Decimal}; empty means not reported)."""
    result = Checked()
    for code, text in raw.items():
        if text is None or str(text).strip() == "":
            continue
        indicator = indicators.get(code)
        if indicator is None:
            result.errors[code] = _("“%(code)s” is not an indicator of this round.") % {
                "code": code
            }
            continue
        try:
            value = parse_amount(text, indicator)
        except ValueError as exc:
            result.errors[code] = str(exc)
            continue
        message = _hard(indicator, value, period)
        if message:
            result.errors[code] = message
        else:
            result.values[code] = value
    _cross_rules(enterprise, period, indicators, result)
    for code, value in result.values.items():
        if code not in result.errors:
            warning = _soft(enterprise, indicators[code], period, value)
            if warning:
                result.warnings[code] = warning
    return result


def _hard(indicator: Indicator, value: Decimal, period: Period) -> str | None:
    name = indicator.name
    if period.kind not in indicator.period_kinds:
        return _("%(name)s is not reported per %(kind)s.") % {
            "name": name,
            "kind": period.get_kind_display().lower(),
        }
    if indicator.decimal_places == 0 and value != value.to_integral_value():
        return _("%(name)s must be a whole number, not %(value)s.") % {"name": name, "value": value}
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > indicator.decimal_places:
        return _("%(name)s takes at most %(n)d decimal places.") % {
            "name": name,
            "n": indicator.decimal_places,
        }
    minimum = indicator.rules.get("min")
    if minimum is not None and value < Decimal(str(minimum)):
        return _("%(name)s cannot be negative (%(value)s %(unit)s).") % {
            "name": name,
            "value": value,
            "unit": indicator.unit,
        }
    if abs(value) >= Decimal(10) ** 15:
        return _("%(name)s is too large to be real.") % {"name": name}
    return None


def _cross_rules(enterprise, period, indicators, result: Checked) -> None:
    """`not_above`: profit ≤ revenue, exports ≤ output… against the figure given now or on file."""
    on_file = None
    for code, value in list(result.values.items()):
        ceiling_code = indicators[code].rules.get("not_above")
        if not ceiling_code:
            continue
        ceiling = result.values.get(ceiling_code)
        if ceiling is None:
            if on_file is None:
                on_file = dict(
                    Value.objects.filter(enterprise=enterprise, period=period).values_list(
                        "indicator__code", "value"
                    )
                )
            ceiling = on_file.get(ceiling_code)
        if ceiling is not None and value > ceiling:
            other = Indicator.objects.filter(code=ceiling_code).first()
            result.errors[code] = _(
                "%(name)s (%(value)s) cannot be greater than %(other)s (%(ceiling)s)."
            ) % {
                "name": indicators[code].name,
                "value": value,
                "other": other.name if other else ceiling_code,
                "ceiling": ceiling,
            }
            del result.values[code]


def _soft(enterprise, indicator: Indicator, period: Period, value: Decimal) -> str | None:
    limit = indicator.rules.get("yoy_change")
    if limit is not None:
        last = (
            Value.objects.filter(
                enterprise=enterprise,
                indicator=indicator,
                period__kind=period.kind,
                period__year=period.year - 1,
                period__number=period.number,
            )
            .values_list("value", flat=True)
            .first()
        )
        if last:
            change = (value - last) / abs(last)
            if abs(change) > Decimal(str(limit)):
                return _(
                    "%(name)s changed by %(pct)s%% on the same period last year (%(last)s → "
                    "%(value)s). Please confirm and say why."
                ) % {
                    "name": indicator.name,
                    "pct": f"{change * 100:+.0f}",
                    "last": f"{last:,.{indicator.decimal_places}f}",
                    "value": f"{value:,.{indicator.decimal_places}f}",
                }
    factor = indicator.rules.get("peer_factor")
    if factor and value > 0:
        clusters = ClusterMembership.objects.filter(
            enterprise=enterprise, status=ClusterMembership.Status.APPROVED
        ).values("cluster_id")
        peers = list(
            Value.objects.filter(
                indicator=indicator,
                period=period,
                enterprise__cluster_memberships__cluster_id__in=clusters,
                enterprise__cluster_memberships__status=ClusterMembership.Status.APPROVED,
            )
            .exclude(enterprise=enterprise)
            .values_list("value", flat=True)[:500]
        )
        typical = median(peers) if len(peers) >= MIN_PEERS else None
        if typical and typical > 0:
            ratio = value / typical
            if ratio > Decimal(str(factor)) or ratio < 1 / Decimal(str(factor)):
                return _(
                    "%(name)s is far from what firms in your cluster report (median %(median)s). "
                    "Please confirm and say why."
                ) % {"name": indicator.name, "median": f"{typical:,.0f}"}
    return None
