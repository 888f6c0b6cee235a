"""Writes of the marketplace. The demand lifecycle is enforced here, in `transition`, only
(and what may still be edited at each step, in `edit_demand`).

Every status change leaves a Transition row and an audit record; every write runs in a
transaction, so a refused step changes nothing.
"""

import datetime
import math
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from weft.accounts.models import Membership, Organisation
from weft.accounts.permissions import ADMIN_ROLES, actor_for, can, firms_to_post_for
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot
from weft.core.errors import ApiError
from weft.core.params import SEARCH_MAX_LENGTH, id_param
from weft.core.site import absolute_url
from weft.registry.bulk import insert_rows
from weft.registry.geocoding import geocode
from weft.registry.models import Certification, ChainStage, ClusterMembership, Enterprise
from weft.registry.search import normalise

from . import vocabulary
from .models import (
    Attachment,
    Award,
    CapabilityVersion,
    CapacityOffer,
    Demand,
    Invitation,
    Notification,
    Quote,
    Rating,
    Report,
    SavedSearch,
    SupplierCapability,
    SupplierRecord,
    Transition,
    Visibility,
)
from .selectors import PostFilters

S = Demand.Status


class Refused(ApiError):
    """A step the rules do not allow now (wrong state, too late, too many posts): 409 or 429."""

    def __init__(self, code: str, message: str, status: int = 409, details=None):
        super().__init__(status, code, message, details)


# --- the lifecycle ---------------------------------------------------------------------------

# (from, to): who may make the step. "buyer" = the buyer's admins; "system" = scheduled jobs.
TRANSITIONS = {
    (S.DRAFT, S.OPEN): "buyer",
    (S.DRAFT, S.CANCELLED): "buyer",
    (S.OPEN, S.AWARDED): "buyer",  # only through award()
    (S.OPEN, S.CANCELLED): "buyer",
    (S.OPEN, S.EXPIRED): "system",
    (S.AWARDED, S.IN_PRODUCTION): "buyer",
    (S.AWARDED, S.CANCELLED): "buyer",
    (S.IN_PRODUCTION, S.DELIVERED): "buyer",
    (S.DELIVERED, S.CLOSED): "buyer",
}
# The steps a person asks for by name (award has its own endpoint).
ACTIONS = {
    "publish": S.OPEN,
    "cancel": S.CANCELLED,
    "start_production": S.IN_PRODUCTION,
    "deliver": S.DELIVERED,
    "close": S.CLOSED,
}


def allowed_actions(user, demand: Demand) -> list[str]:
    if not can(user, "market.manage_demand", demand):
        return []
    return [a for a, to in ACTIONS.items() if (demand.status, to) in TRANSITIONS]


def transition(demand: Demand, to: str, *, user=None, note: str = "", _via_award=False) -> Demand:
    """Move `demand` to `to`, or refuse. The caller holds a transaction."""
    current = Demand.objects.select_for_update().get(pk=demand.pk)
    # Who first, then whether: an outsider learns nothing about the demand's state.
    if user is not None and not can(user, "market.manage_demand", current):
        raise PermissionDenied
    who = TRANSITIONS.get((current.status, to))
    if who is None:
        raise Refused(
            "invalid_transition",
            _("A demand that is %(from)s cannot become %(to)s.")
            % {"from": S(current.status).label, "to": S(to).label},
        )
    if who == "system":
        if user is not None:
            raise PermissionDenied
    elif not can(user, "market.manage_demand", current):
        raise PermissionDenied
    if to == S.AWARDED and not _via_award:
        raise Refused("award_required", _("Award a quote to move a demand to awarded."))
    if to == S.OPEN:
        _check_open(current)
    before = snapshot(current, ["status"])
    current.status = to
    if to == S.OPEN:
        current.published_at = timezone.now()
    current.save(update_fields=["status", "published_at", "updated_at"])
    Transition.objects.create(
        demand=current, from_status=before["status"], to_status=to, actor=user, note=note[:300]
    )
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=current,
        before=before,
        after=snapshot(current, ["status"]),
        reason=note or f"transition to {to}",
    )
    if to == S.IN_PRODUCTION:
        current.quotes.filter(status=Quote.Status.SUBMITTED).update(status=Quote.Status.NOT_AWARDED)
    demand.status, demand.published_at = current.status, current.published_at
    return current


def _check_open(demand: Demand) -> None:
    now = timezone.now()
    if demand.quote_deadline <= now:
        raise Refused("deadline_passed", _("The quote deadline has passed; set a later one."))
    if demand.needed_by < timezone.localdate():
        raise Refused("needed_by_passed", _("The needed-by date has passed."))


def act(user, demand: Demand, action: str, note: str = "") -> Demand:
    if action not in ACTIONS:
        raise Refused("unknown_action", _("Unknown action: %(a)s") % {"a": action}, status=404)
    with transaction.atomic():
        demand = transition(demand, ACTIONS[action], user=user, note=note)
    if action == "publish":
        from .tasks import after_publish

        after_publish.enqueue(demand.pk)
    return demand


