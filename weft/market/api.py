"""Marketplace endpoints: demands, capacity offers, matches, quotes, awards, ratings, reports.

Handlers are thin: reads through selectors (visibility decided there), writes through services
(the lifecycle decided there). A demand, offer or quote the caller may not see answers 404,
exactly like one that does not exist.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile

from weft.accounts.permissions import can
from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.core.pagination import paginate
from weft.core.params import QueryParams, SearchText
from weft.registry.models import Enterprise

from . import matching, selectors, services
from .models import (
    Attachment,
    Award,
    CapacityOffer,
    Demand,
    Notification,
    Quote,
    Report,
    SavedSearch,
)
from .schemas import (
    AttachmentOut,
    AwardIn,
    AwardOut,
    DecideIn,
    DemandIn,
    DemandMatchOut,
    DemandOut,
    DemandPage,
    DemandPatch,
    InvitationIn,
    MatchOut,
    NotificationOut,
    OfferIn,
    OfferOut,
    OfferPage,
    QuoteIn,
    QuoteOut,
    RatingIn,
    RatingOut,
    ReportIn,
    ReportOut,
    SavedSearchIn,
    SavedSearchOut,
    TransitionIn,
    TransitionOut,
)

router = Router(tags=["market"])


class PostQuery(QueryParams):
    q: SearchText = ""
    stage: str = ""
    category: str = ""
    cluster: int | None = None
    province: str = ""
    mine: bool = False
    page: int = 1
    page_size: int | None = None


def _filters(query) -> selectors.PostFilters:
    """The list's filters; a value that names nothing (an unknown stage, category, cluster or
    province) is a 422 naming it, as on the registry's lists, even with `mine`."""
    return selectors.PostFilters(
        q=query.q,
        stage=query.stage,
        category=query.category,
        cluster=query.cluster,
        province=query.province,
    ).check()


def _demand(request, demand_id: int) -> Demand:
    try:
        return selectors.demand_for(current_user(request), demand_id)
    except Demand.DoesNotExist:
        raise ApiError(
            404, "not_found", _("No demand has id %(id)d.") % {"id": demand_id}
        ) from None


def _offer(request, offer_id: int) -> CapacityOffer:
    try:
        return selectors.offer_for(current_user(request), offer_id)
    except CapacityOffer.DoesNotExist:
        raise ApiError(
            404, "not_found", _("No capacity offer has id %(id)d.") % {"id": offer_id}
        ) from None


def _quote(request, quote_id: int) -> Quote:
    try:
        return selectors.quote_for(current_user(request), quote_id)
    except Quote.DoesNotExist:
        raise ApiError(404, "not_found", _("No quote has id %(id)d.") % {"id": quote_id}) from None


# --- demands -----------------------------------------------------------------------------------


@router.get("/demands", response=DemandPage, summary="Browse and search demands")
def list_demands(request, query: Query[PostQuery]):
    user = current_user(request)
    filters = _filters(query)
    if query.mine:
        qs = selectors.my_firm_demands(user).select_related("buyer")
    else:
        qs = selectors.search_demands(user, filters)
    return paginate(
        request, qs.prefetch_related("certifications"), page=query.page, page_size=query.page_size
    )


@router.post("/demands", response={201: DemandOut}, auth=REQUIRED_AUTH, summary="Post a demand")
def create_demand(request, payload: DemandIn):
    data = payload.dict(exclude={"enterprise_id", "publish"})
    demand = services.post_demand(
        user=current_user(request),
        data=data,
        enterprise_id=payload.enterprise_id,
        publish=payload.publish,
    )
    return Status(201, _demand(request, demand.pk))


@router.get("/demands/{demand_id}", response=DemandOut, summary="One demand")
def get_demand(request, demand_id: int):
    return _demand(request, demand_id)


