"""Social responsibility and green production endpoints.

A self-assessment's answers answer only to the firm, its cluster offices, the operator and the
auditor it invited; anyone else gets 404, as if it did not exist.
"""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema, Status

from weft.accounts.permissions import can
from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.registry.models import Cluster, Enterprise

from . import green, selectors, services
from .models import Assessment

router = Router(tags=["csr"])


class AreaOut(Schema):
    code: str
    name: str
    score: Decimal | None
    missing_evidence: list[str]


class AnswerOut(Schema):
    question: str
    choice: str
    comment: str
    evidence_files: int


class AssessmentRow(Schema):
    id: int
    enterprise_id: int
    status: str
    overall_score: Decimal | None
    level: str
    submitted_at: datetime | None
    reviewed_at: datetime | None


class AssessmentOut(AssessmentRow):
    auditor_id: int | None
    review_note: str
    areas: list[AreaOut]
    answers: list[AnswerOut]
    projected_overall: Decimal | None


class AssessmentIn(Schema):
    enterprise_id: int


class AnswerIn(Schema):
    choice: str
    comment: str = ""


class ReviewIn(Schema):
    decision: str  # verify | return
    note: str = ""


def _visible(request, assessment_id) -> Assessment:
    a = Assessment.objects.select_related("enterprise").filter(pk=assessment_id).first()
    if a is None or not can(current_user(request), "csr.view", a):
        raise ApiError(
            404, "not_found", _("No self-assessment has id %(id)d.") % {"id": assessment_id}
        )
    return a


def _detail(a: Assessment) -> dict:
    rows = selectors.questionnaire(a)
    overall, _level = selectors.overall(a)
    return {
        **{f: getattr(a, f) for f in AssessmentRow.model_fields},
        "auditor_id": a.auditor_id,
        "review_note": a.review_note,
        "areas": [
            {
                "code": r.area.code,
                "name": r.area.name,
                "score": r.score,
                "missing_evidence": list(r.missing_evidence),
            }
            for r in rows
        ],
        "answers": [
            {
                "question": q.question.code,
                "choice": q.choice,
                "comment": q.comment,
                "evidence_files": len(q.evidence),
            }
            for r in rows
            for q in r.questions
            if q.choice
        ],
        "projected_overall": overall,
    }


@router.get(
    "/csr/assessments",
    response=list[AssessmentRow],
    auth=REQUIRED_AUTH,
    summary="Self-assessments I may see",
)
def list_assessments(request):
    return selectors.visible_assessments(current_user(request))[:500]


@router.post(
    "/csr/assessments",
    response={201: AssessmentOut},
    auth=REQUIRED_AUTH,
    summary="Start (or continue) a firm's self-assessment",
)
def start_assessment(request, payload: AssessmentIn):
    firm = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if firm is None:
        raise ApiError(
            422, "invalid_data", _("No enterprise has id %(id)d.") % {"id": payload.enterprise_id}
        )
    a = services.start_assessment(user=current_user(request), enterprise=firm)
    return Status(201, _detail(a))


@router.get(
    "/csr/assessments/{assessment_id}",
    response=AssessmentOut,
    auth=REQUIRED_AUTH,
    summary="One self-assessment with answers and scores",
)
def get_assessment(request, assessment_id: int):
    return _detail(_visible(request, assessment_id))


@router.put(
    "/csr/assessments/{assessment_id}/answers",
    response=AssessmentOut,
    auth=REQUIRED_AUTH,
    summary="Answer questions (question code → answer)",
)
def put_answers(request, assessment_id: int, payload: Body[dict[str, AnswerIn]]):
    a = _visible(request, assessment_id)
    services.save_answers(
        user=current_user(request),
        assessment=a,
        answers={k: v.dict() for k, v in payload.items()},
    )
    return _detail(a)


@router.post(
    "/csr/assessments/{assessment_id}/submit",
    response=AssessmentOut,
    auth=REQUIRED_AUTH,
    summary="Submit for review",
)
def submit(request, assessment_id: int):
    a = _visible(request, assessment_id)
    return _detail(services.submit(user=current_user(request), assessment=a))


@router.post(
    "/csr/assessments/{assessment_id}/review",
    response=AssessmentOut,
    auth=REQUIRED_AUTH,
    summary="Verify or return a submitted self-assessment",
)
def review(request, assessment_id: int, payload: ReviewIn):
    a = _visible(request, assessment_id)
    if payload.decision not in ("verify", "return"):
        raise ApiError(422, "invalid_data", _("decision is verify or return."))
    a = services.review(
        user=current_user(request),
        assessment=a,
        verify=payload.decision == "verify",
        note=payload.note,
    )
    return _detail(a)


class GreenOut(Schema):
    cluster_id: int
    year: int
    available: bool
    units: dict
    cluster: dict | None
    firms: list[dict] | None
    permits_expiring_90_days: int | None


@router.get("/green/clusters/{cluster_id}", response=GreenOut, summary="A cluster's green figures")
def green_cluster(request, cluster_id: int, year: int | None = None):
    cluster = get_object_or_404(Cluster, pk=cluster_id)
    year = year or timezone.localdate().year - 1
    if not 2000 <= year <= 2100:
        raise ApiError(422, "invalid_request", _("year must be between 2000 and 2100."))
    data = green.cluster_green(cluster, year)
    firm_level = can(current_user(request), "csr.view_green_firms", cluster)
    return {
        "cluster_id": cluster.pk,
        **data,
        "firms": data["firms"] if firm_level else None,
        "permits_expiring_90_days": selectors.expiring_permits(cluster).count()
        if firm_level
        else None,
    }