def expire_overdue(now=None) -> int:
    """Open demands past their quote deadline with no award become expired."""
    now = now or timezone.now()
    count = 0
    for pk in Demand.objects.filter(status=S.OPEN, quote_deadline__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            demand = Demand.objects.select_for_update().get(pk=pk)
            if demand.status == S.OPEN and not demand.awards.exists():
                transition(demand, S.EXPIRED, note="quote deadline passed")
                count += 1
    return count


# --- editing a demand ------------------------------------------------------------------------

# A demand can be edited while it is a draft or open; later it is a commitment. Once a live
# (submitted) quote is in, what the suppliers priced stays as it was: these fields are locked ...
LOCKED_ONCE_QUOTED = (
    "stage",
    "category",
    "unit",
    "fibre_content",
    "weight_gsm",
    "width_cm",
    "delivery_address",
    "certifications",
)
# ... and these may move one way only: the needed-by date later (a quoted lead time stays
# possible), the quantity not below any live quote's quantity, visibility only to public (every
# firm that could see it still can). Title, spec text, colour, size range, target price and the
# quote deadline (in the future, before the needed-by date) stay free.
EDITABLE_STATUSES = (S.DRAFT, S.OPEN)


def locked_fields(demand: Demand) -> tuple[str, ...]:
    """The fields the buyer can no longer change: those priced by a live quote."""
    quoted = demand.quotes.filter(status=Quote.Status.SUBMITTED).exists()
    return LOCKED_ONCE_QUOTED if quoted else ()


def edit_demand(*, user, demand: Demand, data: dict) -> Demand:
    """The buyer's admins change a draft or open demand (only the fields in `data`). Recorded
    like a status step: a Transition row (same from and to, the fields in its note) and an audit
    record with the values before and after. Suppliers with a live quote are told."""
    if not can(user, "market.edit_demand", demand):
        raise PermissionDenied
    unknown = sorted(set(data) - {*DEMAND_FIELDS, "certifications"})
    if unknown:
        raise ValidationError(
            {f: _("This field cannot be edited.") for f in unknown},
        )
    with transaction.atomic():
        current = Demand.objects.select_for_update().get(pk=demand.pk)
        if current.status not in EDITABLE_STATUSES:
            raise Refused(
                "not_editable",
                _("A demand that is %(s)s can no longer be edited.")
                % {"s": S(current.status).label},
            )
        old_certs = sorted(current.certifications.values_list("code", flat=True))
        changes = {}
        for f, v in data.items():
            if f == "quote_deadline" and v is not None and timezone.is_naive(v):
                v = timezone.make_aware(v)  # a time without its zone is the platform's
            if f == "certifications":
                if sorted(dict.fromkeys(v or [])) != old_certs:
                    changes[f] = list(v or [])
            elif getattr(current, f) != v:
                changes[f] = v
        if not changes:
            return current
        stage = changes.get("stage", current.stage)
        _stage_and_categories(stage, [changes.get("category", current.category)])
        _unit(changes.get("unit", current.unit))
        _positive(changes, "quantity", "target_price")
        if changes.get("visibility", current.visibility) not in Visibility.values:
            raise ValidationError({"visibility": _("Visibility is public, cluster or invited.")})
        for field in ("title", "quantity", "needed_by", "quote_deadline", "delivery_address"):
            if field in changes and changes[field] in (None, ""):
                raise ValidationError({field: _("This field is required.")})
        live = current.quotes.filter(status=Quote.Status.SUBMITTED)
        if live.exists():
            _check_edit_once_quoted(current, changes, live)
        certs = None
        if "certifications" in changes:
            certs = _certifications(changes.pop("certifications"))
        before = snapshot(current, list(changes))
        for f, v in changes.items():
            setattr(current, f, v if v is not None else ("" if f in _TEXT_FIELDS else None))
        if current.quote_deadline.date() > current.needed_by:
            raise ValidationError(
                {"quote_deadline": _("The quote deadline must come before the needed-by date.")}
            )
        if current.status == S.OPEN and {"quote_deadline", "needed_by"} & set(changes):
            _check_open(current)
        if "delivery_address" in changes:
            place = geocode(current.delivery_address)
            current.delivery_province = place.province if place.adcode else ""
            current.delivery_adcode = place.adcode or ""
            current.delivery_lat = place.latitude if place.adcode else None
            current.delivery_lon = place.longitude if place.adcode else None
        current.search_text = demand_search_text(current)
        current.full_clean(exclude=["buyer", "buyer_org", "created_by"])
        current.save()
        current.refresh_from_db(fields=list(changes))  # as stored: 8000 → 8000.00
        after = snapshot(current, list(changes))
        names = sorted(changes)
        if certs is not None:
            current.certifications.set(certs)
            before["certifications"] = old_certs
            after["certifications"] = sorted(c.code for c in certs)
            names = sorted([*names, "certifications"])
        Transition.objects.create(
            demand=current,
            from_status=current.status,
            to_status=current.status,
            actor=user,
            note=("edited: " + ", ".join(names))[:300],
        )
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=current,
            before=before,
            after=after,
            reason="edited: " + ", ".join(names),
        )
        quoting = list(live.values_list("supplier_id", flat=True))
    for firm in Enterprise.objects.filter(pk__in=quoting):
        notify_firm(
            firm,
            "demand_edited",
            f"买方修改了需求“{current.title}”，请核对您的报价",
            f"The buyer changed the demand “{current.title}”: check your quote",
            f"/market/demands/{current.pk}/",
        )
    demand.refresh_from_db()
    return current


