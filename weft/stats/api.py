"""Statistics endpoints: catalogue, series, cluster indicators and warnings, assessments,
reporting rounds and submissions. Permissions come from can(); handlers stay thin."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from weft.accounts.permissions import can
from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.core.params import QueryParams, parse_id
from weft.registry.models import Cluster, Enterprise

from . import monitoring, rounds, selectors, services
from .models import (
    Aggregate,
    AssessmentRun,
    ClusterWarning,
    Indicator,
    PeriodKind,
    ReportingRound,
)

router = Router(tags=["stats"])

NO_CLUSTER = gettext_lazy("No cluster has id %(id)d.")
NO_WARNING = gettext_lazy("No warning has id %(id)d.")
NO_ASSESSMENT = gettext_lazy("No assessment has id %(id)d.")
NO_REPORTING_ROUND = gettext_lazy("No reporting round has id %(id)d.")


def _get(model, pk, missing):
    """The object, or a 404 whose message is `missing`, a whole translatable sentence with
    %(id)d (a noun inserted into a shared sentence would stay in English on Chinese pages)."""
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ApiError(404, "not_found", str(missing) % {"id": pk})
    return obj


def _num(v):
    return None if v is None else str(v)


class IndicatorOut(Schema):
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    kind: str
    period_kinds: list[str]
    decimal_places: int
    rules: dict


@router.get("/indicators", response=list[IndicatorOut], summary="The indicator catalogue")
def list_indicators(request):
    return list(Indicator.objects.filter(is_active=True))


class SeriesQuery(QueryParams):
    indicator: str
    level: str = "nation"
    id: str = "CN"
    period_kind: str = "year"
    start: int | None = Field(None, alias="from", description="First year.")
    end: int | None = Field(None, alias="to", description="Last year.")


@router.get("/stats/series", summary="An aggregate's values and coverage over time")
def series(request, query: Query[SeriesQuery]):
    indicator = Indicator.objects.filter(code=query.indicator).first()
    if indicator is None:
        raise ApiError(
            404, "not_found", _("No indicator has code “%(code)s”.") % {"code": query.indicator}
        )
    if query.level not in Aggregate.Level.values:
        raise ApiError(
            422,
            "invalid_request",
            _("level must be one of: %(levels)s.") % {"levels": ", ".join(Aggregate.Level.values)},
        )
    if query.period_kind not in PeriodKind.values:
        raise ApiError(422, "invalid_request", _("period_kind must be month, quarter or year."))
    key = query.id
    if query.level == Aggregate.Level.CLUSTER:
        pk = parse_id(key)
        cluster = (
            Cluster.objects.filter(pk=pk) if pk is not None else Cluster.objects.filter(slug=key)
        ).first()
        if cluster is None:
            raise ApiError(404, "not_found", _("No cluster “%(id)s”.") % {"id": key})
        key = str(cluster.pk)
    points = selectors.series(
        current_user(request),
        indicator,
        query.level,
        key,
        query.period_kind,
        query.start,
        query.end,
    )
    return {
        "indicator": indicator.code,
        "unit": indicator.unit,
        "level": query.level,
        "id": key,
        "period_kind": query.period_kind,
        "points": [p | {"value": _num(p["value"])} for p in points],
    }


def _decimals(obj):
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _decimals(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decimals(v) for v in obj]
    return obj


@router.get(
    "/clusters/{cluster_id}/indicators", summary="A cluster's derived indicators for a year"
)
def cluster_indicators(request, cluster_id: int, year: int | None = None):
    cluster = _get(Cluster, cluster_id, NO_CLUSTER)
    year = year or selectors.latest_year()
    if year is None:
        raise ApiError(404, "not_found", _("There are no figures yet."))
    user = current_user(request)
    data = selectors.cluster_indicators(
        cluster, year, privileged=can(user, "stats.view_cluster_private", cluster)
    )
    data["top_firms"] = None
    if can(user, "stats.view_cluster_private", cluster):
        period = selectors._period(PeriodKind.YEAR, year)
        data["top_firms"] = selectors.top_firms(user, cluster, period) if period else []
    data["barometer"] = monitoring.barometer(cluster, months=12)
    return _decimals(data)


class WarningOut(Schema):
    id: int
    rule: str
    kind: str
    period: str
    message: str
    observed: str | None
    raised_at: datetime.datetime
    acknowledged: bool
    note: str


def _warning(w: ClusterWarning) -> dict:
    return {
        "id": w.pk,
        "rule": w.rule.code,
        "kind": w.rule.kind,
        "period": w.period.code,
        "message": w.message,
        "observed": _num(w.observed),
        "raised_at": w.raised_at,
        "acknowledged": w.acknowledged_at is not None,
        "note": w.note,
    }


@router.get(
    "/clusters/{cluster_id}/warnings", response=list[WarningOut], summary="A cluster's warnings"
)
def cluster_warnings(request, cluster_id: int):
    cluster = _get(Cluster, cluster_id, NO_CLUSTER)
    return [
        _warning(w)
        for w in ClusterWarning.objects.filter(cluster=cluster).select_related("rule", "period")[
            :100
        ]
    ]


class AckIn(Schema):
    note: str


@router.post(
    "/warnings/{warning_id}/acknowledge",
    response=WarningOut,
    auth=REQUIRED_AUTH,
    summary="Acknowledge a warning",
)
def acknowledge(request, warning_id: int, payload: AckIn):
    warning = _get(ClusterWarning, warning_id, NO_WARNING)
    services.acknowledge_warning(current_user(request), warning, payload.note)
    return _warning(warning)


@router.get("/assessments", summary="Published assessments")
def list_assessments(request):
    runs = AssessmentRun.objects.filter(status=AssessmentRun.Status.PUBLISHED).select_related(
        "scheme"
    )
    return [
        {
            "id": r.pk,
            "year": r.year,
            "scheme": r.scheme.code,
            "version": r.scheme.version,
            "name": r.scheme.name_zh,
            "published_at": r.published_at,
        }
        for r in runs
    ]


@router.get("/assessments/{run_id}/ranking", summary="The ranking of an assessment")
def assessment_ranking(request, run_id: int):
    run = _get(AssessmentRun, run_id, NO_ASSESSMENT)
    if run.status != AssessmentRun.Status.PUBLISHED and not can(
        current_user(request), "stats.manage_catalogue"
    ):
        raise ApiError(404, "not_found", str(NO_ASSESSMENT) % {"id": run_id})
    lang_en = (request.LANGUAGE_CODE or "").startswith("en")
    return {
        "id": run.pk,
        "year": run.year,
        "status": run.status,
        "medians": run.medians,
        "results": [
            {
                "rank": r.rank,
                "cluster": r.cluster_id,
                "name": r.cluster.name,
                "score": str(r.score),
                "dimensions": r.dimensions,
                "feedback": r.feedback_en if lang_en else r.feedback_zh,
            }
            for r in run.results.select_related("cluster")
        ],
    }


# --- rounds and submissions -------------------------------------------------------------------


class RoundIn(Schema):
    cluster_id: int
    period_kind: str
    year: int
    number: int = 1
    indicators: list[str]
    deadline: datetime.date
    firms: list[int] | None = None
    title: str = ""


@router.get("/rounds", auth=REQUIRED_AUTH, summary="Reporting rounds the caller takes part in")
def list_rounds(request):
    return [
        rounds.round_summary(r, current_user(request))
        for r in rounds.visible_rounds(current_user(request))[:100]
    ]


@router.post("/rounds", response={201: dict}, auth=REQUIRED_AUTH, summary="Open a reporting round")
def open_round(request, payload: RoundIn):
    cluster = _get(Cluster, payload.cluster_id, NO_CLUSTER)
    user = current_user(request)
    if not can(user, "stats.manage_round", cluster):
        raise PermissionDenied
    indicators = list(Indicator.objects.filter(code__in=payload.indicators))
    unknown = set(payload.indicators) - {i.code for i in indicators}
    if unknown:
        raise ApiError(
            422,
            "invalid_data",
            _("Unknown indicators: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
        )
    period = services.period_for(payload.period_kind, payload.year, payload.number)
    rnd = services.open_round(
        user,
        cluster,
        period,
        indicators,
        payload.deadline,
        firms=payload.firms,
        title=payload.title,
    )
    return Status(201, rounds.round_summary(rnd, user))


def _round(request, round_id) -> ReportingRound:
    rnd = _get(ReportingRound, round_id, NO_REPORTING_ROUND)
    if not can(current_user(request), "stats.view_round", rnd):
        raise PermissionDenied
    return rnd


@router.get(
    "/rounds/{round_id}", auth=REQUIRED_AUTH, summary="A round, with who reported for its office"
)
def get_round(request, round_id: int):
    user = current_user(request)
    rnd = _round(request, round_id)
    out = rounds.round_summary(rnd, user)
    if can(user, "stats.view_cluster_private", rnd.cluster):
        out["firms"] = rounds.status_rows(rnd)
    return _decimals(out)


class SubmissionIn(Schema):
    enterprise_id: int
    figures: dict[str, str]
    reasons: dict[str, str] = {}
    confirm: list[str] = []


@router.post(
    "/rounds/{round_id}/submissions",
    response={201: dict},
    auth=REQUIRED_AUTH,
    summary="Report figures in a round",
)
def submit(request, round_id: int, payload: SubmissionIn):
    user = current_user(request)
    rnd = _round(request, round_id)
    firm = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if firm is None:
        raise ApiError(
            404, "not_found", _("No enterprise has id %(id)d.") % {"id": payload.enterprise_id}
        )
    try:
        written = services.submit_figures(
            user,
            firm,
            rnd.period,
            payload.figures,
            reasons=payload.reasons,
            confirmed=set(payload.confirm),
            round=rnd,
            via="api",
        )
    except services.SoftRulesUnconfirmed as exc:
        raise ApiError(
            409,
            "confirmation_required",
            _("Some figures need confirmation and a reason."),
            {k: str(v) for k, v in exc.warnings.items()},
        ) from None
    return Status(
        201,
        {
            "created": written.created,
            "revised": written.revised,
            "unchanged": written.unchanged,
        },
    )


@router.get(
    "/rounds/{round_id}/submissions", auth=REQUIRED_AUTH, summary="Figures reported in a round"
)
def list_submissions(request, round_id: int):
    user = current_user(request)
    rnd = _round(request, round_id)
    return _decimals(rounds.round_figures(rnd, user))
