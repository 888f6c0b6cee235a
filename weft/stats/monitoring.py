"""Monitoring: the observation-panel barometer and the early-warning rules, per cluster."""

import statistics
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import formulas as f
from .models import (
    Aggregate,
    ClusterWarning,
    ObservationPoint,
    Period,
    PeriodKind,
    Value,
    WarningRule,
)

# The barometer's components and their weights (documented on the dashboard).
BAROMETER_WEIGHTS = {
    "output_value": Decimal("0.3"),
    "revenue": Decimal("0.3"),
    "export_value": Decimal("0.15"),
    "employees": Decimal("0.15"),
    "profit": Decimal("0.1"),
}


def _months(periods_back: int, latest: Period) -> list[tuple[int, int]]:
    y, m = latest.year, latest.number
    out = []
    for _i in range(periods_back):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def barometer(cluster, months: int = 24) -> list[dict]:
    """Per month: each component = 100 × (1 + YoY growth of the panel's total, over firms that
    reported both months), and the weighted composite."""
    panel = list(
        ObservationPoint.objects.filter(cluster=cluster).values_list("enterprise_id", flat=True)
    )
    if not panel:
        return []
    rows = Value.objects.filter(
        enterprise_id__in=panel,
        period__kind=PeriodKind.MONTH,
        indicator__code__in=BAROMETER_WEIGHTS,
    ).values_list("enterprise_id", "indicator__code", "period__year", "period__number", "value")
    data: dict[tuple, dict] = {}
    for eid, code, year, number, value in rows:
        data.setdefault((code, year, number), {})[eid] = value
    if not data:
        return []
    latest_year, latest_month = max((y, m) for (_c, y, m) in data)
    out = []
    latest = Period(kind=PeriodKind.MONTH, year=latest_year, number=latest_month)
    for year, month in _months(months, latest):
        components = {}
        for code in BAROMETER_WEIGHTS:
            now = data.get((code, year, month), {})
            before = data.get((code, year - 1, month), {})
            both = set(now) & set(before)
            growth = (
                f.yoy_growth(
                    sum((now[e] for e in both), Decimal(0)),
                    sum((before[e] for e in both), Decimal(0)),
                )
                if both
                else None
            )
            components[code] = f.component_index(growth)
        index = f.composite_index(components, BAROMETER_WEIGHTS)
        if index is not None:
            out.append({"period": f"{year}-{month:02d}", "index": index, "components": components})
    return out


def _monthly(cluster, code) -> dict[tuple[int, int], Aggregate]:
    return {
        (a.period.year, a.period.number): a
        for a in Aggregate.objects.filter(
            level=Aggregate.Level.CLUSTER,
            key=str(cluster.pk),
            indicator__code=code,
            period__kind=PeriodKind.MONTH,
        ).select_related("period")
    }


def _prev(ym, k=1):
    y, m = ym
    for _i in range(k):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return (y, m)