_TEXT_FIELDS = {"spec", "fibre_content", "colour", "size_range", "title", "delivery_address"}


def _check_edit_once_quoted(current: Demand, changes: dict, live) -> None:
    locked = [f for f in LOCKED_ONCE_QUOTED if f in changes]
    if locked:
        raise Refused(
            "locked_once_quoted",
            _("Quotes are in: %(fields)s can no longer change.")
            % {"fields": ", ".join(str(Demand._meta.get_field(f).verbose_name) for f in locked)},
            details={"fields": locked},
        )
    if "needed_by" in changes and changes["needed_by"] < current.needed_by:
        raise Refused(
            "needed_by_earlier",
            _("Quotes are in: the needed-by date may move later, not earlier."),
            details={"fields": ["needed_by"]},
        )
    if "visibility" in changes and changes["visibility"] != Visibility.PUBLIC:
        raise Refused(
            "visibility_narrower",
            _("Quotes are in: who may see the demand can only widen to everyone."),
            details={"fields": ["visibility"]},
        )
    if "quantity" in changes and changes["quantity"] is not None:
        most = live.order_by("-quantity").values_list("quantity", flat=True).first()
        if most is not None and Decimal(changes["quantity"]) < most:
            raise ValidationError(
                {
                    "quantity": _("A quote received is for %(q)s %(u)s: ask for at least that.")
                    % {"q": most, "u": current.unit}
                }
            )


# --- acting for a firm -----------------------------------------------------------------------


def acting_firm(user, enterprise_id: int | None = None) -> tuple[Enterprise, Organisation]:
    """The firm the user acts for: the one named, or their only firm (`market.post` holds)."""
    orgs = firms_to_post_for(user)
    if enterprise_id is not None:
        orgs = [o for o in orgs if o.enterprise_id == enterprise_id]
        if not orgs:
            raise PermissionDenied
    if not orgs:
        raise PermissionDenied
    if len(orgs) > 1:
        raise ValidationError(
            {"enterprise_id": _("You act for several firms: say which one (enterprise_id).")}
        )
    org = orgs[0]
    return Enterprise.objects.get(pk=org.enterprise_id), org


def _check_rate(model, field: str, firm: Enterprise) -> None:
    limit = settings.WEFT_MARKET_POSTS_PER_DAY
    since = timezone.now() - datetime.timedelta(days=1)
    if model.objects.filter(**{field: firm}, created_at__gte=since).count() >= limit:
        raise Refused(
            "rate_limited",
            _("Your firm has posted %(n)d times in the last 24 hours, the most allowed.")
            % {"n": limit},
            status=429,
        )


def _stage_and_categories(stage: str, categories: list[str]) -> None:
    errors = {}
    if not ChainStage.objects.filter(code=stage).exists():
        errors["stage"] = _("Unknown chain stage: %(s)s") % {"s": stage}
    else:
        known = vocabulary.category_codes(stage)
        wrong = [c for c in categories if c not in known]
        if wrong or not categories:
            errors["category"] = _("Categories of stage %(s)s are: %(c)s") % {
                "s": stage,
                "c": ", ".join(sorted(known)) or "—",
            }
    if errors:
        raise ValidationError(errors)


def _unit(unit: str) -> None:
    if unit not in {c for c, _zh, _en in vocabulary.UNITS}:
        raise ValidationError(
            {
                "unit": _("Unknown unit %(u)s; use one of %(all)s.")
                % {"u": unit, "all": ", ".join(c for c, _zh, _en in vocabulary.UNITS)}
            }
        )


def _positive(data: dict, *fields) -> None:
    for f in fields:
        value = data.get(f)
        if value is not None and Decimal(value) <= 0:
            raise ValidationError({f: _("Must be more than zero.")})


def _certifications(codes: list[str]) -> list[Certification]:
    codes = list(dict.fromkeys(codes or []))
    found = {c.code: c for c in Certification.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {"certifications": _("Unknown certifications: %(c)s") % {"c": ", ".join(unknown)}}
        )
    return [found[c] for c in codes]


def demand_search_text(d: Demand) -> str:
    parts = [d.title, d.spec, d.fibre_content, d.colour, d.size_range, d.delivery_address]
    parts += [vocabulary.category_label_both(d.category)]
    return normalise(" ".join(p for p in parts if p))


DEMAND_FIELDS = (
    "title",
    "stage",
    "category",
    "spec",
    "fibre_content",
    "weight_gsm",
    "width_cm",
    "colour",
    "size_range",
    "quantity",
    "unit",
    "target_price",
    "needed_by",
    "quote_deadline",
    "delivery_address",
    "visibility",
)


