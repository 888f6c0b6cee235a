"""Reads of the statistics app: series of aggregates, a cluster's derived indicators, firm figures
as far as the viewer may see them."""

from decimal import Decimal

from django.db.models import Q

from weft.accounts.permissions import can, stats_firm_figures_q
from weft.core.params import parse_id
from weft.registry.models import ClusterMembership, Enterprise

from . import formulas as f
from .models import Aggregate, Indicator, Period, PeriodKind, Value

# An aggregate resting on fewer firms would let a reader work out one firm's figure, so the
# public sees it only from this many reporting firms on (statistical disclosure control).
MIN_PUBLIC_FIRMS = 3

Level = Aggregate.Level


def may_see_level(user, level: str, key: str) -> bool:
    """Whether `user` sees small aggregates of this unit undisclosed (its office, the operator)."""
    if level in (Level.CLUSTER, Level.CLUSTER_STAGE, Level.CLUSTER_INDUSTRY):
        from weft.registry.models import Cluster

        key = str(key).split(":", 1)[0]
        cluster = Cluster.objects.filter(pk=parse_id(key)).first()
        return cluster is not None and can(user, "stats.view_cluster_private", cluster)
    return can(user, "stats.manage_catalogue")


def series(
    user, indicator: Indicator, level: str, key: str, period_kind: str, start=None, end=None
) -> list[dict]:
    """Totals and coverage per period; totals of too few firms are withheld from the public."""
    qs = Aggregate.objects.filter(
        indicator=indicator, level=level, key=str(key), period__kind=period_kind
    ).select_related("period")
    if start:
        qs = qs.filter(period__year__gte=start)
    if end:
        qs = qs.filter(period__year__lte=end)
    privileged = may_see_level(user, level, key)
    out = []
    for agg in sorted(qs, key=lambda a: (a.period.year, a.period.number)):
        hidden = agg.firms < MIN_PUBLIC_FIRMS and not privileged
        out.append(
            {
                "period": agg.period.code,
                "value": None if hidden else agg.total,
                "firms": agg.firms,
                "withheld": hidden,
            }
        )
    return out


def totals(level: str, key: str, period: Period) -> dict[str, Aggregate]:
    return {
        a.indicator.code: a
        for a in Aggregate.objects.filter(level=level, key=str(key), period=period).select_related(
            "indicator"
        )
    }


def _period(kind, year, number=1):
    return Period.objects.filter(kind=kind, year=year, number=number).first()


def _num(agg):
    return agg.total if agg is not None else None


def cluster_indicators(cluster, year: int, *, privileged: bool = False) -> dict:
    """Headline figures with growth and the derived indicators for a cluster's year. Unless
    `privileged` (its office, the operator), figures of fewer than MIN_PUBLIC_FIRMS firms are
    withheld, and so is everything computed from single firms' figures."""
    this, last = _period(PeriodKind.YEAR, year), _period(PeriodKind.YEAR, year - 1)
    now = totals(Level.CLUSTER, cluster.pk, this) if this else {}
    before = totals(Level.CLUSTER, cluster.pk, last) if last else {}
    if not privileged:
        now = {k: a for k, a in now.items() if a.firms >= MIN_PUBLIC_FIRMS}
        before = {k: a for k, a in before.items() if a.firms >= MIN_PUBLIC_FIRMS}
    headline = []
    for indicator in Indicator.objects.filter(is_active=True):
        agg = now.get(indicator.code)
        prev = before.get(indicator.code)
        headline.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "value": _num(agg),
                "firms": agg.firms if agg else 0,
                "yoy_growth": f.yoy_growth(_num(agg), _num(prev)),
            }
        )
    v = {code: _num(agg) for code, agg in now.items()}
    derived = {
        "profit_margin": f.profit_margin(v.get("profit"), v.get("revenue")),
        "output_per_employee": f.output_per_employee(v.get("output_value"), v.get("employees")),
        "export_share": f.export_share(v.get("export_value"), v.get("output_value")),
        "energy_per_10k": f.per_10k_yuan(v.get("energy_use"), v.get("output_value")),
        "water_per_10k": f.per_10k_yuan(v.get("water_use"), v.get("output_value")),
    }
    out = {
        "cluster": cluster.pk,
        "year": year,
        "headline": headline,
        "derived": derived,
        "ytd": ytd(cluster, year),
        "location_quotient": None,
        "concentration": None,
        "shift_share": None,
    }
    if this and "output_value" in now:
        out["location_quotient"] = location_quotients(cluster, this)
        out["concentration"] = concentration(cluster, this)
    if this and last and "output_value" in now and "output_value" in before:
        out["shift_share"] = shift_share(cluster, last, this)
    return out


