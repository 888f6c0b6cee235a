"""Permissions of the csr app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Organisation
from .foundation import (
    ADMIN_ROLES,
    Actor,
    _is_enterprise_admin,
    _is_enterprise_member,
    _offices_enterprise,
    actor_for,
    change_enterprise,
    view_private_contact,
)

# A firm's answers and evidence are seen only by the firm, the offices of its clusters, the
# operator and the auditor organisation it invited. Only the firm's admins edit; offices and the
# invited auditor review, and nobody reviews their own firm. The verified level itself is public
# (that is what a badge is for).


def _is_auditor(actor: Actor, assessment, *, admin: bool) -> bool:
    if not assessment.auditor_id:
        return False
    role = actor.role_in(assessment.auditor_id)
    return role in ADMIN_ROLES if admin else role is not None


def start_csr(actor: Actor, enterprise) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, enterprise)


def view_csr(actor: Actor, assessment) -> bool:
    firm = assessment.enterprise
    return (
        actor.is_operator
        or _is_enterprise_member(actor, firm)
        or _offices_enterprise(actor, firm, admin=False)
        or _is_auditor(actor, assessment, admin=False)
    )


def edit_csr(actor: Actor, assessment) -> bool:
    return _is_enterprise_admin(actor, assessment.enterprise) or actor.is_operator


def review_csr(actor: Actor, assessment) -> bool:
    """The firm's cluster office, the invited auditor or the operator; never the firm's own people,
    not even through an auditor organisation they run and invited (anyone may start a service
    provider organisation, so a firm could otherwise verify itself and show the badge)."""
    if _is_enterprise_member(actor, assessment.enterprise):
        return False
    return (
        actor.is_operator
        or _offices_enterprise(actor, assessment.enterprise, admin=True)
        or _is_auditor(actor, assessment, admin=True)
    )


def manage_permits(actor: Actor, enterprise) -> bool:
    return actor.is_operator or change_enterprise(actor, enterprise)


def view_permits(actor: Actor, enterprise) -> bool:
    return view_private_contact(actor, enterprise)


def view_green_firms(actor: Actor, cluster) -> bool:
    """Firm-by-firm green figures of a cluster: its office and the operator; others see totals."""
    return actor.is_operator or cluster.pk in actor.office_cluster_ids()


def visible_assessments_q(user) -> Q:
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    if not actor.is_authenticated:
        return Q(pk__in=[])
    from weft.registry.models import ClusterMembership

    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    offices = actor.office_cluster_ids()
    office_firms = ClusterMembership.objects.filter(
        cluster_id__in=offices, status=ClusterMembership.Status.APPROVED
    ).values("enterprise_id")
    return (
        Q(enterprise__organisation__in=firm_orgs)
        | Q(enterprise_id__in=office_firms)
        | Q(auditor_id__in=actor.org_ids())
    )


RULES: dict[str, Callable[..., bool]] = {
    "csr.start": start_csr,
    "csr.view": view_csr,
    "csr.edit": edit_csr,
    "csr.review": review_csr,
    "csr.manage_permits": manage_permits,
    "csr.view_permits": view_permits,
    "csr.view_green_firms": view_green_firms,
}
NO_OBJECT_ACTIONS = frozenset({})
