"""Reads for social responsibility: the questionnaire with answers and scores, visible lists, and
`verified_level` / `meets_level`, the seam the marketplace uses when a buyer requires a level."""

from dataclasses import dataclass, field

from weft.accounts.permissions import visible_assessments_q

from . import scoring
from .models import Assessment, DischargePermit
from .questionnaire import AREAS


def visible_assessments(user):
    return Assessment.objects.filter(visible_assessments_q(user)).select_related("enterprise")


@dataclass
class QuestionRow:
    question: object
    choice: str = ""
    comment: str = ""
    evidence: list = field(default_factory=list)


@dataclass
class AreaRow:
    area: object
    score: object
    missing_evidence: tuple
    questions: list


def questionnaire(assessment: Assessment) -> list[AreaRow]:
    answers = {a.question: a for a in assessment.answers.all()}
    files: dict[str, list] = {}
    for ev in assessment.evidence.all():
        files.setdefault(ev.question, []).append(ev)
    scores = {
        s.code: s
        for s in scoring.area_scores({k: a.choice for k, a in answers.items()}, set(files))
    }
    rows = []
    for area in AREAS:
        qs = []
        for q in area.questions:
            a = answers.get(q.code)
            qs.append(
                QuestionRow(q, a.choice if a else "", a.comment if a else "", files.get(q.code, []))
            )
        s = scores[area.code]
        rows.append(AreaRow(area, s.score, s.missing_evidence, qs))
    return rows


def overall(assessment: Assessment):
    rows = questionnaire(assessment)
    scores = [scoring.AreaScore(r.area.code, r.score, r.missing_evidence) for r in rows]
    return scoring.overall(scores), scoring.level(scores)


LEVEL_ORDER = {"A": 4, "B": 3, "C": 2, "D": 1}


def verified_level(enterprise) -> str | None:
    """The level of the firm's latest verified self-assessment, or None. Public information."""
    latest = (
        Assessment.objects.filter(enterprise=enterprise, status=Assessment.Status.VERIFIED)
        .order_by("-reviewed_at", "-id")
        .first()
    )
    return latest.level if latest else None


def meets_level(enterprise, minimum: str) -> bool:
    """For a buyer's requirement 'at least level B': is the firm verified at that level or better?"""
    level = verified_level(enterprise)
    return bool(level) and LEVEL_ORDER[level] >= LEVEL_ORDER[minimum]


def permits_of(enterprise):
    return DischargePermit.objects.filter(enterprise=enterprise)


def expiring_permits(cluster, *, within_days: int = 90, today=None):
    from datetime import timedelta

    from django.utils import timezone

    today = today or timezone.localdate()
    return DischargePermit.objects.filter(
        enterprise__cluster_memberships__cluster=cluster,
        enterprise__cluster_memberships__status="approved",
        valid_until__lte=today + timedelta(days=within_days),
    ).select_related("enterprise")
