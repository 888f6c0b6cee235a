"""Import endpoints: upload, progress, error report, review decisions; directory export."""

import json
import os

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.registry.models import Cluster

from . import selectors, services
from .export import ExportQuery, export_response
from .models import ImportJob, MatchDecision
from .parsing import FileRejected
from .report import error_report
from .schemas import ImportCreated, ImportOut, MappingIn, MatchOut

router = Router(tags=["imports"])


def job_out(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "stale": job.is_stale,
        "file": job.original_name,
        "cluster_id": job.cluster_id,
        "progress": {"rows_done": job.rows_done, "total": job.total_rows, "percent": job.percent},
        "counts": {
            "created": job.created,
            "merged": job.merged,
            "unchanged": job.unchanged,
            "pending_review": job.pending,
            "outside_clusters": job.outside,
            "rejected_rows": job.rejected,
        },
        "error": job.error_message,
        "errors": selectors.row_errors(job),
        "report_url": reverse("api:import_report", kwargs={"job_id": job.pk}),
    }


def match_out(d: MatchDecision) -> dict:
    return {
        "id": d.pk,
        "import_id": d.job_id,
        "row": d.row,
        "outcome": d.outcome,
        "reason": d.reason,
        "score": d.score,
        "name_score": d.name_score,
        "address_score": d.address_score,
        "candidate_id": d.candidate_id,
        "enterprise_id": d.enterprise_id,
        "fields": selectors.side_by_side(d),
    }


def _job(request, job_id: int) -> ImportJob:
    job = selectors.job_for(current_user(request), job_id)
    if job is None:
        raise ApiError(404, "not_found", _("No import has id %(id)d.") % {"id": job_id})
    return job


def _decision(request, decision_id: int) -> MatchDecision:
    decision = selectors.decision_for(current_user(request), decision_id)
    if decision is None:
        raise ApiError(
            404, "not_found", _("No potential match has id %(id)d.") % {"id": decision_id}
        )
    return decision


@router.post(
    "/imports",
    response={201: ImportCreated},
    auth=REQUIRED_AUTH,
    summary="Upload an enterprise list (XLSX or CSV)",
)
def create_import(
    request,
    file: File[UploadedFile],
    cluster: Form[int | None] = None,
    mapping: Form[str] = "",
    start: Form[bool] = True,
):
    """Checks the file at once and answers; the import itself runs in the background.
    `mapping` (JSON, column index → field) overrides the recognised headers; `start=false`
    keeps the import waiting for its mapping (`POST /imports/{id}/start`)."""
    user = current_user(request)
    target = None
    if cluster is not None:
        target = Cluster.objects.filter(pk=cluster).first()
        if target is None:
            raise ApiError(404, "not_found", _("No cluster has id %(id)d.") % {"id": cluster})
    given = None
    if mapping:
        try:
            given = json.loads(mapping)
            assert isinstance(given, dict)
        except (ValueError, AssertionError):
            raise ApiError(
                422, "invalid_request", _("mapping must be a JSON object of column → field.")
            ) from None
    try:
        job = services.create_job(user=user, upload=file, cluster=target)
    except FileRejected as exc:
        raise ApiError(422, exc.code, exc.message) from None
    if start or given is not None:
        job = services.start_job(user=user, job=job, mapping=given)
    return Status(
        201,
        {
            "id": job.pk,
            "status": job.status,
            "headers": job.headers,
            "mapping": job.mapping,
            "total_rows": job.total_rows,
            "notes": job.notes,
        },
    )


@router.post("/imports/{job_id}/start", response=ImportOut, auth=REQUIRED_AUTH, summary="Start")
def start_import(request, job_id: int, payload: MappingIn):
    job = services.start_job(
        user=current_user(request), job=_job(request, job_id), mapping=payload.mapping
    )
    return job_out(job)


@router.get("/imports/{job_id}", response=ImportOut, auth=REQUIRED_AUTH, summary="Progress")
def get_import(request, job_id: int):
    return job_out(_job(request, job_id))


@router.get(
    "/imports/{job_id}/report.xlsx",
    auth=REQUIRED_AUTH,
    url_name="import_report",
    summary="The uploaded rows with an error column",
)
def import_report(request, job_id: int):
    job = _job(request, job_id)
    path = error_report(job)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the data until the response is sent
    name = os.path.splitext(job.original_name)[0] + "-errors.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)


@router.get("/imports/{job_id}/matches", response=list[MatchOut], auth=REQUIRED_AUTH)
def import_matches(request, job_id: int, outcome: str = "pending"):
    job = _job(request, job_id)
    if outcome not in MatchDecision.Outcome.values and outcome != "all":
        raise ApiError(422, "invalid_request", _("Unknown outcome %(o)s.") % {"o": outcome})
    qs = job.decisions.select_related("candidate").order_by("row")
    if outcome != "all":
        qs = qs.filter(outcome=outcome)
    return [match_out(d) for d in qs[:500]]


@router.post("/matches/{decision_id}/confirm", response=MatchOut, auth=REQUIRED_AUTH)
def confirm_match(request, decision_id: int):
    decision = services.confirm_match(
        user=current_user(request), decision=_decision(request, decision_id)
    )
    return match_out(decision)


@router.post("/matches/{decision_id}/reject", response=MatchOut, auth=REQUIRED_AUTH)
def reject_match(request, decision_id: int):
    decision = services.reject_match(
        user=current_user(request), decision=_decision(request, decision_id)
    )
    return match_out(decision)


@router.post("/matches/{decision_id}/undo", response=MatchOut, auth=REQUIRED_AUTH)
def undo_match(request, decision_id: int):
    decision = services.undo_merge(
        user=current_user(request), decision=_decision(request, decision_id)
    )
    return match_out(decision)


@router.get("/enterprises/export", auth=REQUIRED_AUTH, summary="Export the directory (XLSX or CSV)")
def export_enterprises(request, query: Query[ExportQuery]):
    return export_response(current_user(request), query)
