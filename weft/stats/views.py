"""Statistics pages: dashboards (national, cluster, comparison), reporting rounds for firms and
cluster offices, assessments, annual reports (page and PDF), chart data downloads."""

import csv
import io
import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from weft.accounts.permissions import can
from weft.core.params import year_param
from weft.registry.models import ChainStage, Cluster

from . import assessment, monitoring, reports, rounds, selectors, services, spreadsheet
from .forms import RoundForm
from .formulas import FORMULAS
from .models import (
    Aggregate,
    AssessmentRun,
    ClusterWarning,
    Indicator,
    Notice,
    PeriodKind,
    ReportingRound,
)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return float(o)  # charts only; figures on the page are rendered from Decimals
        return super().default(o)


def _json(data) -> str:
    return json.dumps(data, cls=_Encoder, ensure_ascii=False)


def _year(request):
    return year_param(request.GET, selectors.latest_year())


def national(request):
    year = _year(request)
    code = request.GET.get("indicator", "output_value")
    indicator = Indicator.objects.filter(code=code).first() or Indicator.objects.get(
        code="output_value"
    )
    ranking = selectors.ranking(year, indicator.code) if year else []
    sort = request.GET.get("sort", "value")
    if sort in ("value", "firms", "yoy_growth", "name"):
        ranking.sort(
            key=lambda r: (r[sort] is None, r[sort] if sort == "name" else -(r[sort] or 0)),
        )
    nation = selectors.series(request.user, indicator, "nation", "CN", PeriodKind.YEAR)
    return render(
        request,
        "stats/national.html",
        {
            "year": year,
            "indicator": indicator,
            "indicators": Indicator.objects.filter(is_active=True),
            "ranking": ranking,
            "sort": sort,
            "provinces_json": _json(
                selectors.province_totals(year, indicator.code) if year else []
            ),
            "clusters_json": _json(ranking),
            "nation_json": _json(nation),
            "runs": AssessmentRun.objects.filter(status=AssessmentRun.Status.PUBLISHED)[:5],
            "formulas": FORMULAS,
        },
    )


def _cluster_context(request, cluster, year):
    private = can(request.user, "stats.view_cluster_private", cluster)
    data = selectors.cluster_indicators(cluster, year, privileged=private) if year else None
    period = selectors._period(PeriodKind.YEAR, year) if year else None
    stages = {s.code: s.name for s in ChainStage.objects.all()}  # in the active language
    composition = []
    if period:
        composition = [
            {"name": stages.get(k, k), "value": v}
            for k, v in sorted(
                selectors._stage_totals(cluster, period).items(), key=lambda kv: -kv[1]
            )
        ]
    warnings = list(
        ClusterWarning.objects.filter(cluster=cluster).select_related("rule", "period")[:20]
    )
    for w in warnings:
        w.can_ack = can(request.user, "stats.acknowledge_warning", w)
    trend = {
        code: selectors.series(
            request.user,
            Indicator.objects.get(code=code),
            "cluster",
            str(cluster.pk),
            PeriodKind.YEAR,
        )
        for code in ("output_value", "revenue", "profit")
    }
    return {
        "cluster": cluster,
        "year": year,
        "data": data,
        "composition": composition,
        "composition_json": _json(composition),
        "trend_json": _json(trend),
        "barometer": monitoring.barometer(cluster, months=24),
        "barometer_weights": monitoring.BAROMETER_WEIGHTS,
        "warnings": warnings,
        "top_firms": selectors.top_firms(request.user, cluster, period) if period else None,
        "can_open_round": can(request.user, "stats.manage_round", cluster),
        "private": private,
        "result": assessment.cluster_result(cluster),
        "formulas": FORMULAS,
        "stage_names": stages,
    }