@router.patch(
    "/demands/{demand_id}",
    response=DemandOut,
    auth=REQUIRED_AUTH,
    summary="Edit a draft or open demand (the buyer's admins; some fields lock once quoted)",
)
def edit_demand(request, demand_id: int, payload: DemandPatch):
    demand = _demand(request, demand_id)
    services.edit_demand(
        user=current_user(request), demand=demand, data=payload.dict(exclude_unset=True)
    )
    return _demand(request, demand_id)


@router.get(
    "/demands/{demand_id}/transitions",
    response=list[TransitionOut],
    summary="Status history of a demand",
)
def list_transitions(request, demand_id: int):
    return selectors.demand_history(current_user(request), _demand(request, demand_id))


def _transition_endpoint(action: str, path: str, summary: str):
    def handler(request, demand_id: int, payload: TransitionIn | None = None):
        demand = _demand(request, demand_id)
        note = payload.note if payload else ""
        services.act(current_user(request), demand, action, note)
        return _demand(request, demand_id)

    handler.__name__ = f"demand_{action}"
    router.post(
        f"/demands/{{demand_id}}/{path}", response=DemandOut, auth=REQUIRED_AUTH, summary=summary
    )(handler)


_transition_endpoint("publish", "publish", "Open a draft demand for quotes")
_transition_endpoint("cancel", "cancel", "Cancel a demand")
_transition_endpoint("start_production", "start-production", "Awarded → in production")
_transition_endpoint("deliver", "deliver", "In production → delivered")
_transition_endpoint("close", "close", "Delivered → closed")


@router.get(
    "/demands/{demand_id}/matches",
    response=list[MatchOut],
    auth=REQUIRED_AUTH,
    summary="Ranked suppliers (capacity offers, and firms without one) for a demand, with reasons",
)
def demand_matches(request, demand_id: int, limit: int = 20):
    demand = _demand(request, demand_id)
    if not can(current_user(request), "market.view_demand_quotes", demand):
        raise PermissionDenied
    limit = max(1, min(limit, 100))
    return [
        {
            "kind": m.key[0],
            "offer_id": m.offer.pk if m.offer else None,
            "offer_title": m.offer.title if m.offer else "",
            "supplier_id": m.supplier_id,
            "supplier_name": m.supplier.name_zh,
            "score": round(m.score, 4),
            "strong": m.strong,
            "parts": {k: round(v, 4) for k, v in m.parts.items()},
            "reasons": m.reasons,
        }
        for m in matching.matches_for_demand(demand, limit=limit)
    ]


@router.post(
    "/demands/{demand_id}/invitations",
    response={201: dict},
    auth=REQUIRED_AUTH,
    summary="Invite a firm to quote",
)
def invite(request, demand_id: int, payload: InvitationIn):
    demand = _demand(request, demand_id)
    firm = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if firm is None:
        raise ApiError(
            422,
            "invalid_data",
            _("No enterprise has id %(id)d.") % {"id": payload.enterprise_id},
        )
    invitation = services.invite(user=current_user(request), demand=demand, enterprise=firm)
    return Status(201, {"id": invitation.pk, "demand_id": demand.pk, "enterprise_id": firm.pk})


@router.get(
    "/demands/{demand_id}/quotes",
    response=list[QuoteOut],
    auth=REQUIRED_AUTH,
    summary="Quotes on a demand (the buyer sees all, a supplier its own)",
)
def list_quotes(request, demand_id: int):
    demand = _demand(request, demand_id)
    return list(
        selectors.visible_quotes(current_user(request))
        .filter(demand=demand)
        .select_related("supplier")
    )


@router.post(
    "/demands/{demand_id}/quotes",
    response={201: QuoteOut},
    auth=REQUIRED_AUTH,
    summary="Quote on a demand",
)
def create_quote(request, demand_id: int, payload: QuoteIn):
    demand = _demand(request, demand_id)
    quote = services.submit_quote(
        user=current_user(request),
        demand=demand,
        data=payload.dict(exclude={"enterprise_id"}),
        enterprise_id=payload.enterprise_id,
    )
    return Status(201, quote)