def _find_duplicate(firm: Enterprise, demand: Demand) -> Demand | None:
    since = timezone.now() - datetime.timedelta(days=settings.WEFT_MARKET_DUPLICATE_DAYS)
    # Chinese has no spaces to split words on: compare the texts without any, character by character.
    text = normalise(f"{demand.title}{demand.spec}").replace(" ", "")
    candidates = Demand.objects.filter(
        buyer=firm,
        stage=demand.stage,
        category=demand.category,
        unit=demand.unit,
        status__in=[S.DRAFT, S.OPEN],
        created_at__gte=since,
    ).only("id", "title", "spec", "quantity")
    for other in candidates:
        same_size = abs(other.quantity - demand.quantity) <= demand.quantity * Decimal("0.1")
        other_text = normalise(f"{other.title}{other.spec}").replace(" ", "")
        similar = fuzz.ratio(text, other_text) >= 90
        if same_size and similar:
            return other
    return None


def post_demand(
    *, user, data: dict, enterprise_id: int | None = None, publish: bool = False
) -> Demand:
    """A firm posts a demand (draft, or open straight away with `publish`)."""
    firm, org = acting_firm(user, enterprise_id)
    data = dict(data)
    certs = _certifications(data.pop("certifications", []))
    _stage_and_categories(data.get("stage", ""), [data.get("category", "")])
    _unit(data.get("unit", ""))
    _positive(data, "quantity", "target_price")
    if data.get("visibility", Visibility.PUBLIC) not in Visibility.values:
        raise ValidationError({"visibility": _("Visibility is public, cluster or invited.")})
    demand = Demand(buyer=firm, buyer_org=org, created_by=user)
    for f in DEMAND_FIELDS:
        if f in data and data[f] is not None:
            setattr(demand, f, data[f])
    if (
        demand.quote_deadline
        and demand.needed_by
        and demand.quote_deadline.date() > demand.needed_by
    ):
        raise ValidationError(
            {"quote_deadline": _("The quote deadline must come before the needed-by date.")}
        )
    place = geocode(demand.delivery_address or "")
    if place.adcode:
        demand.delivery_province = place.province
        demand.delivery_adcode = place.adcode
        demand.delivery_lat, demand.delivery_lon = place.latitude, place.longitude
    demand.search_text = demand_search_text(demand)
    demand.full_clean(exclude=["buyer", "buyer_org", "created_by"])
    with transaction.atomic():
        _check_rate(Demand, "buyer", firm)
        duplicate = _find_duplicate(firm, demand)
        if duplicate is not None:
            raise Refused(
                "duplicate_post",
                _("Your firm already posted this demand (#%(id)d): edit that one instead.")
                % {"id": duplicate.pk},
                details={"duplicate_of": duplicate.pk},
            )
        demand.save()
        demand.certifications.set(certs)
        demand.clusters.set(
            ClusterMembership.objects.filter(
                enterprise=firm, status=ClusterMembership.Status.APPROVED
            ).values_list("cluster_id", flat=True)
        )
        Transition.objects.create(demand=demand, from_status="", to_status=S.DRAFT, actor=user)
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=demand, after=snapshot(demand)
        )
        if publish:
            transition(demand, S.OPEN, user=user)
    if publish:
        from .tasks import after_publish

        after_publish.enqueue(demand.pk)
    return demand


def invite(*, user, demand: Demand, enterprise: Enterprise) -> Invitation:
    if not can(user, "market.manage_demand", demand):
        raise PermissionDenied
    if demand.status not in (S.DRAFT, S.OPEN):
        raise Refused("not_open", _("Only a draft or open demand takes invitations."))
    if enterprise.pk == demand.buyer_id:
        raise ValidationError({"enterprise_id": _("A firm cannot invite itself.")})
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            demand=demand, enterprise=enterprise, defaults={"invited_by": user}
        )
        if created:
            record_change(
                actor=user,
                action=AuditRecord.Action.CREATE,
                obj=invitation,
                after={"demand": demand.pk, "enterprise": enterprise.pk},
            )
            notify_firm(
                enterprise,
                "invitation",
                f"{demand.buyer.name_zh} 邀请贵司报价：{demand.title}",
                f"{demand.buyer.name_en or demand.buyer.name_zh} invites you to quote: "
                f"{demand.title}",
                f"/market/demands/{demand.pk}/",
            )
    return invitation


# --- quotes and awards -----------------------------------------------------------------------