def cluster_dashboard(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    context = _cluster_context(request, cluster, _year(request))
    context["barometer_json"] = _json(context["barometer"])
    return render(request, "stats/cluster.html", context)


def compare(request):
    slugs = [s for s in request.GET.getlist("c") if s][:5]
    clusters = list(Cluster.objects.filter(slug__in=slugs))
    year = _year(request)
    rows = (
        [
            {
                "cluster": c,
                "data": selectors.cluster_indicators(
                    c, year, privileged=can(request.user, "stats.view_cluster_private", c)
                ),
            }
            for c in clusters
        ]
        if year
        else []
    )
    return render(
        request,
        "stats/compare.html",
        {
            "rows": rows,
            "year": year,
            "all_clusters": Cluster.objects.order_by("province", "slug"),
            "slots": [(i + 1, slugs[i] if i < len(slugs) else "") for i in range(5)],
            "formulas": FORMULAS,
        },
    )


def download_series(request, fmt):
    """A chart's data as CSV (UTF-8 with BOM, so Excel opens Chinese right) or XLSX."""
    indicator = get_object_or_404(Indicator, code=request.GET.get("indicator", ""))
    level = request.GET.get("level", "nation")
    key = request.GET.get("id", "CN")
    kind = request.GET.get("period_kind", "year")
    if level not in Aggregate.Level.values or kind not in PeriodKind.values:
        raise Http404
    points = selectors.series(request.user, indicator, level, key, kind)
    header = ["period", f"{indicator.name_zh} ({indicator.unit_zh})", "reporting_firms"]
    rows = [[p["period"], "" if p["value"] is None else p["value"], p["firms"]] for p in points]
    return _table(f"{indicator.code}-{level}-{key}", header, rows, fmt)


def download_ranking(request, fmt):
    year = _year(request)
    code = request.GET.get("indicator", "output_value")
    indicator = get_object_or_404(Indicator, code=code)
    header = [
        "rank",
        "cluster",
        "province",
        f"{indicator.name_zh} ({indicator.unit_zh})",
        "yoy_growth",
        "reporting_firms",
    ]
    rows = [
        [
            i,
            r["name"],
            r["province"],
            r["value"],
            "" if r["yoy_growth"] is None else r["yoy_growth"],
            r["firms"],
        ]
        for i, r in enumerate(selectors.ranking(year, code) if year else [], start=1)
    ]
    return _table(f"ranking-{code}-{year}", header, rows, fmt)


def _table(name, header, rows, fmt):
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.append(header)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(
            buf.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
@login_required
def acknowledge_warning(request, pk):
    warning = get_object_or_404(ClusterWarning, pk=pk)
    try:
        services.acknowledge_warning(request.user, warning, request.POST.get("note", ""))
        messages.success(request, _("Warning acknowledged."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("stats:cluster", slug=warning.cluster.slug)


# --- rounds ------------------------------------------------------------------------------------


@login_required
def round_list(request):
    managed = [
        c
        for c in Cluster.objects.filter(office__memberships__user=request.user).distinct()
        if can(request.user, "stats.manage_round", c)
    ]
    return render(
        request,
        "stats/round_list.html",
        {
            "rounds": [
                (r, rounds.round_summary(r, request.user))
                for r in rounds.visible_rounds(request.user)[:50]
            ],
            "managed": managed,
            "notices": Notice.objects.filter(organisation__memberships__user=request.user)
            .distinct()
            .order_by("-created_at")[:20],
        },
    )


@login_required
def round_new(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    if not can(request.user, "stats.manage_round", cluster):
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_for(
                form.cleaned_data["period_kind"],
                form.cleaned_data["year"],
                form.cleaned_data["number"],
            )
            rnd = services.open_round(
                request.user,
                cluster,
                period,
                form.cleaned_data["indicators"],
                form.cleaned_data["deadline"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            for field, errs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(None if field not in form.fields else field, errs)
        else:
            messages.success(
                request,
                _("The round is open; %(n)d firms were notified.") % {"n": rnd.firms.count()},
            )
            return redirect("stats:round", pk=rnd.pk)
    return render(request, "stats/round_new.html", {"cluster": cluster, "form": form})


def _round_for(request, pk) -> ReportingRound:
    rnd = get_object_or_404(ReportingRound.objects.select_related("cluster", "period"), pk=pk)
    if not can(request.user, "stats.view_round", rnd):
        raise PermissionDenied
    return rnd


@login_required
def round_detail(request, pk):
    rnd = _round_for(request, pk)
    indicators = list(rnd.indicators.all())
    firms = list(rounds.own_firms(request.user, rnd))
    firm = None
    if firms:
        wanted = request.POST.get("enterprise") or request.GET.get("enterprise")
        firm = next((f for f in firms if str(f.pk) == wanted), firms[0])
    context = {
        "round": rnd,
        "summary": rounds.round_summary(rnd, request.user),
        "office": can(request.user, "stats.manage_round", rnd.cluster),
        "private": can(request.user, "stats.view_cluster_private", rnd.cluster),
        "firm": firm,
        "errors": {},
        "warnings": {},
        "upload_errors": [],
    }
    if context["private"]:
        context["status"] = rounds.status_rows(rnd)
    context["revisions"] = rounds.revision_history(rnd, request.user)
    if firm is not None:
        previous = selectors.previous_figures(firm, rnd.period)
        current = dict(
            firm.stat_values.filter(period=rnd.period).values_list("indicator__code", "value")
        )
        raw = (
            {i.code: request.POST.get(i.code, "") for i in indicators}
            if request.method == "POST"
            else {
                i.code: "" if current.get(i.code) is None else current[i.code] for i in indicators
            }
        )
        if request.method == "POST" and "upload" not in request.FILES:
            reasons = {i.code: request.POST.get(f"reason_{i.code}", "") for i in indicators}
            confirmed = {i.code for i in indicators if request.POST.get(f"confirm_{i.code}")}
            try:
                services.submit_figures(
                    request.user,
                    firm,
                    rnd.period,
                    raw,
                    reasons=reasons,
                    confirmed=confirmed,
                    round=rnd,
                )
            except services.SoftRulesUnconfirmed as exc:
                context["warnings"] = {k: str(v) for k, v in exc.warnings.items()}
            except ValidationError as exc:
                context["errors"] = {k: " ".join(v) for k, v in exc.message_dict.items()}
            else:
                messages.success(
                    request,
                    _("Thank you: your figures for %(period)s are saved.")
                    % {"period": rnd.period.code},
                )
                return redirect("stats:round", pk=rnd.pk)
        context["fields"] = [
            {
                "indicator": i,
                "value": raw.get(i.code, ""),
                "previous": previous.get(i.code),
                "error": context["errors"].get(i.code),
                "warning": context["warnings"].get(i.code),
                "reason": request.POST.get(f"reason_{i.code}", ""),
            }
            for i in indicators
        ]
        context["history"] = firm.stat_values.filter(
            period=rnd.period, revisions__revision__gt=1
        ).exists()
    return render(request, "stats/round.html", context)


@login_required
def round_template(request, pk):
    rnd = _round_for(request, pk)
    if not can(request.user, "stats.manage_round", rnd.cluster):
        raise PermissionDenied
    response = HttpResponse(
        spreadsheet.template(rnd),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="round-{rnd.pk}-{rnd.period.code}.xlsx"'
    )
    return response


@require_POST
@login_required
def round_upload(request, pk):
    rnd = _round_for(request, pk)
    if not can(request.user, "stats.manage_round", rnd.cluster):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the filled-in XLSX file."))
        return redirect("stats:round", pk=rnd.pk)
    data = upload.read(spreadsheet.MAX_UPLOAD_BYTES + 1)
    try:
        result = spreadsheet.upload(request.user, rnd, data)
    except spreadsheet.UploadRejected as exc:
        return render(
            request,
            "stats/round.html",
            {
                "round": rnd,
                "summary": rounds.round_summary(rnd, request.user),
                "office": True,
                "private": True,
                "status": rounds.status_rows(rnd),
                "upload_errors": exc.errors,
            },
            status=400,
        )
    messages.success(
        request,
        _("Saved figures of %(firms)d firms (%(created)d new, %(revised)d corrected).")
        % result.__dict__,
    )
    return redirect("stats:round", pk=rnd.pk)


@require_POST
@login_required
def round_remind(request, pk):
    rnd = _round_for(request, pk)
    try:
        count = services.remind(request.user, rnd)
        messages.success(request, _("Reminded %(n)d firms that have not reported.") % {"n": count})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("stats:round", pk=rnd.pk)


# --- assessments and reports -------------------------------------------------------------------


def cluster_report(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    return render(request, "stats/report.html", reports.context(request, cluster, _year(request)))


def cluster_report_pdf(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    pdf = reports.pdf(request, cluster, _year(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="weft-{cluster.slug}-report.pdf"'
    return response
