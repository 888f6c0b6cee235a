"""Chain and docking endpoints: the graph, cluster profiles, gaps, partners, docking events."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from weft.accounts.permissions import can
from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.core.params import QueryParams
from weft.registry.models import ChainStage, Cluster, Enterprise
from weft.registry.refs import cluster_by_id

from . import docking, partners, presenters, selectors, services
from .models import ChainGap, DockingEvent, Meeting, RecomputeRun, Registration

router = Router(tags=["chain"])
events_router = Router(tags=["docking events"])

MAX_LIMIT = 50


def _en() -> bool:
    return (get_language() or "").startswith("en")


def _cluster(cluster_id: int) -> Cluster:
    return cluster_by_id(cluster_id, missing_status=404)


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(
            422, "invalid_request", _("limit must be between 1 and %(n)d.") % {"n": MAX_LIMIT}
        )
    return limit


@router.get("/chain/stages", summary="The chain graph: stages and what feeds what")
def chain_stages(request):
    return {
        "stages": [
            {"code": s.code, "name": s.name, "order": s.order, "capacity_unit": s.capacity_unit}
            for s in selectors.stages()
        ],
        "links": [presenters.link_dict(k) for k in selectors.links()],
    }


@router.post(
    "/chain/recompute", response={202: dict}, auth=REQUIRED_AUTH, summary="Recompute profiles"
)
def chain_recompute(request):
    if not can(current_user(request), "chain.recompute"):
        raise PermissionDenied
    from .tasks import recompute_chain

    result = recompute_chain.enqueue()
    return Status(202, {"task": str(result.id), "status": str(result.status)})


@router.get("/clusters/{cluster_id}/chain", summary="A cluster's chain profile")
def cluster_chain(request, cluster_id: int):
    cluster = _cluster(cluster_id)
    run = RecomputeRun.objects.filter(status=RecomputeRun.Status.DONE).first()
    return {
        "cluster": {"id": cluster.id, "slug": cluster.slug, "name": cluster.name},
        "computed_at": run.finished_at if run else None,
        "stages": [presenters.profile_dict(p) for p in selectors.cluster_profile(cluster)],
    }


@router.get("/clusters/{cluster_id}/gaps", summary="A cluster's gaps, most severe first")
def cluster_gaps(request, cluster_id: int):
    cluster = _cluster(cluster_id)
    return {"results": [presenters.gap_dict(g) for g in selectors.cluster_gaps(cluster)]}


class GapIn(Schema):
    stage: str
    note: str
    quantity: Decimal | None = None
    quantity_unit: str = ""
    certifications: list[str] = []


@router.post(
    "/clusters/{cluster_id}/gaps",
    response={201: dict},
    auth=REQUIRED_AUTH,
    summary="Declare a need by hand",
)
def declare_gap(request, cluster_id: int, payload: GapIn):
    gap = services.declare_gap(
        current_user(request),
        _cluster(cluster_id),
        stage=payload.stage,
        note=payload.note,
        quantity=payload.quantity,
        quantity_unit=payload.quantity_unit,
        certifications=payload.certifications,
    )
    return Status(201, presenters.gap_dict(gap))


@router.delete(
    "/clusters/{cluster_id}/gaps/{gap_id}",
    response={204: None},
    auth=REQUIRED_AUTH,
    summary="Withdraw a declared need",
)
def withdraw_gap(request, cluster_id: int, gap_id: int):
    gap = ChainGap.objects.filter(pk=gap_id, cluster_id=cluster_id).first()
    if gap is None:
        raise ApiError(
            404, "not_found", _("This cluster has no gap with id %(id)d.") % {"id": gap_id}
        )
    services.withdraw_gap(current_user(request), gap)
    return Status(204, None)


@router.get("/clusters/{cluster_id}/gaps/{stage}/partners", summary="Partners for a gap")
def gap_partners(request, cluster_id: int, stage: str, limit: int = 10):
    cluster = _cluster(cluster_id)
    found = partners.gap_stages(cluster, stage)
    if found is None:
        raise ApiError(
            404,
            "no_such_gap",
            _("%(cluster)s has no gap “%(stage)s”.") % {"cluster": cluster.name, "stage": stage},
        )
    stages, certs = found
    recs = partners.recommend_clusters(cluster, stages, certifications=certs, limit=_limit(limit))
    return {
        "stages": stages,
        "results": [presenters.recommendation_dict(r, _en()) for r in recs],
    }


class PartnerQuery(QueryParams):
    stage: str
    near_cluster: int
    max_km: float | None = None
    certification: list[str] = []
    limit: int = 20


@router.get("/partners", summary="Firms that can supply a stage, near a cluster")
def firm_partners(request, query: Query[PartnerQuery]):
    if not ChainStage.objects.filter(code=query.stage).exists():
        raise ApiError(
            422, "invalid_request", _("Unknown chain stage “%(code)s”.") % {"code": query.stage}
        )
    if query.max_km is not None and query.max_km <= 0:
        raise ApiError(422, "invalid_request", _("max_km must be more than 0."))
    cluster = _cluster(query.near_cluster)
    matches = partners.recommend_firms(
        stage=query.stage,
        near=cluster,
        max_km=query.max_km,
        certifications=query.certification,
        limit=_limit(query.limit),
    )
    return {"results": [presenters.firm_match_dict(m, _en()) for m in matches]}


# --- docking events ------------------------------------------------------------------------------


def _event(event_id: int) -> DockingEvent:
    event = DockingEvent.objects.select_related("host").filter(pk=event_id).first()
    if event is None:
        raise ApiError(404, "not_found", _("No docking event has id %(id)d.") % {"id": event_id})
    return event


def _registration(event: DockingEvent, registration_id: int) -> Registration:
    reg = (
        Registration.objects.select_related("enterprise", "event")
        .filter(pk=registration_id, event=event)
        .first()
    )
    if reg is None:
        raise ApiError(
            404,
            "not_found",
            _("This event has no registration with id %(id)d.") % {"id": registration_id},
        )
    return reg


def _meeting(event: DockingEvent, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.filter(pk=meeting_id, event=event).first()
    if meeting is None:
        raise ApiError(
            404, "not_found", _("This event has no meeting with id %(id)d.") % {"id": meeting_id}
        )
    return meeting


def event_dict(e: DockingEvent) -> dict:
    return {
        "id": e.id,
        "title": e.title,
        "theme": e.theme,
        "place": e.place,
        "starts_on": e.starts_on,
        "ends_on": e.ends_on,
        "host": {"id": e.host_id, "name": e.host.name},
        "status": e.status,
        "tables": e.tables,
        "max_meetings": e.max_meetings,
        "slots": [
            {"id": s.id, "starts_at": s.starts_at, "ends_at": s.ends_at} for s in e.slots.all()
        ],
        "stages": [s.code for s in e.stages.all()],
        "clusters": [c.id for c in e.clusters.all()],
    }


def registration_dict(r: Registration) -> dict:
    return {
        "id": r.id,
        "enterprise": {"id": r.enterprise_id, "name": r.enterprise.name},
        "needs": r.needs,
        "offers": r.offers,
        "needs_text": r.needs_text,
        "offers_text": r.offers_text,
        "required_certifications": r.required_certifications,
    }


def meeting_dict(m: Meeting) -> dict:
    outcome = getattr(m, "outcome", None)
    return {
        "id": m.id,
        "slot": {"id": m.slot_id, "starts_at": m.slot.starts_at, "ends_at": m.slot.ends_at},
        "table": m.table,
        "participants": [registration_dict(m.first), registration_dict(m.second)],
        "score": m.score,
        "reason": m.reason,
        "status": m.status,
        "outcome": None
        if outcome is None
        else {
            "contact_made": outcome.contact_made,
            "sample_ordered": outcome.sample_ordered,
            "deal_signed": outcome.deal_signed,
            "amount": outcome.amount,
            "currency": "CNY",
            "note": outcome.note,
        },
    }


@events_router.get("/docking", summary="Docking events")
def list_events(request):
    events = DockingEvent.objects.select_related("host").prefetch_related(
        "slots", "stages", "clusters"
    )
    return {"results": [event_dict(e) for e in events]}


class EventIn(Schema):
    host_cluster_id: int
    title_zh: str
    title_en: str = ""
    theme: str = ""
    place: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    first_slot: dt.datetime
    slot_minutes: int = 20
    slots: int = 12
    tables: int = 10
    max_meetings: int = 6
    stages: list[str] = []
    cluster_ids: list[int] = []


@events_router.post(
    "/docking", response={201: dict}, auth=REQUIRED_AUTH, summary="Create a docking event"
)
def create_event(request, payload: EventIn):
    event = docking.create_event(
        current_user(request),
        _cluster(payload.host_cluster_id),
        title_zh=payload.title_zh,
        title_en=payload.title_en,
        theme=payload.theme,
        place=payload.place,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        first_slot=payload.first_slot,
        slot_minutes=payload.slot_minutes,
        n_slots=payload.slots,
        tables=payload.tables,
        max_meetings=payload.max_meetings,
        stages=payload.stages,
        cluster_ids=payload.cluster_ids,
    )
    return Status(201, event_dict(event))


@events_router.get("/docking/{event_id}", summary="One docking event")
def get_event(request, event_id: int):
    return event_dict(_event(event_id))


@events_router.get("/docking/{event_id}/registrations", summary="Who takes part")
def list_registrations(request, event_id: int):
    event = _event(event_id)
    regs = Registration.objects.filter(event=event).select_related("enterprise")
    return {"results": [registration_dict(r) for r in regs]}


class RegistrationIn(Schema):
    enterprise_id: int
    needs: list[str] = []
    offers: list[str] = []
    needs_text: str = ""
    offers_text: str = ""
    certifications: list[str] = []
    max_meetings: int | None = None


@events_router.post(
    "/docking/{event_id}/registrations",
    response={201: dict},
    auth=REQUIRED_AUTH,
    summary="Register a firm",
)
def create_registration(request, event_id: int, payload: RegistrationIn):
    event = _event(event_id)
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        raise ApiError(
            422,
            "invalid_data",
            _("No enterprise has id %(id)d.") % {"id": payload.enterprise_id},
        )
    reg = docking.register(
        current_user(request),
        event,
        enterprise,
        needs=payload.needs,
        offers=payload.offers,
        needs_text=payload.needs_text,
        offers_text=payload.offers_text,
        certifications=payload.certifications,
        max_meetings=payload.max_meetings,
    )
    return Status(201, registration_dict(reg))


class RequestIn(Schema):
    registration_id: int
    target_id: int
    note: str = ""


@events_router.post(
    "/docking/{event_id}/requests",
    response={201: dict},
    auth=REQUIRED_AUTH,
    summary="Ask to meet another participant",
)
def create_request(request, event_id: int, payload: RequestIn):
    event = _event(event_id)
    req = docking.request_meeting(
        current_user(request),
        _registration(event, payload.registration_id),
        _registration(event, payload.target_id),
        payload.note,
    )
    return Status(201, {"id": req.id, "requester": req.requester_id, "target": req.target_id})


@events_router.post(
    "/docking/{event_id}/schedule", auth=REQUIRED_AUTH, summary="(Re)build the schedule"
)
def schedule(request, event_id: int):
    n = docking.schedule_event(current_user(request), _event(event_id))
    return {"meetings": n}


@events_router.get(
    "/docking/{event_id}/registrations/{registration_id}/meetings",
    auth=REQUIRED_AUTH,
    summary="A participant's meetings",
)
def registration_meetings(request, event_id: int, registration_id: int):
    event = _event(event_id)
    reg = _registration(event, registration_id)
    if not can(current_user(request), "docking.view_registration", reg):
        raise PermissionDenied
    return {"results": [meeting_dict(m) for m in docking.meetings_of(reg)]}


def _schedule_file(request, event_id: int, registration_id: int | None, kind: str):
    from django.http import HttpResponse

    event = _event(event_id)
    user = current_user(request)
    reg = None
    if registration_id is not None:
        reg = _registration(event, registration_id)
        if not can(user, "docking.print_schedule", reg):
            raise PermissionDenied
    elif not can(user, "docking.print_tables", event):
        raise PermissionDenied
    name, data, content_type = docking.schedule_file(event, reg, kind)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@events_router.get(
    "/docking/{event_id}/schedule.pdf",
    auth=REQUIRED_AUTH,
    summary="The schedule as PDF: one participant's (registration_id) or every table's",
)
def schedule_pdf(request, event_id: int, registration_id: int | None = None):
    return _schedule_file(request, event_id, registration_id, "pdf")


@events_router.get(
    "/docking/{event_id}/schedule.xlsx",
    auth=REQUIRED_AUTH,
    summary="The schedule as XLSX: one participant's (registration_id) or every table's",
)
def schedule_xlsx(request, event_id: int, registration_id: int | None = None):
    return _schedule_file(request, event_id, registration_id, "xlsx")


class RespondIn(Schema):
    registration_id: int
    accept: bool


@events_router.post(
    "/docking/{event_id}/meetings/{meeting_id}/respond",
    auth=REQUIRED_AUTH,
    summary="Accept or decline a meeting",
)
def respond(request, event_id: int, meeting_id: int, payload: RespondIn):
    event = _event(event_id)
    meeting = docking.respond(
        current_user(request),
        _meeting(event, meeting_id),
        _registration(event, payload.registration_id),
        payload.accept,
    )
    return {"id": meeting.id, "status": meeting.status}


class OutcomeIn(Schema):
    registration_id: int
    contact_made: bool = False
    sample_ordered: bool = False
    deal_signed: bool = False
    amount: Decimal | None = None
    note: str = ""


@events_router.put(
    "/docking/{event_id}/meetings/{meeting_id}/outcome",
    auth=REQUIRED_AUTH,
    summary="Record what came of a meeting",
)
def outcome(request, event_id: int, meeting_id: int, payload: OutcomeIn):
    event = _event(event_id)
    result = docking.record_outcome(
        current_user(request),
        _meeting(event, meeting_id),
        _registration(event, payload.registration_id),
        contact_made=payload.contact_made,
        sample_ordered=payload.sample_ordered,
        deal_signed=payload.deal_signed,
        amount=payload.amount,
        note=payload.note,
    )
    return {
        "meeting": result.meeting_id,
        "deal_signed": result.deal_signed,
        "amount": result.amount,
    }