@router.post(
    "/demands/{demand_id}/reports",
    response={201: ReportOut},
    auth=REQUIRED_AUTH,
    summary="Report a demand to the cluster office",
)
def report_demand(request, demand_id: int, payload: ReportIn):
    demand = _demand(request, demand_id)
    return Status(
        201, services.report_post(user=current_user(request), post=demand, reason=payload.reason)
    )


# --- quotes, awards, ratings ------------------------------------------------------------------


@router.get("/quotes/{quote_id}", response=QuoteOut, auth=REQUIRED_AUTH, summary="One quote")
def get_quote(request, quote_id: int):
    return _quote(request, quote_id)


@router.post(
    "/quotes/{quote_id}/award",
    response={201: AwardOut},
    auth=REQUIRED_AUTH,
    summary="Award a quote (one or more per demand)",
)
def award_quote(request, quote_id: int, payload: AwardIn | None = None):
    quote = _quote(request, quote_id)
    result = services.award(
        user=current_user(request), quote=quote, quantity=payload.quantity if payload else None
    )
    return Status(201, Award.objects.select_related("demand").get(pk=result.pk))


@router.get(
    "/quotes/{quote_id}/attachments",
    response=list[AttachmentOut],
    auth=REQUIRED_AUTH,
    summary="A quote's files (its supplier and its buyer only)",
)
def list_quote_attachments(request, quote_id: int):
    quote = _quote(request, quote_id)
    if not can(current_user(request), "market.quote_files", quote):
        raise PermissionDenied
    return quote.attachments.order_by("created_at", "id")


@router.post(
    "/quotes/{quote_id}/attachments",
    response={201: AttachmentOut},
    auth=REQUIRED_AUTH,
    summary="Attach a file to your quote (PDF, image, XLSX or DOCX; size limited)",
)
def attach_to_quote(request, quote_id: int, file: File[UploadedFile]):
    quote = _quote(request, quote_id)
    return Status(
        201, services.add_attachment(user=current_user(request), upload=file, quote=quote)
    )


