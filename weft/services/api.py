"""Service marketplace and voucher endpoints. Handlers are thin: rules live in orders.py,
vouchers.py and accounts/permissions/services.py."""

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from weft.accounts.models import Organisation
from weft.accounts.permissions import can
from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.core.pagination import paginate
from weft.core.params import QueryParams, SearchText
from weft.registry.models import Cluster

from . import orders, selectors, services, statements, vouchers
from .models import Service, ServiceOrder, Voucher, VoucherApplication, VoucherProgramme
from .schemas import (
    ApplicationIn,
    ApplicationOut,
    DecisionIn,
    OrderIn,
    OrderOut,
    ProgrammeIn,
    ProgrammeOut,
    RedeemIn,
    RedemptionOut,
    ReviewIn,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    SettlementDecisionIn,
    SettlementIn,
    SettlementOut,
    StepIn,
    TransactionOut,
    VoucherOut,
    page_of,
)

router = Router(tags=["services"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PageQuery(QueryParams):
    page: int = 1
    page_size: int | None = None


def _page(request, qs, query):
    return paginate(request, qs, page=query.page, page_size=query.page_size)


def _org(org_id: int, kind: str, what: str) -> Organisation:
    org = Organisation.objects.filter(pk=org_id, kind=kind).first()
    if org is None:
        raise ApiError(
            422, "invalid_data", _("No %(what)s has id %(id)s.") % {"what": what, "id": org_id}
        )
    return org


def _not_found(what, pk):
    return ApiError(404, "not_found", _("No %(what)s has id %(id)s.") % {"what": what, "id": pk})


# --- catalogue ---------------------------------------------------------------------------------


class ServiceQuery(PageQuery):
    q: SearchText = ""
    category: str = ""
    provider: int | None = None


def _with_reviews(qs):
    return qs.annotate(rating=Avg("orders__rating"), reviews=Count("orders__rating"))


@router.get("/services", response=page_of(ServiceOut), summary="The service catalogue")
def list_services(request, query: Query[ServiceQuery]):
    qs = selectors.catalogue(q=query.q, category=query.category, provider=query.provider)
    return _page(request, _with_reviews(qs), query)


@router.get("/services/{service_id}", response=ServiceOut, summary="One service")
def get_service(request, service_id: int):
    service = _with_reviews(Service.objects.filter(pk=service_id, is_active=True)).first()
    if service is None:
        raise _not_found(_("service"), service_id)
    return service


@router.post("/services", response={201: ServiceOut}, auth=REQUIRED_AUTH, summary="List a service")
def create_service(request, payload: ServiceIn):
    provider = _org(payload.provider_id, Organisation.Kind.SERVICE_PROVIDER, _("service provider"))
    data = payload.dict(exclude={"provider_id"})
    return Status(
        201, services.create_service(user=current_user(request), provider=provider, data=data)
    )


@router.patch(
    "/services/{service_id}", response=ServiceOut, auth=REQUIRED_AUTH, summary="Change a service"
)
def update_service(request, service_id: int, payload: ServicePatch):
    service = get_object_or_404(Service, pk=service_id)
    data = payload.dict(exclude_unset=True)
    return services.update_service(user=current_user(request), service=service, data=data)


# --- orders ------------------------------------------------------------------------------------


def _order_out(order: ServiceOrder, user) -> dict:
    redemption = vouchers.live_redemption(order)
    data = {f.attname: getattr(order, f.attname) for f in order._meta.concrete_fields}
    data.update(
        service=order.service.title_zh,
        deliverable=order.deliverable.url if order.deliverable else None,
        subsidy=redemption.subsidy if redemption else None,
        firm_pays=(order.quote_amount - redemption.subsidy) if redemption else order.quote_amount,
        next_steps=[t.name for t in orders.available(user, order)],
        events=list(order.events.all()),
    )
    return data


class OrderQuery(PageQuery):
    status: str = ""


@router.get(
    "/service-orders", response=page_of(OrderOut), auth=REQUIRED_AUTH, summary="My service orders"
)
def list_orders(request, query: Query[OrderQuery]):
    user = current_user(request)
    qs = selectors.orders_for(user).prefetch_related("events", "redemptions")
    if query.status:
        qs = qs.filter(status=query.status)
    page = _page(request, qs, query)
    page["results"] = [_order_out(o, user) for o in page["results"]]
    return page


@router.get(
    "/service-orders/{order_id}", response=OrderOut, auth=REQUIRED_AUTH, summary="One order"
)
def get_order(request, order_id: int):
    user = current_user(request)
    order = selectors.orders_for(user).filter(pk=order_id).first()
    if order is None:
        raise _not_found(_("service order"), order_id)
    return _order_out(order, user)


@router.post(
    "/service-orders", response={201: OrderOut}, auth=REQUIRED_AUTH, summary="Request a service"
)
def create_order(request, payload: OrderIn):
    user = current_user(request)
    service = Service.objects.filter(pk=payload.service_id).first()
    if service is None:
        raise ApiError(
            422, "invalid_data", _("No service has id %(id)s.") % {"id": payload.service_id}
        )
    firm = _org(payload.firm_id, Organisation.Kind.ENTERPRISE, _("enterprise"))
    order = orders.request_service(user=user, service=service, firm=firm, note=payload.note)
    return Status(201, _order_out(order, user))


def _step_endpoint(name: str):
    def step(request, order_id: int, payload: StepIn):
        user = current_user(request)
        order = orders.transition(
            user=user, order_id=order_id, name=name, **payload.dict(exclude_none=True)
        )
        return _order_out(order, user)

    step.__name__ = f"order_{name}"
    router.post(
        f"/service-orders/{{order_id}}/{name}",
        response=OrderOut,
        auth=REQUIRED_AUTH,
        summary=str(orders.TRANSITIONS[name].label),
    )(step)


for _name in orders.TRANSITIONS:
    _step_endpoint(_name)


@router.post(
    "/service-orders/{order_id}/review",
    response=OrderOut,
    auth=REQUIRED_AUTH,
    summary="Review a confirmed order",
)
def review_order(request, order_id: int, payload: ReviewIn):
    user = current_user(request)
    order = orders.review(user=user, order_id=order_id, rating=payload.rating, text=payload.text)
    return _order_out(order, user)


# --- programmes and applications -----------------------------------------------------------------


def _programme_out(p: VoucherProgramme, user):
    if can(user, "services.view_programme_books", p):
        p.budget_left = selectors.dashboard(p)["left"]
    return p


@router.get(
    "/voucher-programmes", response=page_of(ProgrammeOut), summary="Voucher programmes (public)"
)
def list_programmes(request, query: Query[PageQuery]):
    user = current_user(request)
    qs = VoucherProgramme.objects.select_related("issuer").prefetch_related("providers", "clusters")
    page = _page(request, qs, query)
    page["results"] = [_programme_out(p, user) for p in page["results"]]
    return page


@router.get(
    "/voucher-programmes/{programme_id}", response=ProgrammeOut, summary="One voucher programme"
)
def get_programme(request, programme_id: int):
    programme = VoucherProgramme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise _not_found(_("voucher programme"), programme_id)
    return _programme_out(programme, current_user(request))


@router.post(
    "/voucher-programmes",
    response={201: ProgrammeOut},
    auth=REQUIRED_AUTH,
    summary="Create and fund a programme",
)
def create_programme(request, payload: ProgrammeIn):
    user = current_user(request)
    issuer = Organisation.objects.filter(pk=payload.issuer_id).first()
    if issuer is None:
        raise ApiError(
            422, "invalid_data", _("No organisation has id %(id)s.") % {"id": payload.issuer_id}
        )
    providers = list(
        Organisation.objects.filter(
            pk__in=payload.provider_ids, kind=Organisation.Kind.SERVICE_PROVIDER
        )
    )
    clusters = list(Cluster.objects.filter(pk__in=payload.cluster_ids))
    if len(providers) != len(set(payload.provider_ids)) or len(clusters) != len(
        set(payload.cluster_ids)
    ):
        raise ApiError(422, "invalid_data", _("Some provider or cluster ids do not exist."))
    data = payload.dict(exclude={"issuer_id", "provider_ids", "cluster_ids"})
    programme = vouchers.create_programme(
        user=user, issuer=issuer, data=data, providers=providers, clusters=clusters
    )
    return Status(201, _programme_out(programme, user))


def _application_out(a: VoucherApplication):
    a.voucher_id = Voucher.objects.filter(application=a).values_list("pk", flat=True).first()
    return a


@router.get(
    "/voucher-applications",
    response=page_of(ApplicationOut),
    auth=REQUIRED_AUTH,
    summary="Applications I may see",
)
def list_applications(request, query: Query[PageQuery]):
    page = _page(request, selectors.applications_for(current_user(request)), query)
    page["results"] = [_application_out(a) for a in page["results"]]
    return page


@router.post(
    "/voucher-applications",
    response={201: ApplicationOut},
    auth=REQUIRED_AUTH,
    summary="Apply for a voucher",
)
def apply(request, payload: ApplicationIn):
    programme = VoucherProgramme.objects.filter(pk=payload.programme_id).first()
    if programme is None:
        raise ApiError(
            422,
            "invalid_data",
            _("No voucher programme has id %(id)s.") % {"id": payload.programme_id},
        )
    firm = _org(payload.firm_id, Organisation.Kind.ENTERPRISE, _("enterprise"))
    application = vouchers.apply(
        user=current_user(request),
        programme=programme,
        firm=firm,
        amount=payload.amount,
        declared_revenue=payload.declared_revenue,
        note=payload.note,
    )
    return Status(201, _application_out(application))


def _decide(request, application_id, payload, approve):
    user = current_user(request)
    application = selectors.applications_for(user).filter(pk=application_id).first()
    if application is None:
        raise _not_found(_("voucher application"), application_id)
    application = vouchers.decide(
        user=user,
        application=application,
        approve=approve,
        note=payload.note,
        amount=payload.amount if approve else None,
    )
    return _application_out(application)


@router.post(
    "/voucher-applications/{application_id}/approve",
    response=ApplicationOut,
    auth=REQUIRED_AUTH,
    summary="Approve and grant",
)
def approve_application(request, application_id: int, payload: DecisionIn):
    return _decide(request, application_id, payload, True)


@router.post(
    "/voucher-applications/{application_id}/reject",
    response=ApplicationOut,
    auth=REQUIRED_AUTH,
    summary="Reject",
)
def reject_application(request, application_id: int, payload: DecisionIn):
    return _decide(request, application_id, payload, False)


# --- vouchers ------------------------------------------------------------------------------------


def _voucher_out(v: Voucher):
    v.balance = selectors.voucher_balance(v)
    return v


@router.get(
    "/vouchers", response=page_of(VoucherOut), auth=REQUIRED_AUTH, summary="Vouchers I may see"
)
def list_vouchers(request, query: Query[PageQuery]):
    page = _page(request, selectors.vouchers_for(current_user(request)), query)
    page["results"] = [_voucher_out(v) for v in page["results"]]
    return page


@router.get(
    "/vouchers/{voucher_id}", response=VoucherOut, auth=REQUIRED_AUTH, summary="One voucher"
)
def get_voucher(request, voucher_id: int):
    voucher = selectors.vouchers_for(current_user(request)).filter(pk=voucher_id).first()
    if voucher is None:
        raise _not_found(_("voucher"), voucher_id)
    return _voucher_out(voucher)


@router.post(
    "/vouchers/{voucher_id}/redeem",
    response={200: RedemptionOut, 201: RedemptionOut},
    auth=REQUIRED_AUTH,
    summary="Pay part of an accepted order with a voucher",
)
def redeem(
    request,
    voucher_id: int,
    payload: RedeemIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """A repeated `Idempotency-Key` returns the first answer (200) and moves no money again."""
    data, replayed = vouchers.redeem(
        user=current_user(request),
        voucher_id=voucher_id,
        order_id=payload.order_id,
        idempotency_key=idempotency_key,
    )
    return Status(200 if replayed else 201, data)


# --- settlements ---------------------------------------------------------------------------------


@router.get(
    "/settlements",
    response=page_of(SettlementOut),
    auth=REQUIRED_AUTH,
    summary="Settlements I may see",
)
def list_settlements(request, query: Query[PageQuery]):
    page = _page(request, selectors.settlements_for(current_user(request)), query)
    page["results"] = [vouchers.settlement_data(s) for s in page["results"]]
    return page


@router.post(
    "/settlements",
    response={200: SettlementOut, 201: SettlementOut},
    auth=REQUIRED_AUTH,
    summary="Claim earned subsidies",
)
def claim(
    request,
    payload: SettlementIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """A repeated `Idempotency-Key` returns the first answer (200) and claims nothing again."""
    data, replayed = vouchers.claim_settlement(
        user=current_user(request),
        provider_id=payload.provider_id,
        programme_id=payload.programme_id,
        idempotency_key=idempotency_key,
    )
    return Status(200 if replayed else 201, data)


def _settle(request, settlement_id, action, payload):
    user = current_user(request)
    settlement = selectors.settlements_for(user).filter(pk=settlement_id).first()
    if settlement is None:
        raise _not_found(_("settlement"), settlement_id)
    settlement = vouchers.decide_settlement(
        user=user, settlement=settlement, action=action, reference=payload.reference
    )
    return vouchers.settlement_data(settlement)


@router.post(
    "/settlements/{settlement_id}/approve",
    response=SettlementOut,
    auth=REQUIRED_AUTH,
    summary="Approve a claim",
)
def approve_settlement(request, settlement_id: int, payload: SettlementDecisionIn):
    return _settle(request, settlement_id, "approve", payload)


@router.post(
    "/settlements/{settlement_id}/reject",
    response=SettlementOut,
    auth=REQUIRED_AUTH,
    summary="Reject a claim (reversed in the ledger)",
)
def reject_settlement(request, settlement_id: int, payload: SettlementDecisionIn):
    return _settle(request, settlement_id, "reject", payload)


@router.post(
    "/settlements/{settlement_id}/pay",
    response=SettlementOut,
    auth=REQUIRED_AUTH,
    summary="Mark an approved claim paid",
)
def pay_settlement(request, settlement_id: int, payload: SettlementDecisionIn):
    return _settle(request, settlement_id, "pay", payload)


# --- ledger and statements -----------------------------------------------------------------------


class LedgerQuery(PageQuery):
    programme: int | None = None


@router.get(
    "/ledger",
    response=page_of(TransactionOut),
    auth=REQUIRED_AUTH,
    summary="Ledger of the programmes I issue",
)
def get_ledger(request, query: Query[LedgerQuery]):
    user = current_user(request)
    if query.programme is not None:
        programme = VoucherProgramme.objects.filter(pk=query.programme).first()
        if programme is None:
            raise _not_found(_("voucher programme"), query.programme)
        if not can(user, "services.view_programme_books", programme):
            raise PermissionDenied
    return _page(request, selectors.ledger_for(user, query.programme), query)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/voucher-programmes/{programme_id}/statement.xlsx",
    auth=REQUIRED_AUTH,
    summary="Programme statement (XLSX)",
)
def programme_statement(request, programme_id: int):
    programme = get_object_or_404(VoucherProgramme, pk=programme_id)
    if not can(current_user(request), "services.view_programme_books", programme):
        raise PermissionDenied
    return _xlsx(statements.programme_statement(programme), f"programme-{programme.pk}.xlsx")


@router.get(
    "/organisations/{org_id}/voucher-statement.xlsx",
    auth=REQUIRED_AUTH,
    summary="A firm's or provider's voucher statement (XLSX)",
)
def organisation_statement(request, org_id: int):
    """Members of the firm or provider see all their programmes; an issuer sees its own."""
    user = current_user(request)
    org = get_object_or_404(Organisation, pk=org_id)
    if can(user, "accounts.view_organisation", org):
        programmes = VoucherProgramme.objects.all()
    else:
        programmes = selectors.programmes_managed(user)
        if not programmes.exists():
            raise PermissionDenied
    if org.kind == Organisation.Kind.SERVICE_PROVIDER:
        content = statements.provider_statement(org, programmes)
    elif org.kind == Organisation.Kind.ENTERPRISE:
        content = statements.firm_statement(org, programmes)
    else:
        raise ApiError(422, "invalid_data", _("Statements are for firms and service providers."))
    return _xlsx(content, f"vouchers-{org.pk}.xlsx")
