"""Assessment pages: schemes (define, version), runs for a year (run, publish), the ranking and each
cluster's feedback page with its radar against the median of the clusters assessed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weft.accounts.permissions import can
from weft.core.params import int_param
from weft.registry.models import Cluster

from . import assessment, selectors
from .formulas import FORMULAS
from .models import AssessmentResult, AssessmentRun, AssessmentScheme, SchemeItem

BLANK_ROWS = 3  # empty rows on the scheme form for adding measures


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _run_for(request, pk) -> AssessmentRun:
    run = get_object_or_404(AssessmentRun.objects.select_related("scheme"), pk=pk)
    if not can(request.user, "stats.view_assessment", run):
        raise Http404  # a draft does not exist for the public
    return run


def _scheme_for(request, pk) -> AssessmentScheme:
    scheme = get_object_or_404(AssessmentScheme, pk=pk)
    if not can(request.user, "stats.view_assessment", scheme):
        raise Http404
    return scheme


def _choices():
    return {
        "dimensions": [(k, v[0], v[1]) for k, v in assessment.DIMENSIONS.items()],
        "metrics": [(k, *assessment.METRIC_NAMES[k]) for k in assessment.METRICS],
        "directions": SchemeItem.Direction.choices,
        "normalisations": SchemeItem.Normalisation.choices,
    }


def assessment_list(request):
    manage = can(request.user, "stats.manage_assessment")
    runs = AssessmentRun.objects.select_related("scheme")
    schemes = AssessmentScheme.objects.all()
    if not manage:
        runs = runs.filter(status=AssessmentRun.Status.PUBLISHED)
        schemes = schemes.filter(status=AssessmentScheme.Status.PUBLISHED)
    return render(
        request,
        "stats/assessment_list.html",
        {
            "runs": runs[:50],
            "schemes": schemes,
            "manage": manage,
            "latest_year": selectors.latest_year(),
        },
    )


@login_required
def scheme_new(request):
    if not can(request.user, "stats.manage_assessment"):
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        try:
            scheme = assessment.create_scheme(
                request.user,
                request.POST.get("code", ""),
                request.POST.get("name_zh", ""),
                request.POST.get("name_en", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("The scheme is created as a draft; adjust its measures."))
            return redirect("stats:scheme", pk=scheme.pk)
    return render(
        request,
        "stats/scheme_new.html",
        {"errors": errors, "values": request.POST},
        status=400 if errors else 200,
    )


def scheme_detail(request, pk):
    scheme = _scheme_for(request, pk)
    manage = can(request.user, "stats.manage_assessment")
    editable = manage and scheme.status == AssessmentScheme.Status.DRAFT
    errors, rows = [], None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        # A forged count gives no rows, which the service refuses with its message.
        count = max(0, int_param(request.POST, "rows") or 0)
        rows = [
            {
                k: request.POST.get(f"{k}_{n}", "")
                for k in ("dimension", "metric", "weight", "direction", "normalisation")
            }
            for n in range(min(count, 100))
        ]
        try:
            discarded = assessment.save_items(request.user, scheme, rows)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("The scheme's measures are saved."))
            if discarded:
                messages.info(
                    request,
                    _(
                        "%(n)d draft results made with the old measures were discarded; run it again."
                    )
                    % {"n": discarded},
                )
            return redirect("stats:scheme", pk=scheme.pk)
    if rows is None:
        rows = [
            {
                "dimension": i.dimension,
                "metric": i.metric,
                "weight": i.weight,
                "direction": i.direction,
                "normalisation": i.normalisation,
            }
            for i in scheme.items.all()
        ]
        if editable:
            rows += [{"normalisation": SchemeItem.Normalisation.MIN_MAX}] * BLANK_ROWS
    return render(
        request,
        "stats/scheme.html",
        {
            "scheme": scheme,
            "rows": rows,
            "row_count": len(rows),
            "items": scheme.items.all(),
            "editable": editable,
            "manage": manage,
            "errors": errors,
            "versions": AssessmentScheme.objects.filter(code=scheme.code),
            "runs": scheme.runs.all() if manage else scheme.runs.filter(status="published"),
            "latest_year": selectors.latest_year(),
            "formulas": FORMULAS,
            "dimension_names": assessment.DIMENSIONS,
            "metric_names": assessment.METRIC_NAMES,
            **_choices(),
        },
        status=400 if errors else 200,
    )


@require_POST
@login_required
def scheme_version(request, pk):
    scheme = _scheme_for(request, pk)
    copy = assessment.new_version(request.user, scheme)
    messages.success(
        request, _("Version %(v)d is a draft copy; change it there.") % {"v": copy.version}
    )
    return redirect("stats:scheme", pk=copy.pk)


@require_POST
@login_required
def scheme_run(request, pk):
    scheme = _scheme_for(request, pk)
    if not can(request.user, "stats.manage_assessment"):
        raise PermissionDenied
    year = int_param(request.POST, "year")
    if year is None or not 1000 <= year <= 9999:
        messages.error(request, _("Give the year to assess, e.g. 2025."))
        return redirect("stats:scheme", pk=scheme.pk)
    try:
        run = assessment.run(request.user, scheme, year)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect("stats:scheme", pk=scheme.pk)
    messages.success(
        request,
        _("Assessed %(n)d clusters for %(year)d. Check the draft, then publish it.")
        % {"n": run.results.count(), "year": year},
    )
    return redirect("stats:assessment", pk=run.pk)


@require_POST
@login_required
def assessment_publish(request, pk):
    run = _run_for(request, pk)
    try:
        assessment.publish(request.user, run)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("Published. The results are frozen from now on."))
    return redirect("stats:assessment", pk=run.pk)


def assessment_detail(request, pk):
    run = _run_for(request, pk)
    results = list(run.results.select_related("cluster"))
    dims = sorted(run.medians)
    return render(
        request,
        "stats/assessment.html",
        {
            "run": run,
            "results": results,
            "dimensions": [(d, assessment.DIMENSIONS.get(d, (d, d))) for d in dims],
            "manage": can(request.user, "stats.manage_assessment"),
            "formulas": FORMULAS,
        },
    )


def assessment_cluster(request, pk, slug):
    run = _run_for(request, pk)
    cluster = get_object_or_404(Cluster, slug=slug)
    result = (
        AssessmentResult.objects.filter(run=run, cluster=cluster)
        .select_related("run", "cluster")
        .first()
    )
    if result is None:
        raise Http404(_("This cluster was not assessed in this run."))
    weights = {}
    for item in run.scheme.items.all():
        weights.setdefault(item.dimension, []).append(item)
    return render(
        request,
        "stats/assessment_cluster.html",
        {
            "run": run,
            "cluster": cluster,
            "result": result,
            "feedback": assessment.feedback(result),
            "items": run.scheme.items.all(),
            "metrics": result.metrics,
            "metric_names": assessment.METRIC_NAMES,
            "count": run.results.count(),
            "history": [
                r for r in assessment.cluster_history(cluster, request.user) if r.pk != result.pk
            ],
            "formulas": FORMULAS,
        },
    )
