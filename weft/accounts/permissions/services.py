"""Permissions of the services app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Membership, Organisation
from .foundation import ADMIN_ROLES, Actor, _offices_enterprise, actor_for

# Service catalogue, orders, voucher programmes, vouchers, settlements and the ledger.
# Money-moving and order-changing steps need an owner/admin of the organisation concerned; any
# member may look. Issuers (operator or cluster office) see only their own programmes' books.
# A firm and a provider that share a member are one party: they do not deal with each other
# (anyone may start a service provider organisation, so a firm's admin could otherwise sell to
# their own firm, pay with its voucher, review the order and claim the subsidy).


def orgs_sharing_members(org_id):
    """The organisations (a subquery of ids, `org_id` itself included) that have at least one
    member, in any role, in common with `org_id`. The one definition of "sharing members"."""
    people = Membership.objects.filter(organisation_id=org_id).values("user_id")
    return Membership.objects.filter(user_id__in=people).values("organisation_id")


def share_members(org_id, other_id) -> bool:
    """Whether some user is a member (any role) of both organisations."""
    return orgs_sharing_members(org_id).filter(organisation_id=other_id).exists()


def self_dealing(order) -> bool:
    """The order's firm and provider share a member: the firm would be buying from itself."""
    return share_members(order.firm_id, order.provider_id)


def _in_org(actor: Actor, org_id, *, admin=False) -> bool:
    role = actor.role_in(org_id)
    return role is not None and (not admin or role in ADMIN_ROLES)


def offer_services(actor: Actor, org) -> bool:
    return org.kind == Organisation.Kind.SERVICE_PROVIDER and (
        actor.is_operator or _in_org(actor, org.pk, admin=True)
    )


def manage_service(actor: Actor, service) -> bool:
    return actor.is_operator or _in_org(actor, service.provider_id, admin=True)


def order_for(actor: Actor, firm_org) -> bool:
    return firm_org.kind == Organisation.Kind.ENTERPRISE and _in_org(actor, firm_org.pk, admin=True)


def _order_offices(actor: Actor, order) -> bool:
    enterprise = order.firm.enterprise
    return enterprise is not None and _offices_enterprise(actor, enterprise, admin=True)


def view_order(actor: Actor, order) -> bool:
    return (
        actor.is_operator
        or _in_org(actor, order.firm_id)
        or _in_org(actor, order.provider_id)
        or (order.status == "disputed" and _order_offices(actor, order))
    )


def act_as_firm(actor: Actor, order) -> bool:
    return _in_org(actor, order.firm_id, admin=True)


def act_as_provider(actor: Actor, order) -> bool:
    return _in_org(actor, order.provider_id, admin=True)


def act_as_firm_at_arms_length(actor: Actor, order) -> bool:
    """The firm's admins, never when firm and provider share a member: no self-reviews, no
    self-subsidy (services.review_order, services.pay_with_voucher)."""
    return act_as_firm(actor, order) and not self_dealing(order)


def act_on_order(actor: Actor, order) -> bool:
    return act_as_firm(actor, order) or act_as_provider(actor, order)


def resolve_dispute(actor: Actor, order) -> bool:
    return actor.is_operator or _order_offices(actor, order)


def issue_programme(actor: Actor, org) -> bool:
    return org.kind in (
        Organisation.Kind.OPERATOR,
        Organisation.Kind.CLUSTER_OFFICE,
    ) and _in_org(actor, org.pk, admin=True)


def manage_programme(actor: Actor, programme) -> bool:
    return actor.is_operator or _in_org(actor, programme.issuer_id, admin=True)


def view_programme_books(actor: Actor, programme) -> bool:
    return actor.is_operator or _in_org(actor, programme.issuer_id)


def apply_voucher(actor: Actor, firm_org) -> bool:
    return order_for(actor, firm_org)


def view_voucher(actor: Actor, voucher) -> bool:
    return (
        actor.is_operator
        or _in_org(actor, voucher.firm_id)
        or _in_org(actor, voucher.programme.issuer_id)
    )


def redeem_voucher(actor: Actor, voucher) -> bool:
    return _in_org(actor, voucher.firm_id, admin=True)


def claim_settlement(actor: Actor, provider_org) -> bool:
    return provider_org.kind == Organisation.Kind.SERVICE_PROVIDER and _in_org(
        actor, provider_org.pk, admin=True
    )


def view_settlement(actor: Actor, settlement) -> bool:
    return (
        actor.is_operator
        or _in_org(actor, settlement.provider_id)
        or _in_org(actor, settlement.programme.issuer_id)
    )


def decide_settlement(actor: Actor, settlement) -> bool:
    return manage_programme(actor, settlement.programme)


def service_orders_q(user) -> Q:
    """Orders the user may see: own firm's, own provider's; disputes of the offices' firms."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    orgs = actor.org_ids()
    q = Q(firm_id__in=orgs) | Q(provider_id__in=orgs)
    clusters = actor.office_cluster_ids(admin=True)
    if clusters:
        q |= Q(
            status="disputed",
            firm__enterprise__cluster_memberships__cluster_id__in=clusters,
            firm__enterprise__cluster_memberships__status="approved",
        )
    return q


def programme_books_q(user) -> Q:
    """Programmes whose books the user may read (issuer members; the operator: all)."""
    actor = actor_for(user)
    return Q() if actor.is_operator else Q(issuer_id__in=actor.org_ids())


def vouchers_q(user, prefix: str = "") -> Q:
    """Vouchers (or, with prefix "voucher__"/"" on applications, by firm) the user may see."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    orgs = actor.org_ids()
    return Q(**{f"{prefix}firm_id__in": orgs}) | Q(**{f"{prefix}programme__issuer_id__in": orgs})


def settlements_q(user) -> Q:
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    orgs = actor.org_ids()
    return Q(provider_id__in=orgs) | Q(programme__issuer_id__in=orgs)


RULES: dict[str, Callable[..., bool]] = {
    "services.offer_services": offer_services,
    "services.manage_service": manage_service,
    "services.order_for": order_for,
    "services.view_order": view_order,
    "services.act_as_firm": act_as_firm,
    "services.act_as_provider": act_as_provider,
    "services.act_on_order": act_on_order,
    "services.review_order": act_as_firm_at_arms_length,
    "services.pay_with_voucher": act_as_firm_at_arms_length,
    "services.resolve_dispute": resolve_dispute,
    "services.issue_programme": issue_programme,
    "services.manage_programme": manage_programme,
    "services.view_programme_books": view_programme_books,
    "services.apply_voucher": apply_voucher,
    "services.view_voucher": view_voucher,
    "services.redeem_voucher": redeem_voucher,
    "services.claim_settlement": claim_settlement,
    "services.view_settlement": view_settlement,
    "services.decide_settlement": decide_settlement,
}
NO_OBJECT_ACTIONS = frozenset({})