def ytd(cluster, year: int, code: str = "output_value") -> dict | None:
    """Year-to-date output from the latest month on file of the year."""
    rows = dict(
        Aggregate.objects.filter(
            level=Level.CLUSTER,
            key=str(cluster.pk),
            indicator__code=code,
            period__kind=PeriodKind.MONTH,
            period__year=year,
        ).values_list("period__number", "total")
    )
    if not rows:
        return None
    month = max(rows)
    return {"month": month, "value": f.year_to_date(rows, month)}


def _member_values(cluster, period, code):
    """The cluster's approved member firms' values of one indicator and period (each firm once:
    a firm has one membership per cluster)."""
    members = ClusterMembership.objects.filter(
        cluster=cluster, status=ClusterMembership.Status.APPROVED
    ).values("enterprise_id")
    # IN (subquery): both databases read the values from the covering index (indicator, period,
    # enterprise, value) alone.
    return Value.objects.filter(enterprise_id__in=members, period=period, indicator__code=code)


def _breakdown(level, cluster, period, code) -> dict[str, Decimal]:
    """A cluster's totals by chain stage or by division, from its breakdown aggregates (kept up to
    date with every figure, like all aggregates), so no member firm's figure is read."""
    prefix = f"{cluster.pk}:"
    rows = Aggregate.objects.filter(
        level=level, period=period, indicator__code=code, key__startswith=prefix
    ).values_list("key", "total")
    return {key[len(prefix) :]: Decimal(total) for key, total in rows}


def _stage_totals(cluster, period, code="output_value") -> dict[str, Decimal]:
    """A cluster's total per chain stage (a firm counts in each of its stages)."""
    return _breakdown(Level.CLUSTER_STAGE, cluster, period, code)


def location_quotients(cluster, period, code="output_value") -> list[dict]:
    """LQ of each chain stage the cluster reports output in, against the national stage totals."""
    local = _stage_totals(cluster, period, code)
    local_total = _num(totals(Level.CLUSTER, cluster.pk, period).get(code))
    national_total = _num(totals(Level.NATION, "CN", period).get(code))
    national = dict(
        Aggregate.objects.filter(
            level=Level.STAGE, period=period, indicator__code=code
        ).values_list("key", "total")
    )
    rows = [
        {
            "stage": stage,
            "lq": f.location_quotient(value, local_total, national.get(stage), national_total),
            "specialty": stage in (cluster.primary_stages or []),
        }
        for stage, value in sorted(local.items())
    ]
    return sorted(rows, key=lambda r: -(r["lq"] or 0))


def concentration(cluster, period, code="output_value") -> dict | None:
    values = list(_member_values(cluster, period, code).values_list("value", flat=True))
    if not values:
        return None
    return {
        "firms": len(values),
        "cr4": f.top_share(values, 4),
        "cr10": f.top_share(values, 10),
        "hhi": f.hhi(values),
    }


def shift_share(cluster, start: Period, end: Period, code="output_value") -> dict | None:
    """Sectors are GB/T 4754 divisions (each firm under its primary division, as in aggregates)."""

    def local(period):
        return _breakdown(Level.CLUSTER_INDUSTRY, cluster, period, code)

    def national(period):
        return dict(
            Aggregate.objects.filter(
                level=Level.INDUSTRY, period=period, indicator__code=code
            ).values_list("key", "total")
        )

    result = f.shift_share(local(start), local(end), national(start), national(end))
    if result is None:
        return None
    return {
        "from": start.code,
        "to": end.code,
        "actual_change": result.actual_change,
        "national": result.national,
        "industry_mix": result.industry_mix,
        "local": result.local,
        "by_sector": result.by_sector,
    }


def top_firms(user, cluster, period, code="output_value", n=10) -> list[dict] | None:
    """The largest firms by a figure — only for viewers allowed to see firm figures (None else)."""
    if not can(user, "stats.view_cluster_private", cluster):
        return None
    rows = _member_values(cluster, period, code).select_related("enterprise").order_by("-value")[:n]
    return [{"id": v.enterprise_id, "name": v.enterprise.name_zh, "value": v.value} for v in rows]


def firm_values(user, enterprise_id=None):
    """Values the user may see (firm-level figures)."""
    qs = Value.objects.filter(stats_firm_figures_q(user))
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs


def previous_figures(enterprise, period: Period) -> dict[str, Decimal]:
    """The figures of the period before (and the same period last year), shown beside the form."""
    if period.kind == PeriodKind.YEAR:
        prev = (period.year - 1, 1)
    elif period.kind == PeriodKind.QUARTER:
        prev = (period.year, period.number - 1) if period.number > 1 else (period.year - 1, 4)
    else:
        prev = (period.year, period.number - 1) if period.number > 1 else (period.year - 1, 12)
    return dict(
        Value.objects.filter(
            Q(period__year=prev[0], period__number=prev[1]),
            enterprise=enterprise,
            period__kind=period.kind,
        ).values_list("indicator__code", "value")
    )


