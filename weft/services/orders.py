"""The life of a service order, in one place.

    requested → quoted → accepted → delivered → confirmed (→ reviewed)
    any step before confirmation → cancelled (a voucher's subsidy goes back)
    quoted/accepted/delivered → disputed → (resolved) confirmed or cancelled

Each transition names who may take it (the firm, the provider or a resolver), is checked through
`can`, locks the order (and, when a voucher pays part of it, the programme first), and leaves an
OrderEvent and an audit record.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weft.accounts.permissions import can, share_members
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot

from . import ledger, vouchers
from .errors import Refused
from .models import OrderEvent, Service, ServiceOrder, VoucherProgramme

S = ServiceOrder.Status
MAX_DELIVERABLE = 20 * 1024 * 1024


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    permission: str
    label: str


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "quote",
            (S.REQUESTED, S.QUOTED),
            S.QUOTED,
            "services.act_as_provider",
            gettext_lazy("Send quote"),
        ),
        Transition(
            "accept", (S.QUOTED,), S.ACCEPTED, "services.act_as_firm", gettext_lazy("Accept quote")
        ),
        Transition(
            "deliver",
            (S.ACCEPTED,),
            S.DELIVERED,
            "services.act_as_provider",
            gettext_lazy("Deliver"),
        ),
        Transition(
            "confirm",
            (S.DELIVERED,),
            S.CONFIRMED,
            "services.act_as_firm",
            gettext_lazy("Confirm delivery"),
        ),
        Transition(
            "cancel",
            (S.REQUESTED, S.QUOTED, S.ACCEPTED),
            S.CANCELLED,
            "services.act_on_order",
            gettext_lazy("Cancel"),
        ),
        Transition(
            "dispute",
            (S.QUOTED, S.ACCEPTED, S.DELIVERED),
            S.DISPUTED,
            "services.act_on_order",
            gettext_lazy("Raise a dispute"),
        ),
        Transition(
            "resolve",
            (S.DISPUTED,),
            S.CONFIRMED,
            "services.resolve_dispute",
            gettext_lazy("Resolve dispute"),
        ),
    )
}


def _snap(order) -> dict:
    data = snapshot(order, [f.name for f in order._meta.concrete_fields if f.name != "deliverable"])
    data["deliverable"] = order.deliverable.name or ""
    return data


def available(user, order: ServiceOrder) -> list[Transition]:
    """The transitions `user` may take on `order` now (for buttons and the API)."""
    return [
        t
        for t in TRANSITIONS.values()
        if order.status in t.sources and can(user, t.permission, order)
    ]


@transaction.atomic
def request_service(*, user, service: Service, firm, note: str = "") -> ServiceOrder:
    if not can(user, "services.order_for", firm):
        raise PermissionDenied
    if not service.is_active:
        raise Refused(409, "service_inactive", _("This service is no longer offered."))
    if share_members(firm.pk, service.provider_id):
        raise Refused(
            403,
            "self_dealing",
            _(
                "Your firm and this provider share members: a firm cannot buy its own services, "
                "so it cannot order from this provider."
            ),
        )
    order = ServiceOrder.objects.create(
        service=service,
        provider_id=service.provider_id,
        firm=firm,
        request_note=note,
        # A listed price is the quote; "on quotation" waits for the provider.
        quote_amount=service.price,
        status=S.QUOTED if service.price is not None else S.REQUESTED,
    )
    OrderEvent.objects.create(
        order=order, actor=user, action="request", to_status=order.status, note=note
    )
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=order, after=_snap(order))
    return order


def transition(*, user, order_id: int, name: str, **data) -> ServiceOrder:
    """Take transition `name` on the order; `data` carries what the step needs (amount, note,
    file, outcome)."""
    step = TRANSITIONS.get(name)
    if step is None:
        raise Refused(404, "unknown_transition", _("No such step: %(name)s.") % {"name": name})
    with transaction.atomic():
        peek = ServiceOrder.objects.filter(pk=order_id).first()
        if peek is None or not can(user, "services.view_order", peek):
            raise Refused(404, "not_found", _("No service order has id %(id)s.") % {"id": order_id})
        paid_by = vouchers.live_redemption(peek)
        if paid_by is not None:  # money may move: programme first, as everywhere
            ledger.lock(VoucherProgramme.objects.filter(pk=paid_by.programme_id))
        order = ledger.lock(ServiceOrder.objects.filter(pk=order_id))
        if not can(user, step.permission, order):
            raise PermissionDenied
        if order.status not in step.sources:
            raise Refused(
                409,
                "wrong_status",
                _("An order that is %(status)s cannot take the step “%(step)s”.")
                % {"status": order.get_status_display(), "step": step.label},
            )
        before = _snap(order)
        source = order.status
        target = _apply(user, order, step, data)
        order.status = target
        order.save()
        OrderEvent.objects.create(
            order=order,
            actor=user,
            action=name,
            from_status=source,
            to_status=target,
            note=str(data.get("note", ""))[:2000],
        )
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=order,
            before=before,
            after=_snap(order),
            reason=name,
        )
        return order


def _apply(user, order, step, data) -> str:
    """Per-step checks and effects; returns the status to move to."""
    note = str(data.get("note", "") or "")
    redemption = vouchers.live_redemption(order)
    if step.name == "quote":
        order.quote_amount = vouchers._amount(data.get("amount"))
        order.quote_note = note
    elif step.name == "deliver":
        upload = data.get("file")
        if upload is None and not note.strip():
            raise Refused(
                422, "nothing_delivered", _("Attach the deliverable or write a delivery note.")
            )
        if upload is not None:
            if upload.size > MAX_DELIVERABLE:
                raise Refused(413, "file_too_large", _("A deliverable file may be at most 20 MB."))
            order.deliverable.save(upload.name, upload, save=False)
        order.delivery_note, order.delivered_at = note, timezone.now()
    elif step.name == "confirm":
        _finish(user, order, redemption)
    elif step.name == "cancel":
        if redemption is not None:
            vouchers.return_subsidy(redemption, actor=user, reason="order cancelled")
    elif step.name == "dispute":
        if not note.strip():
            raise Refused(422, "reason_required", _("Say what the dispute is about."))
        order.dispute_reason, order.status_before_dispute = note, order.status
        order.dispute_raised_by = (
            order.firm if can(user, "services.act_as_firm", order) else order.provider
        )
    elif step.name == "resolve":
        outcome = data.get("outcome")
        if outcome not in ("confirm", "cancel"):
            raise Refused(
                422,
                "invalid_outcome",
                _("Resolve a dispute by confirming or cancelling the order."),
            )
        if not note.strip():
            raise Refused(422, "reason_required", _("Give the reasons for the resolution."))
        order.resolution = note
        if outcome == "cancel":
            if redemption is not None:
                vouchers.return_subsidy(
                    redemption, actor=user, reason="dispute resolved: cancelled"
                )
            return S.CANCELLED
        _finish(user, order, redemption)
    return step.target


def _finish(user, order, redemption):
    order.confirmed_at = timezone.now()
    if redemption is not None:
        vouchers.earn_subsidy(redemption, actor=user)


@transaction.atomic
def review(*, user, order_id: int, rating, text: str = "") -> ServiceOrder:
    order = ServiceOrder.objects.filter(pk=order_id).first()
    if order is None or not can(user, "services.view_order", order):
        raise Refused(404, "not_found", _("No service order has id %(id)s.") % {"id": order_id})
    if not can(user, "services.review_order", order):
        if can(user, "services.act_as_firm", order):  # the firm's admin, but it is its own provider
            raise Refused(
                403,
                "self_dealing",
                _(
                    "The firm and the provider of this order share members: a firm cannot "
                    "review its own services."
                ),
            )
        raise PermissionDenied
    if order.status != S.CONFIRMED:
        raise Refused(
            409, "wrong_status", _("Review an order once you have confirmed its delivery.")
        )
    if order.rating is not None:
        raise Refused(409, "already_reviewed", _("This order has been reviewed already."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise Refused(422, "invalid_rating", _("Give a rating from 1 to 5."))
    before = _snap(order)
    order.rating, order.review = rating, text[:2000]
    order.save(update_fields=["rating", "review", "updated_at"])
    OrderEvent.objects.create(
        order=order,
        actor=user,
        action="review",
        from_status=S.CONFIRMED,
        to_status=S.CONFIRMED,
        note=text[:2000],
    )
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=order,
        before=before,
        after=_snap(order),
        reason="review",
    )
    return order