def _check_rule(rule: WarningRule, cluster) -> tuple[tuple[int, int], Decimal, str, str] | None:
    code = rule.indicator.code if rule.indicator else "revenue"
    series = _monthly(cluster, code)
    if not series:
        return None
    latest = max(series)
    threshold = rule.threshold
    if rule.kind == WarningRule.Kind.YOY_DROP_STREAK:
        growths = []
        for k in range(rule.months):
            ym = _prev(latest, k)
            now, before = series.get(ym), series.get((ym[0] - 1, ym[1]))
            growths.append(
                f.yoy_growth(now.total if now else None, before.total if before else None)
            )
        if all(g is not None and g < -threshold for g in growths):
            args = {
                "name": rule.indicator.name_zh,
                "n": rule.months,
                "pct": f"{growths[0] * 100:.0f}",
                "limit": f"{threshold * 100:.0f}",
            }
            with override("zh-hans"):
                zh = (
                    _(
                        "%(name)s down more than %(limit)s%% year on year for %(n)d months running (latest %(pct)s%%)."
                    )
                    % args
                )
            with override("en"):
                args["name"] = rule.indicator.name_en
                en = (
                    _(
                        "%(name)s down more than %(limit)s%% year on year for %(n)d months running (latest %(pct)s%%)."
                    )
                    % args
                )
            return latest, growths[0], zh, en
    elif rule.kind == WarningRule.Kind.MARGIN_BELOW:
        revenue = _monthly(cluster, "revenue")
        margins = []
        for k in range(rule.months):
            ym = _prev(latest, k)
            p, r = series.get(ym), revenue.get(ym)
            margins.append(f.profit_margin(p.total if p else None, r.total if r else None))
        if all(m is not None and m < threshold for m in margins):
            args = {
                "n": rule.months,
                "pct": f"{margins[0] * 100:.1f}",
                "limit": f"{threshold * 100:.1f}",
            }
            with override("zh-hans"):
                zh = (
                    _("Profit margin below %(limit)s%% for %(n)d months running (now %(pct)s%%).")
                    % args
                )
            with override("en"):
                en = (
                    _("Profit margin below %(limit)s%% for %(n)d months running (now %(pct)s%%).")
                    % args
                )
            return latest, margins[0], zh, en
    elif rule.kind == WarningRule.Kind.COVERAGE_DROP:
        earlier = [
            series[_prev(latest, k)].firms for k in range(1, 7) if _prev(latest, k) in series
        ]
        if earlier:
            usual = max(earlier)
            now = series[latest].firms
            if usual and now < (1 - threshold) * usual:
                args = {"now": now, "usual": usual}
                with override("zh-hans"):
                    zh = (
                        _("Only %(now)d firms reported this month, against %(usual)d before.")
                        % args
                    )
                with override("en"):
                    en = (
                        _("Only %(now)d firms reported this month, against %(usual)d before.")
                        % args
                    )
                return latest, Decimal(now), zh, en
    elif rule.kind == WarningRule.Kind.ANOMALY:
        # z-score of the latest year-on-year growth against the previous 12 months' growths.
        growths = []
        for k in range(13):
            ym = _prev(latest, k)
            now, before = series.get(ym), series.get((ym[0] - 1, ym[1]))
            growths.append(
                f.yoy_growth(now.total if now else None, before.total if before else None)
            )
        history = [float(g) for g in growths[1:] if g is not None]
        if growths[0] is not None and len(history) >= 6:
            sd = statistics.pstdev(history)
            if sd > 0:
                z = (float(growths[0]) - statistics.mean(history)) / sd
                if abs(z) > float(threshold):
                    args = {"name": rule.indicator.name_zh, "z": f"{z:+.1f}"}
                    with override("zh-hans"):
                        zh = (
                            _(
                                "%(name)s moved unusually this month (z = %(z)s against the last 12 months)."
                            )
                            % args
                        )
                    with override("en"):
                        args["name"] = rule.indicator.name_en
                        en = (
                            _(
                                "%(name)s moved unusually this month (z = %(z)s against the last 12 months)."
                            )
                            % args
                        )
                    return latest, Decimal(str(round(z, 4))), zh, en
    return None


def evaluate_warnings(cluster) -> list[ClusterWarning]:
    """Raise the warnings whose rules fire on the cluster's latest month; tell the office of new ones."""
    from .services import office_notice

    raised = []
    for rule in WarningRule.objects.filter(is_active=True).select_related("indicator"):
        hit = _check_rule(rule, cluster)
        if hit is None:
            continue
        (year, month), observed, zh, en = hit
        period = Period.objects.get(kind=PeriodKind.MONTH, year=year, number=month)
        with transaction.atomic():
            warning, created = ClusterWarning.objects.get_or_create(
                cluster=cluster,
                rule=rule,
                period=period,
                defaults={"message_zh": zh[:300], "message_en": en[:300], "observed": observed},
            )
            if created:
                raised.append(warning)
                office_notice(
                    cluster,
                    f"预警 {period.code}：{zh}"[:200],
                    zh,
                    f"/stats/clusters/{cluster.slug}/",
                    subject_en=f"Warning {period.code}: {en}"[:200],
                    body_en=en,
                )
    return raised