def ranking(year: int, code: str = "output_value") -> list[dict]:
    """Clusters by a yearly aggregate, with growth and coverage (the national table)."""
    from weft.registry.models import Cluster

    this, last = _period(PeriodKind.YEAR, year), _period(PeriodKind.YEAR, year - 1)
    if this is None:
        return []
    now = dict(
        (int(k), (t, n))
        for k, t, n in Aggregate.objects.filter(
            level=Level.CLUSTER, period=this, indicator__code=code
        ).values_list("key", "total", "firms")
    )
    before = (
        dict(
            (int(k), t)
            for k, t in Aggregate.objects.filter(
                level=Level.CLUSTER, period=last, indicator__code=code
            ).values_list("key", "total")
        )
        if last
        else {}
    )
    rows = []
    for c in Cluster.objects.filter(pk__in=now):
        total, firms = now[c.pk]
        if firms < MIN_PUBLIC_FIRMS:
            continue
        rows.append(
            {
                "id": c.pk,
                "slug": c.slug,
                "name": c.name,
                "province": c.province,
                "value": total,
                "firms": firms,
                "yoy_growth": f.yoy_growth(total, before.get(c.pk)),
                "lng": float(c.longitude),
                "lat": float(c.latitude),
            }
        )
    return sorted(rows, key=lambda r: -r["value"])


def province_totals(year: int, code: str = "output_value") -> list[dict]:
    this = _period(PeriodKind.YEAR, year)
    if this is None:
        return []
    return [
        {"province": k, "value": t, "firms": n}
        for k, t, n in Aggregate.objects.filter(
            level=Level.PROVINCE, period=this, indicator__code=code, firms__gte=MIN_PUBLIC_FIRMS
        ).values_list("key", "total", "firms")
    ]


def latest_year() -> int | None:
    p = (
        Aggregate.objects.filter(period__kind=PeriodKind.YEAR, level=Level.NATION)
        .order_by("-period__year")
        .values_list("period__year", flat=True)
        .first()
    )
    return p


GREEN_INDICATORS = {
    "output_value": "output_yuan",
    "energy_use": "energy",
    "water_use": "water",
    "wastewater": "wastewater",
}


def stage_output(cluster_ids=None) -> dict[int, dict[str, Decimal]]:
    """Industrial output value (yuan) of each cluster's firms per chain stage, in the latest year
    with any, for the chain's stage profiles (settings.WEFT_STAGE_OUTPUT names this).

    Read from the clusters' yearly breakdowns by stage: a firm in two stages counts in both.
    """
    rows = Aggregate.objects.filter(
        level=Aggregate.Level.CLUSTER_STAGE,
        indicator__code="output_value",
        period__kind=PeriodKind.YEAR,
    )
    latest = rows.order_by("-period__year").values_list("period_id", flat=True).first()
    if latest is None:
        return {}
    out: dict[int, dict[str, Decimal]] = {}
    for key, total in rows.filter(period_id=latest).values_list("key", "total"):
        cluster_id, stage = key.split(":", 1)
        if cluster_ids is None or int(cluster_id) in cluster_ids:
            out.setdefault(int(cluster_id), {})[stage] = Decimal(total)
    return out


def green_figures(cluster, year: int):
    """The yearly output, energy, water and wastewater figures of a cluster's member firms, for
    the social-responsibility app's green comparison (settings.WEFT_GREEN_FIGURES names this)."""
    from weft.csr.green import FirmFigures

    period = Period.objects.filter(kind=PeriodKind.YEAR, year=year, number=1).first()
    if period is None:
        return []
    members = ClusterMembership.objects.filter(
        cluster=cluster, status=ClusterMembership.Status.APPROVED
    ).values("enterprise_id")
    by_firm: dict[int, dict] = {}
    for enterprise_id, code, amount in Value.objects.filter(
        enterprise_id__in=members, period=period, indicator__code__in=list(GREEN_INDICATORS)
    ).values_list("enterprise_id", "indicator__code", "value"):
        by_firm.setdefault(enterprise_id, {})[GREEN_INDICATORS[code]] = amount
    firms = Enterprise.objects.filter(pk__in=list(by_firm)).prefetch_related("industry_codes")
    out = []
    for firm in firms:
        values = by_firm[firm.pk]
        if not values.get("output_yuan"):
            continue  # intensities need output
        # The most specific industry code the firm has: peers are compared within it.
        codes = sorted((c.code for c in firm.industry_codes.all()), key=lambda c: (-len(c), c))
        out.append(
            FirmFigures(
                enterprise_id=firm.pk,
                name=firm.name_zh,
                industry_code=codes[0] if codes else "",
                output_yuan=Decimal(values["output_yuan"]),
                energy=values.get("energy"),
                water=values.get("water"),
                wastewater=values.get("wastewater"),
            )
        )
    return out
