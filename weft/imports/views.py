"""Import pages: upload, column mapping, live progress, errors, review queue, template."""

import os
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weft.accounts.permissions import can
from weft.core.params import id_param
from weft.core.redirects import safe_next

from . import selectors, services
from .columns import COLUMNS
from .engine import table_of
from .models import MatchDecision
from .parsing import FileRejected
from .report import template_workbook


def _job_or_404(request, pk):
    job = selectors.job_for(request.user, pk)
    if job is None:
        raise Http404
    return job


@login_required
def import_list(request):
    clusters = selectors.clusters_for_import(request.user)
    if not clusters.exists() and not can(request.user, "imports.import_enterprises", None):
        raise PermissionDenied(_("Only cluster offices and the operator import enterprise lists."))
    error = None
    if request.method == "POST":
        cluster = None
        raw = request.POST.get("cluster", "")
        if raw:
            cluster = clusters.filter(pk=id_param(request.POST, "cluster")).first()
            if cluster is None:
                raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file to upload.")
        else:
            try:
                job = services.create_job(user=request.user, upload=upload, cluster=cluster)
                return redirect("imports:detail", pk=job.pk)
            except FileRejected as exc:
                error = exc.message
    return render(
        request,
        "imports/import_list.html",
        {
            "clusters": clusters,
            "can_all": can(request.user, "imports.import_enterprises", None),
            "jobs": selectors.jobs_for(request.user)[:20],
            "error": error,
            "pending": selectors.review_queue(user=request.user).count(),
        },
        status=422 if error else 200,
    )


@login_required
def import_detail(request, pk):
    job = _job_or_404(request, pk)
    context = {"job": job, "fields": COLUMNS}
    if job.status == job.Status.PREVIEW:
        table = table_of(job)
        preview = []
        for item in table.rows():
            preview.append(item)
            if len(preview) >= 5:
                break
        context["columns"] = [
            {"index": i, "header": h, "field": job.mapping.get(str(i), "")}
            for i, h in enumerate(job.headers)
        ]
        context["preview"] = preview
    else:
        context["errors"] = selectors.row_errors(job)
        context["outside"] = selectors.outside_matches(job) if job.outside else []
        merges = job.decisions.filter(
            outcome__in=[MatchDecision.Outcome.MERGED, MatchDecision.Outcome.CONFIRMED]
        ).select_related("enterprise")[:50]
        # Listed with their Undo button for whoever may undo them, and nobody else.
        context["merges"] = [d for d in merges if can(request.user, "imports.undo_merge", d)]
    return render(request, "imports/import_detail.html", context)


@login_required
def import_progress(request, pk):
    """The progress fragment htmx polls while the import runs."""
    job = _job_or_404(request, pk)
    response = render(request, "imports/_progress.html", {"job": job})
    if not job.is_active:
        response["HX-Refresh"] = "true"  # finished: reload once to show counts and errors
    return response


@login_required
@require_POST
def import_start(request, pk):
    job = _job_or_404(request, pk)
    mapping = {}
    for i in range(len(job.headers)):
        value = request.POST.get(f"col-{i}", "")
        if value:
            mapping[str(i)] = value
    try:
        services.start_job(user=request.user, job=job, mapping=mapping)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:detail", pk=job.pk)


@login_required
def review(request, pk=None):
    job = _job_or_404(request, pk) if pk else None
    queue = selectors.review_queue(job=job, user=request.user)[:50]
    items = [{"d": d, "fields": selectors.side_by_side(d)} for d in queue]
    return render(request, "imports/review.html", {"job": job, "items": items})


_DECISIONS = {
    "confirm": services.confirm_match,
    "reject": services.reject_match,
    "undo": services.undo_merge,
}


@login_required
@require_POST
def decide(request, decision_id, action):
    do = _DECISIONS.get(action)
    decision = selectors.decision_for(request.user, decision_id) if do else None
    if decision is None:
        raise Http404
    error = None
    try:
        decision = do(user=request.user, decision=decision)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(request, "imports/_decided.html", {"d": decision, "error": error})
    if error:
        messages.error(request, error)
    return redirect(safe_next(request, "imports:review_all"))


def template_xlsx(request):
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    template_workbook(path)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)
    return FileResponse(handle, as_attachment=True, filename="weft-enterprise-list-template.xlsx")