def submit_quote(*, user, demand: Demand, data: dict, enterprise_id: int | None = None) -> Quote:
    if not can(user, "market.quote", demand):
        raise PermissionDenied
    firm, org = acting_firm(user, enterprise_id)
    if firm.pk == demand.buyer_id:
        raise PermissionDenied
    _positive(data, "unit_price", "quantity")
    with transaction.atomic():
        current = Demand.objects.select_for_update().get(pk=demand.pk)
        if current.status != S.OPEN:
            raise Refused(
                "not_open",
                _("This demand is %(s)s and takes no quotes.") % {"s": S(current.status).label},
            )
        if timezone.now() > current.quote_deadline:
            raise Refused("deadline_passed", _("The quote deadline has passed."))
        quantity = Decimal(data["quantity"])
        if quantity > current.quantity:
            raise ValidationError(
                {
                    "quantity": _("At most the %(q)s %(u)s asked for.")
                    % {"q": current.quantity, "u": current.unit}
                }
            )
        if data["valid_until"] < timezone.localdate():
            raise ValidationError({"valid_until": _("A quote must be valid until today or later.")})
        offer = None
        if data.get("offer_id"):
            offer = CapacityOffer.objects.filter(pk=data["offer_id"], supplier=firm).first()
            if offer is None:
                raise ValidationError({"offer_id": _("Not one of your firm's capacity offers.")})
        if Quote.objects.filter(demand=current, supplier=firm, status=Quote.Status.SUBMITTED):
            raise Refused(
                "already_quoted", _("Your firm has a live quote here; withdraw it to quote again.")
            )
        quote = Quote(
            demand=current,
            supplier=firm,
            supplier_org=org,
            offer=offer,
            created_by=user,
            unit_price=Decimal(data["unit_price"]),
            quantity=quantity,
            lead_time_days=data["lead_time_days"],
            valid_until=data["valid_until"],
            notes=data.get("notes", ""),
        )
        quote.full_clean(exclude=["demand", "supplier", "supplier_org", "created_by", "offer"])
        quote.save()
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=quote, after=snapshot(quote)
        )
    for admin in _admins(demand.buyer_org):
        notify(
            admin,
            "quote",
            f"{firm.name_zh} 对“{demand.title}”报价 ¥{quote.unit_price}/{demand.unit}",
            f"{firm.name_en or firm.name_zh} quoted ¥{quote.unit_price}/{demand.unit} on "
            f"“{demand.title}”",
            f"/market/demands/{demand.pk}/",
        )
    return quote


def withdraw_quote(*, user, quote: Quote) -> Quote:
    if not can(user, "market.manage_quote", quote):
        raise PermissionDenied
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != Quote.Status.SUBMITTED:
            raise Refused("not_submitted", _("Only a submitted quote can be withdrawn."))
        quote.status = Quote.Status.WITHDRAWN
        quote.save(update_fields=["status"])
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=quote,
            before={"status": "submitted"},
            after={"status": "withdrawn"},
        )
    return quote


def award(*, user, quote: Quote, quantity: Decimal | None = None) -> Award:
    """Award a quote (one or more per demand, up to the demand's quantity)."""
    demand = quote.demand
    if not can(user, "market.manage_demand", demand):
        raise PermissionDenied
    with transaction.atomic():
        demand = Demand.objects.select_for_update().get(pk=demand.pk)
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if demand.status not in (S.OPEN, S.AWARDED):
            raise Refused(
                "not_awardable",
                _("A demand that is %(s)s cannot be awarded.") % {"s": S(demand.status).label},
            )
        if quote.status != Quote.Status.SUBMITTED:
            raise Refused("quote_not_live", _("This quote is no longer live."))
        if quote.valid_until < timezone.localdate():
            raise Refused("quote_expired", _("This quote's validity has run out."))
        quantity = Decimal(quantity) if quantity is not None else quote.quantity
        if quantity <= 0 or quantity > quote.quantity:
            raise ValidationError(
                {"quantity": _("Award between 0 and the %(q)s quoted.") % {"q": quote.quantity}}
            )
        awarded = demand.awards.aggregate(s=Sum("quantity"))["s"] or Decimal(0)
        if awarded + quantity > demand.quantity:
            raise Refused(
                "over_awarded",
                _("Only %(left)s %(u)s of the demand are left to award.")
                % {"left": demand.quantity - awarded, "u": demand.unit},
            )
        result = Award.objects.create(
            demand=demand, quote=quote, quantity=quantity, awarded_by=user
        )
        quote.status = Quote.Status.AWARDED
        quote.save(update_fields=["status"])
        record_change(
            actor=user,
            action=AuditRecord.Action.CREATE,
            obj=result,
            after={"quote": quote.pk, "quantity": str(quantity)},
        )
        if demand.status == S.OPEN:
            transition(demand, S.AWARDED, user=user, _via_award=True)
    for admin in _admins(quote.supplier_org):
        notify(
            admin,
            "award",
            f"贵司的报价获选：{demand.title}",
            f"Your quote was awarded: {demand.title}",
            f"/market/demands/{demand.pk}/",
        )
    return result


def rate(*, user, award: Award, on_time: bool, quality: int, comment: str = "") -> Rating:
    if not can(user, "market.rate", award):
        raise PermissionDenied
    demand = Demand.objects.get(pk=award.demand_id)  # fresh: the status may have moved on
    if demand.status not in (S.DELIVERED, S.CLOSED):
        raise Refused("not_delivered", _("Ratings come after delivery."))
    if not isinstance(quality, int) or not 1 <= quality <= 5:
        raise ValidationError({"quality": _("Quality is rated from 1 to 5.")})
    buyer_side = actor_for(user).role_in(demand.buyer_org_id) in ADMIN_ROLES
    side = Rating.Side.OF_SUPPLIER if buyer_side else Rating.Side.OF_BUYER
    ratee = award.quote.supplier if buyer_side else demand.buyer
    with transaction.atomic():
        if Rating.objects.filter(award=award, side=side).exists():
            raise Refused("already_rated", _("Your side has already rated this award."))
        rating = Rating.objects.create(
            award=award,
            side=side,
            ratee=ratee,
            rated_by=user,
            on_time=on_time,
            quality=quality,
            comment=comment[:500],
        )
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=rating, after=snapshot(rating)
        )
        if side == Rating.Side.OF_SUPPLIER:
            record, _created = SupplierRecord.objects.select_for_update().get_or_create(
                enterprise=ratee
            )
            record.ratings += 1
            record.on_time += int(bool(on_time))
            record.quality_sum += int(quality)
            record.save()
            score = history_score(record)
            CapacityOffer.objects.filter(supplier=ratee).update(history_score=score)
            # Replaced, not updated in place: matching's in-memory arrays notice new rows.
            refresh_capabilities([ratee.pk])
    return rating


