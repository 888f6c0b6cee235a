"""The national annual report: the nation's totals with growth and coverage, provinces, the cluster
ranking, growth leaders and laggards, warnings raised and the year's assessment. One template for
the web page and the PDF (WeasyPrint, Noto CJK), charts as SVG drawn by pygal, as for a cluster's
report. Only published figures: totals of too few firms are withheld as on the dashboards."""

from decimal import Decimal

import pygal
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import override

from weft.registry.models import Cluster

from . import formulas as f
from . import selectors
from .models import (
    Aggregate,
    AssessmentRun,
    ClusterWarning,
    Indicator,
    PeriodKind,
    WarningRule,
)
from .reports import CHART_STYLE, CJK_FONT, _svg_uri

NATION = "CN"
YI = Decimal(100_000_000)  # yuan per 亿元
RANKING_ROWS = 20
MOVERS = 5


def _headline(year: int) -> tuple[list[dict], dict]:
    this = selectors._period(PeriodKind.YEAR, year)
    last = selectors._period(PeriodKind.YEAR, year - 1)
    now = selectors.totals(Aggregate.Level.NATION, NATION, this) if this else {}
    before = selectors.totals(Aggregate.Level.NATION, NATION, last) if last else {}
    now = {k: a for k, a in now.items() if a.firms >= selectors.MIN_PUBLIC_FIRMS}
    rows = []
    for indicator in Indicator.objects.filter(is_active=True):
        agg, prev = now.get(indicator.code), before.get(indicator.code)
        if agg is None:
            continue
        rows.append(
            {
                "code": indicator.code,
                "name_zh": indicator.name_zh,
                "name_en": indicator.name_en,
                "unit_zh": indicator.unit_zh,
                "unit_en": indicator.unit_en,
                "value": agg.total,
                "firms": agg.firms,
                "yoy_growth": f.yoy_growth(agg.total, prev.total if prev else None),
            }
        )
    v = {code: a.total for code, a in now.items()}
    derived = {
        "profit_margin": f.profit_margin(v.get("profit"), v.get("revenue")),
        "output_per_employee": f.output_per_employee(v.get("output_value"), v.get("employees")),
        "export_share": f.export_share(v.get("export_value"), v.get("output_value")),
        "energy_per_10k": f.per_10k_yuan(v.get("energy_use"), v.get("output_value")),
        "water_per_10k": f.per_10k_yuan(v.get("water_use"), v.get("output_value")),
    }
    return rows, derived


def _provinces(year: int) -> list[dict]:
    rows = sorted(selectors.province_totals(year), key=lambda r: -r["value"])
    total = sum((r["value"] for r in rows), Decimal(0))
    for r in rows:
        r["share"] = f._ratio(r["value"], total)
    return rows


def _label(kind: str, lang: str) -> str:
    with override(lang):
        return str(WarningRule.Kind(kind).label)


def _warnings(year: int) -> dict:
    qs = ClusterWarning.objects.filter(period__year=year)
    by_cluster = (
        qs.values("cluster__slug", "cluster__name_zh", "cluster__name_en")
        .annotate(n=Count("id"), open=Count("id", filter=Q(acknowledged_at__isnull=True)))
        .order_by("-n", "cluster__slug")
    )
    by_kind = [
        {"zh": _label(kind, "zh-hans"), "en": _label(kind, "en"), "n": n}
        for kind, n in qs.values_list("rule__kind").annotate(n=Count("id")).order_by("rule__kind")
    ]
    return {
        "total": qs.count(),
        "open": qs.filter(acknowledged_at__isnull=True).count(),
        "clusters": list(by_cluster[:10]),
        "by_kind": by_kind,
    }


def _assessment(year: int):
    run = (
        AssessmentRun.objects.filter(year=year, status=AssessmentRun.Status.PUBLISHED)
        .select_related("scheme")
        .order_by("-published_at")
        .first()
    )
    if run is None:
        return None
    return {"run": run, "top": list(run.results.select_related("cluster")[:10])}


def _trend_chart(user) -> str | None:
    indicator = Indicator.objects.get(code="output_value")
    points = [
        p
        for p in selectors.series(user, indicator, "nation", NATION, PeriodKind.YEAR)
        if p["value"] is not None
    ]
    if not points:
        return None
    chart = pygal.Bar(style=CHART_STYLE, width=700, height=300, show_legend=False, js=())
    chart.title = "全国集群工业总产值（亿元）Output of the clusters (100 million yuan)"
    chart.x_labels = [p["period"] for p in points]
    chart.add(indicator.name_zh, [float(p["value"] / YI) for p in points])
    return _svg_uri(chart)


def _province_chart(provinces) -> str | None:
    rows = provinces[:15]
    if not rows:
        return None
    chart = pygal.HorizontalBar(style=CHART_STYLE, width=700, height=380, show_legend=False, js=())
    chart.title = "各省工业总产值（亿元）Output by province (100 million yuan)"
    chart.x_labels = [r["province"] for r in reversed(rows)]
    chart.add("产值", [float(r["value"] / YI) for r in reversed(rows)])
    return _svg_uri(chart)


def context(request, year: int | None) -> dict:
    if not year:
        return {"year": None, "cjk_font": CJK_FONT}
    headline, derived = _headline(year)
    provinces = _provinces(year)
    ranking = selectors.ranking(year)
    names = Cluster.objects.in_bulk([r["id"] for r in ranking])
    for r in ranking:  # both names: the report is bilingual whatever the reader's language
        r["name_zh"], r["name_en"] = names[r["id"]].name_zh, names[r["id"]].name_en
    growth = sorted(
        (r for r in ranking if r["yoy_growth"] is not None), key=lambda r: -r["yoy_growth"]
    )
    firms = next((h["firms"] for h in headline if h["code"] == "output_value"), 0)
    return {
        "year": year,
        "headline": headline,
        "derived": derived,
        "provinces": provinces,
        "ranking": ranking[:RANKING_ROWS],
        "clusters_reporting": len(ranking),
        "firms_reporting": firms,
        "leaders": growth[:MOVERS],
        "laggards": list(reversed(growth[-MOVERS:])) if len(growth) > MOVERS else [],
        "warnings": _warnings(year),
        "assessment": _assessment(year),
        "trend_chart": _trend_chart(request.user),
        "province_chart": _province_chart(provinces),
        "formulas": f.bilingual_formulas(),
        "cjk_font": CJK_FONT,
    }


def pdf(request, year: int | None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "stats/national_report_print.html",
        context(request, year) | {"for_pdf": True},
        request=request,
    )
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