@router.get(
    "/attachments/{attachment_id}",
    auth=REQUIRED_AUTH,
    summary="Download a file of a demand or a quote",
)
def download_attachment(request, attachment_id: int):
    user = current_user(request)
    attachment = (
        Attachment.objects.select_related("demand", "quote__demand")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is not None and attachment.quote_id is not None:
        visible = selectors.visible_quotes(user).filter(pk=attachment.quote_id).exists()
    else:
        visible = attachment is not None and can(user, "market.view_demand", attachment.demand)
    if not visible:
        raise ApiError(404, "not_found", _("No attachment has id %(id)d.") % {"id": attachment_id})
    if not can(user, "market.download_attachment", attachment):
        raise PermissionDenied
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@router.post(
    "/quotes/{quote_id}/withdraw",
    response=QuoteOut,
    auth=REQUIRED_AUTH,
    summary="Withdraw your quote",
)
def withdraw_quote(request, quote_id: int):
    quote = _quote(request, quote_id)
    return services.withdraw_quote(user=current_user(request), quote=quote)


@router.post(
    "/awards/{award_id}/ratings",
    response={201: RatingOut},
    auth=REQUIRED_AUTH,
    summary="Rate the other side after delivery",
)
def rate_award(request, award_id: int, payload: RatingIn):
    user = current_user(request)
    award = Award.objects.select_related("demand", "quote").filter(pk=award_id).first()
    if award is None or not selectors.visible_quotes(user).filter(pk=award.quote_id).exists():
        raise ApiError(404, "not_found", _("No award has id %(id)d.") % {"id": award_id})
    return Status(
        201,
        services.rate(
            user=user,
            award=award,
            on_time=payload.on_time,
            quality=payload.quality,
            comment=payload.comment,
        ),
    )


# --- capacity offers ---------------------------------------------------------------------------


@router.get("/capacity-offers", response=OfferPage, summary="Browse and search spare capacity")
def list_offers(request, query: Query[PostQuery]):
    user = current_user(request)
    filters = _filters(query)
    qs = selectors.my_firm_offers(user) if query.mine else selectors.search_offers(user, filters)
    return paginate(request, qs, page=query.page, page_size=query.page_size)


@router.post(
    "/capacity-offers",
    response={201: OfferOut},
    auth=REQUIRED_AUTH,
    summary="Offer spare capacity",
)
def create_offer(request, payload: OfferIn):
    offer = services.post_offer(
        user=current_user(request),
        data=payload.dict(exclude={"enterprise_id"}),
        enterprise_id=payload.enterprise_id,
    )
    return Status(201, _offer(request, offer.pk))


@router.get("/capacity-offers/{offer_id}", response=OfferOut, summary="One capacity offer")
def get_offer(request, offer_id: int):
    return _offer(request, offer_id)


@router.post(
    "/capacity-offers/{offer_id}/close",
    response=OfferOut,
    auth=REQUIRED_AUTH,
    summary="Close a capacity offer",
)
def close_offer(request, offer_id: int):
    offer = _offer(request, offer_id)
    return services.close_offer(user=current_user(request), offer=offer)


@router.get(
    "/capacity-offers/{offer_id}/matches",
    response=list[DemandMatchOut],
    auth=REQUIRED_AUTH,
    summary="Open demands that fit a capacity offer",
)
def offer_matches(request, offer_id: int, limit: int = 50):
    user = current_user(request)
    offer = _offer(request, offer_id)
    if not (can(user, "market.manage_offer", offer) or can(user, "audit.view")):
        raise PermissionDenied
    limit = max(1, min(limit, 200))
    return [
        {
            "demand_id": m.demand.pk,
            "demand_title": m.demand.title,
            "buyer_name": m.demand.buyer.name_zh,
            "score": round(m.score, 4),
            "strong": m.strong,
            "parts": {k: round(v, 4) for k, v in m.parts.items()},
            "reasons": m.reasons,
            "published_at": m.demand.published_at,
        }
        for m in matching.matches_for_offer(offer, user, limit=limit)
    ]


@router.post(
    "/capacity-offers/{offer_id}/reports",
    response={201: ReportOut},
    auth=REQUIRED_AUTH,
    summary="Report a capacity offer to the cluster office",
)
def report_offer(request, offer_id: int, payload: ReportIn):
    offer = _offer(request, offer_id)
    return Status(
        201, services.report_post(user=current_user(request), post=offer, reason=payload.reason)
    )


@router.post(
    "/reports/{report_id}/decide",
    response=ReportOut,
    auth=REQUIRED_AUTH,
    summary="Cluster office: hide the reported post, or dismiss the report",
)
def decide_report(request, report_id: int, payload: DecideIn):
    report = get_object_or_404(Report.objects.select_related("demand", "offer"), pk=report_id)
    return services.decide_report(user=current_user(request), report=report, hide=payload.hide)


# --- saved searches and notifications ---------------------------------------------------------


@router.get("/saved-searches", response=list[SavedSearchOut], auth=REQUIRED_AUTH)
def list_saved_searches(request):
    return list(SavedSearch.objects.filter(user=current_user(request)))


@router.post("/saved-searches", response={201: SavedSearchOut}, auth=REQUIRED_AUTH)
def create_saved_search(request, payload: SavedSearchIn):
    return Status(
        201,
        services.save_search(
            user=current_user(request),
            name=payload.name,
            kind=payload.kind,
            filters=payload.filters,
            notify=payload.notify,
        ),
    )


@router.get("/notifications", response=list[NotificationOut], auth=REQUIRED_AUTH)
def list_notifications(request, unread: bool = False):
    qs = Notification.objects.filter(user=current_user(request))
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[:100])