HISTORY_PRIOR, HISTORY_WEIGHT = 0.6, 3


def history_score(record: SupplierRecord | None) -> float:
    """On-time share and mean quality, shrunk towards a neutral prior while ratings are few."""
    if record is None or record.ratings == 0:
        return HISTORY_PRIOR
    observed = (
        0.5 * record.on_time / record.ratings + 0.5 * (record.quality_sum / record.ratings - 1) / 4
    )
    n = record.ratings
    return (HISTORY_PRIOR * HISTORY_WEIGHT + observed * n) / (HISTORY_WEIGHT + n)


# --- capacity offers -------------------------------------------------------------------------

OFFER_FIELDS = (
    "title",
    "stage",
    "description",
    "quantity",
    "unit",
    "period",
    "available_from",
    "available_until",
    "price",
    "min_order",
)
DAYS_PER = {"week": 7, "month": 30}


def green_score(cert_codes) -> float:
    return min(1.0, len(set(cert_codes) & vocabulary.GREEN_CERTIFICATIONS) / 3)


def unit_vector(lat, lon) -> tuple[float, float, float] | None:
    if lat is None or lon is None:
        return None
    la, lo = math.radians(float(lat)), math.radians(float(lon))
    return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))


def refresh_offer_index(offer: CapacityOffer, *, save: bool = True) -> None:
    """The derived columns matching filters and scores on, from the offer and its firm."""
    firm = offer.supplier
    certs = list(firm.certifications.values_list("code", flat=True))
    clusters = ClusterMembership.objects.filter(
        enterprise=firm, status=ClusterMembership.Status.APPROVED
    ).values_list("cluster_id", flat=True)
    offer.category_tokens = " " + " ".join(offer.categories) + " "
    offer.cert_tokens = " " + " ".join(sorted(certs)) + " "
    offer.cluster_tokens = " " + " ".join(f"c:{c}" for c in sorted(clusters)) + " "
    offer.green_score = green_score(certs)
    offer.history_score = history_score(SupplierRecord.objects.filter(enterprise=firm).first())
    offer.daily_capacity = float(offer.quantity) / DAYS_PER[offer.period]
    offer.start_day = offer.available_from.toordinal()
    offer.end_day = offer.available_until.toordinal()
    vec = unit_vector(firm.latitude, firm.longitude)
    offer.geo_x, offer.geo_y, offer.geo_z = vec or (None, None, None)
    offer.province_code = (firm.adcode or "")[:2]
    offer.search_text = normalise(
        " ".join(
            [offer.title, offer.description, firm.name_zh, firm.name_en]
            + [vocabulary.category_label_both(c) for c in offer.categories]
        )
    )
    if save:
        offer.save()


