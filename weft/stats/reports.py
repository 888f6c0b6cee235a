"""The annual report of a cluster: one template for the web page and the PDF (WeasyPrint, with
Debian's Noto CJK fonts so Chinese renders), charts as SVG drawn by pygal."""

import base64

import pygal
from django.template.loader import render_to_string
from pygal.style import Style

from . import assessment, monitoring, selectors
from .formulas import bilingual_formulas
from .models import Indicator, PeriodKind

CJK_FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', sans-serif"
CHART_STYLE = Style(
    font_family=CJK_FONT,
    background="white",
    plot_background="white",
    colors=("#1f6feb", "#d1242f", "#2da44e", "#bf8700", "#8250df"),
)


def _svg_uri(chart) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(chart.render()).decode()


def _trend_chart(user, cluster) -> str | None:
    indicator = Indicator.objects.get(code="output_value")
    points = [
        p
        for p in selectors.series(user, indicator, "cluster", str(cluster.pk), PeriodKind.YEAR)
        if p["value"] is not None
    ]
    if not points:
        return None
    chart = pygal.Bar(style=CHART_STYLE, width=700, height=300, show_legend=False, js=())
    chart.title = f"{indicator.name_zh}（亿元）"
    chart.x_labels = [p["period"] for p in points]
    chart.add(indicator.name_zh, [float(p["value"]) / 1e8 for p in points])
    return _svg_uri(chart)


def _barometer_chart(cluster) -> str | None:
    rows = monitoring.barometer(cluster, months=24)
    if not rows:
        return None
    chart = pygal.Line(
        style=CHART_STYLE, width=700, height=260, show_legend=False, js=(), x_label_rotation=45
    )
    chart.title = "集群景气指数 (100 = 上年同期)"
    chart.x_labels = [r["period"] for r in rows]
    chart.add("景气指数", [float(r["index"]) for r in rows])
    return _svg_uri(chart)


def _radar_chart(result) -> str | None:
    if result is None or not result.dimensions:
        return None
    dims = sorted(result.dimensions)
    chart = pygal.Radar(style=CHART_STYLE, width=500, height=400, js=(), range=(0, 100))
    chart.title = "评估维度得分与同类集群中位数"
    chart.x_labels = [assessment.DIMENSIONS.get(d, (d,))[0] for d in dims]
    chart.add(result.cluster.name_zh, [result.dimensions[d] for d in dims])
    chart.add("中位数", [result.run.medians.get(d) for d in dims])
    return _svg_uri(chart)


def context(request, cluster, year) -> dict:
    from weft.accounts.permissions import can

    private = can(request.user, "stats.view_cluster_private", cluster)
    data = selectors.cluster_indicators(cluster, year, privileged=private) if year else None
    result = assessment.cluster_result(cluster, year)
    return {
        "cluster": cluster,
        "year": year,
        "data": data,
        "result": result,
        "warnings": cluster.stat_warnings.select_related("rule", "period")[:10],
        "trend_chart": _trend_chart(request.user, cluster),
        "barometer_chart": _barometer_chart(cluster),
        "radar_chart": _radar_chart(result),
        "formulas": bilingual_formulas(),
        "cjk_font": CJK_FONT,
        "dimension_names": {k: v[0] for k, v in assessment.DIMENSIONS.items()},
    }


def pdf(request, cluster, year) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "stats/report_print.html",
        context(request, cluster, year) | {"for_pdf": True},
        request=request,
    )
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