def capabilities_of(firm: Enterprise, offered: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """(stage, category) pairs a firm can make: its past offers, and each declared stage's
    categories named in its main products (or the stage's only category)."""
    return _capabilities(firm.main_products, [s.code for s in firm.stages.all()], offered)


def _capabilities(main_products, stage_codes, offered) -> set[tuple[str, str]]:
    pairs = set(offered)
    products = normalise(main_products or "")
    for stage in stage_codes:
        cats = vocabulary.CATEGORIES.get(stage, [])
        for code, zh, en in cats:
            if len(cats) == 1 or normalise(zh) in products or normalise(en) in products:
                pairs.add((stage, code))
    return pairs


_CAPABILITY_COLUMNS = [
    "enterprise_id",
    "stage",
    "category",
    "geo_x",
    "geo_y",
    "geo_z",
    "province_code",
    "cluster_tokens",
    "cert_tokens",
    "green_score",
    "history_score",
]


def refresh_capabilities(enterprise_ids) -> int:
    """Rebuild the firms' SupplierCapability rows (what matching ranks firms without offers by)."""
    ids = set(enterprise_ids)  # a set: see core.lookups on lists
    if not ids:
        return 0
    # Plain values, not model instances: an import rebuilds thousands of firms per batch.
    firms = Enterprise.objects.filter(pk__among=ids).values_list(
        "pk", "latitude", "longitude", "adcode", "main_products"
    )
    stages: dict[int, list[str]] = {}
    for firm_id, code in Enterprise.stages.through.objects.filter(
        enterprise_id__among=ids
    ).values_list("enterprise_id", "chainstage__code"):
        stages.setdefault(firm_id, []).append(code)
    cert_codes: dict[int, list[str]] = {}
    for firm_id, code in Enterprise.certifications.through.objects.filter(
        enterprise_id__among=ids
    ).values_list("enterprise_id", "certification__code"):
        cert_codes.setdefault(firm_id, []).append(code)
    offered: dict[int, set] = {}
    for supplier, stage, categories in CapacityOffer.objects.filter(
        supplier_id__among=ids
    ).values_list("supplier_id", "stage", "categories"):
        offered.setdefault(supplier, set()).update((stage, c) for c in categories)
    clusters: dict[int, list[int]] = {}
    # Status is checked here, not in SQL: with it in the WHERE clause SQLite walks the status
    # index (every approved membership) instead of looking the firms up.
    for firm_id, cluster_id, status in ClusterMembership.objects.filter(
        enterprise_id__among=ids
    ).values_list("enterprise_id", "cluster_id", "status"):
        if status == ClusterMembership.Status.APPROVED:
            clusters.setdefault(firm_id, []).append(cluster_id)
    records = {r.enterprise_id: r for r in SupplierRecord.objects.filter(enterprise_id__among=ids)}
    # Plain rows in the order of _CAPABILITY_COLUMNS, written by the registry's bulk inserter
    # (COPY on PostgreSQL): tens of thousands per import batch.
    rows = []
    for pk, latitude, longitude, adcode, main_products in firms:
        certs = sorted(cert_codes.get(pk, []))
        same = (
            *(unit_vector(latitude, longitude) or (None, None, None)),
            (adcode or "")[:2],
            " " + " ".join(f"c:{c}" for c in sorted(clusters.get(pk, []))) + " ",
            " " + " ".join(certs) + " ",
            green_score(certs),
            history_score(records.get(pk)),
        )
        pairs = _capabilities(main_products, stages.get(pk, []), offered.get(pk, set()))
        rows += [(pk, stage, category, *same) for stage, category in sorted(pairs)]
    with transaction.atomic():
        old = SupplierCapability.objects.filter(enterprise_id__among=ids)
        touched = set(old.values_list("stage", "category").distinct())
        if touched:  # firms new to the registry have none
            old.delete()
        touched |= {(r[1], r[2]) for r in rows}
        insert_rows(SupplierCapability, _CAPABILITY_COLUMNS, rows)
        for stage, category in sorted(touched):
            bumped = CapabilityVersion.objects.filter(stage=stage, category=category).update(
                version=F("version") + 1
            )
            if not bumped:
                CapabilityVersion.objects.bulk_create(
                    [CapabilityVersion(stage=stage, category=category, version=1)],
                    ignore_conflicts=True,
                )
    return len(rows)


def post_offer(*, user, data: dict, enterprise_id: int | None = None) -> CapacityOffer:
    firm, org = acting_firm(user, enterprise_id)
    data = dict(data)
    categories = list(dict.fromkeys(data.pop("categories", []) or []))
    _stage_and_categories(data.get("stage", ""), categories)
    _unit(data.get("unit", ""))
    _positive(data, "quantity", "price")
    offer = CapacityOffer(supplier=firm, supplier_org=org, created_by=user, categories=categories)
    for f in OFFER_FIELDS:
        if f in data and data[f] is not None:
            setattr(offer, f, data[f])
    if offer.available_from and offer.available_until:
        if offer.available_until < offer.available_from:
            raise ValidationError({"available_until": _("The end comes before the start.")})
        if offer.available_until < timezone.localdate():
            raise ValidationError({"available_until": _("The date range is already over.")})
    if offer.period not in DAYS_PER:
        raise ValidationError({"period": _("Quantity is per week or per month.")})
    offer.full_clean(exclude=["supplier", "supplier_org", "created_by"])
    with transaction.atomic():
        _check_rate(CapacityOffer, "supplier", firm)
        similar = CapacityOffer.objects.filter(
            supplier=firm,
            stage=offer.stage,
            status=CapacityOffer.Status.OPEN,
            available_from=offer.available_from,
            available_until=offer.available_until,
            unit=offer.unit,
        ).first()
        if similar is not None and set(similar.categories) == set(categories):
            raise Refused(
                "duplicate_post",
                _("Your firm already offers this capacity (#%(id)d).") % {"id": similar.pk},
                details={"duplicate_of": similar.pk},
            )
        refresh_offer_index(offer)
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=offer, after=snapshot(offer)
        )
        refresh_capabilities([firm.pk])
    return offer


def close_offer(*, user, offer: CapacityOffer) -> CapacityOffer:
    if not can(user, "market.manage_offer", offer):
        raise PermissionDenied
    with transaction.atomic():
        before = snapshot(offer, ["status"])
        offer.status = CapacityOffer.Status.CLOSED
        offer.save(update_fields=["status", "updated_at"])
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=offer,
            before=before,
            after=snapshot(offer, ["status"]),
        )
    return offer


# --- attachments -----------------------------------------------------------------------------

ALLOWED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/zip",  # xlsx/docx are zip containers; filetype reports the container
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def add_attachment(*, user, upload, demand: Demand | None = None, quote: Quote | None = None):
    if demand is not None and not can(user, "market.manage_demand", demand):
        raise PermissionDenied
    if quote is not None and not can(user, "market.manage_quote", quote):
        raise PermissionDenied
    limit = settings.WEFT_MARKET_MAX_ATTACHMENT_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)d KB; at most %(max)d KB.")
                % {"size": upload.size // 1024, "max": limit // 1024}
            }
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            {
                "file": _("Attach a PDF, JPEG, PNG, WebP, XLSX or DOCX file; this one is %(t)s.")
                % {"t": kind.mime if kind else _("of an unknown type")}
            }
        )
    with transaction.atomic():
        attachment = Attachment.objects.create(
            demand=demand,
            quote=quote,
            file=upload,
            name=upload.name[:200],
            content_type=kind.mime,
            size=upload.size,
            uploaded_by=user,
        )
        record_change(
            actor=user,
            action=AuditRecord.Action.CREATE,
            obj=attachment,
            after={"name": attachment.name, "size": attachment.size},
        )
    return attachment


# --- reports and moderation ------------------------------------------------------------------


def report_post(*, user, post, reason: str) -> Report:
    if not can(user, "market.report", post):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with the post.")})
    kwargs = {"demand": post} if isinstance(post, Demand) else {"offer": post}
    with transaction.atomic():
        report = Report.objects.create(reporter=user, reason=reason[:500], **kwargs)
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=report, after={"reason": reason}
        )
    firm = post.buyer if isinstance(post, Demand) else post.supplier
    offices = Organisation.objects.filter(
        clusters_managed__memberships__enterprise=firm,
        clusters_managed__memberships__status=ClusterMembership.Status.APPROVED,
    ).distinct()
    for office in offices:
        for admin in _admins(office):
            notify(
                admin,
                "report",
                f"有人举报了“{post.title}”：{reason[:80]}",
                f"A post was reported: “{post.title}”: {reason[:80]}",
                "/market/reports/",
            )
    return report


def decide_report(*, user, report: Report, hide: bool) -> Report:
    post = report.post
    if not can(user, "market.moderate", post):
        raise PermissionDenied
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.OPEN:
            raise Refused("already_decided", _("This report has been decided."))
        report.status = Report.Status.HIDDEN if hide else Report.Status.DISMISSED
        report.decided_by, report.decided_at = user, timezone.now()
        report.save()
        if hide:
            set_hidden(user=user, post=post, hidden=True, reason=report.reason)
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=report,
            before={"status": "open"},
            after={"status": report.status},
        )
    return report


def set_hidden(*, user, post, hidden: bool, reason: str = "") -> None:
    if not can(user, "market.moderate", post):
        raise PermissionDenied
    before = snapshot(post, ["hidden_at"])
    post.hidden_at = timezone.now() if hidden else None
    post.hidden_reason = reason[:300] if hidden else ""
    post.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=post,
        before=before,
        after=snapshot(post, ["hidden_at"]),
        reason=reason,
    )


# --- saved searches and notifications --------------------------------------------------------


def save_search(*, user, name: str, kind: str, filters: dict, notify: bool = True) -> SavedSearch:
    if not user.is_authenticated:
        raise PermissionDenied
    if kind not in SavedSearch.Kind.values:
        raise ValidationError({"kind": _("A saved search is of demands or of offers.")})
    keep = {k: v for k, v in filters.items() if k in SEARCH_KEYS and v not in ("", None)}
    if not name.strip():
        raise ValidationError({"name": _("Give the search a name.")})
    if "cluster" in keep:
        # Run again on every publication: a cluster that is no id would stop every notification.
        keep["cluster"] = id_param(keep, "cluster")
        if keep["cluster"] is None:
            raise ValidationError({"cluster": _("A cluster is given by its number.")})
    # Run again on every publication: a search SQLite refuses would stop every notification.
    if len(str(keep.get("q", "")).strip()) > SEARCH_MAX_LENGTH:
        raise ValidationError(
            {"q": _("A search may have at most %(max)d characters.") % {"max": SEARCH_MAX_LENGTH}}
        )
    # A stage, category or province that names nothing would never match: say so now.
    terms = {k: str(v) for k, v in keep.items() if k != "cluster"}
    unknown = PostFilters(**terms, cluster=keep.get("cluster")).unknown()
    if unknown:
        raise ValidationError({param: message for param, _value, message in unknown})
    return SavedSearch.objects.create(
        user=user, name=name.strip()[:100], kind=kind, filters=keep, notify=notify
    )


SEARCH_KEYS = ("q", "stage", "category", "cluster", "province")


def _admins(org: Organisation):
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=org, role__in=ADMIN_ROLES, user__is_active=True
        ).select_related("user")
    ]


def notify(user, kind: str, zh: str, en: str, url: str = "", *, email: bool = True):
    note = Notification.objects.create(
        user=user, kind=kind, message_zh=zh[:300], message_en=en[:300], url=url
    )
    if email and user.email:
        lang_en = (user.language or "").startswith("en")
        send_mail(
            subject=(en if lang_en else zh)[:120],
            message=f"{en if lang_en else zh}\n\n{absolute_url(url)}",
            from_email=None,
            recipient_list=[user.email],
            fail_silently=True,
        )
    return note


def notify_firm(firm: Enterprise, kind: str, zh: str, en: str, url: str = "") -> int:
    org = Organisation.objects.filter(enterprise_id=firm.pk).first()
    if org is None:
        return 0
    admins = _admins(org)
    for admin in admins:
        notify(admin, kind, zh, en, url)
    return len(admins)


def mark_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
