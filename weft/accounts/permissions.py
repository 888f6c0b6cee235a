"""Every permission in Weft is decided here, from (user, organisation, role, object).

Views, API handlers and templates ask `can(user, action, obj)`; they never test roles themselves.
"""

from collections.abc import Callable

from django.db.models import Q

from .models import Membership, Organisation

ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


class Actor:
    """A user's memberships, loaded once and cached on the user object for the request."""

    def __init__(self, user):
        self.user = user
        self.memberships: list[Membership] = []
        if user is not None and user.is_authenticated and user.is_active:
            self.memberships = list(
                Membership.objects.filter(user=user).select_related("organisation")
            )

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @property
    def is_operator(self) -> bool:
        return any(m.organisation.kind == Organisation.Kind.OPERATOR for m in self.memberships) or (
            self.is_authenticated and self.user.is_superuser
        )

    def org_ids(self, *, kind=None, admin=False) -> set[int]:
        return {
            m.organisation_id
            for m in self.memberships
            if (kind is None or m.organisation.kind == kind) and (not admin or m.is_admin)
        }

    def role_in(self, org_id) -> str | None:
        return next((m.role for m in self.memberships if m.organisation_id == org_id), None)

    def office_cluster_ids(self, *, admin=False) -> set[int]:
        from weft.registry.models import Cluster

        offices = self.org_ids(kind=Organisation.Kind.CLUSTER_OFFICE, admin=admin)
        if not offices:
            return set()
        return set(Cluster.objects.filter(office_id__in=offices).values_list("id", flat=True))


def actor_for(user) -> Actor:
    if user is None:
        return Actor(None)
    cached = getattr(user, "_weft_actor", None)
    if cached is None:
        cached = Actor(user)
        if user.is_authenticated:
            user._weft_actor = cached
    return cached


def forget_actor(user) -> None:
    """Drop the cached memberships after a service changed them within the same request."""
    # request.user is a lazy proxy: delete through it, not from its own __dict__.
    if user is not None and getattr(user, "_weft_actor", None) is not None:
        del user._weft_actor


# --- rules -------------------------------------------------------------------------------------


def _enterprise_org_id(enterprise) -> int | None:
    org = getattr(enterprise, "organisation", None) if enterprise.pk else None
    try:
        return org.pk if org else None
    except Organisation.DoesNotExist:
        return None


def _approved_cluster_ids(enterprise) -> set[int]:
    from weft.registry.models import ClusterMembership

    return set(
        enterprise.cluster_memberships.filter(status=ClusterMembership.Status.APPROVED).values_list(
            "cluster_id", flat=True
        )
    )


def _is_enterprise_admin(actor: Actor, enterprise) -> bool:
    org_id = _enterprise_org_id(enterprise)
    return org_id is not None and actor.role_in(org_id) in ADMIN_ROLES


def _is_enterprise_member(actor: Actor, enterprise) -> bool:
    org_id = _enterprise_org_id(enterprise)
    return org_id is not None and actor.role_in(org_id) is not None


def _offices_enterprise(actor: Actor, enterprise, *, admin: bool) -> bool:
    offices = actor.office_cluster_ids(admin=admin)
    return bool(offices and offices & _approved_cluster_ids(enterprise))


def change_enterprise(actor: Actor, enterprise) -> bool:
    return (
        actor.is_operator
        or _is_enterprise_admin(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=True)
    )


def view_private_contact(actor: Actor, enterprise) -> bool:
    return (
        actor.is_operator
        or _is_enterprise_member(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=False)
    )


def create_enterprise(actor: Actor, cluster=None) -> bool:
    """Anyone signed in may register their own firm; adding a firm to a cluster's roll directly
    is for that cluster's office (or the operator)."""
    if not actor.is_authenticated:
        return False
    if cluster is None:
        return True
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def request_membership(actor: Actor, enterprise) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, enterprise)


def decide_membership(actor: Actor, membership) -> bool:
    return actor.is_operator or membership.cluster_id in actor.office_cluster_ids(admin=True)


def change_cluster(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def view_organisation(actor: Actor, org) -> bool:
    return actor.is_operator or actor.role_in(org.pk) is not None


def manage_organisation(actor: Actor, org) -> bool:
    return actor.is_operator or actor.role_in(org.pk) in ADMIN_ROLES


def change_owner_role(actor: Actor, org) -> bool:
    """Only an owner (or the operator) may make or unmake owners."""
    return actor.is_operator or actor.role_in(org.pk) == Membership.Role.OWNER


def view_audit(actor: Actor, obj=None) -> bool:
    return actor.is_operator


# --- stats ---
# Firm-level figures are seen by the firm, the offices of its clusters and the operator; published
# aggregates are public (selectors suppress those resting on too few firms).


def stats_view_firm_figures(actor: Actor, enterprise) -> bool:
    return (
        actor.is_operator
        or _is_enterprise_member(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=False)
    )


def stats_report(actor: Actor, enterprise) -> bool:
    """Any member of the firm reports for it; an office admin may key in or upload its figures."""
    return (
        actor.is_operator
        or _is_enterprise_member(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=True)
    )


def stats_manage_round(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def stats_view_cluster_private(actor: Actor, cluster) -> bool:
    """Firm-level views of a cluster (top firms, who reported): its office and the operator."""
    return actor.is_operator or cluster.id in actor.office_cluster_ids()


def stats_view_round(actor: Actor, rnd) -> bool:
    if stats_view_cluster_private(actor, rnd.cluster):
        return True
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    return bool(firm_orgs) and rnd.firms.filter(organisation__in=firm_orgs).exists()


def stats_acknowledge_warning(actor: Actor, warning) -> bool:
    return actor.is_operator or warning.cluster_id in actor.office_cluster_ids(admin=True)


def stats_manage_catalogue(actor: Actor, obj=None) -> bool:
    """Indicator catalogue, observation panels, warning rules and assessment schemes."""
    return actor.is_operator


def stats_firm_figures_q(user, field: str = "enterprise_id") -> Q:
    """Which firms' figures the user may list: own firms, own clusters' firms; all for the operator."""
    from weft.registry.models import ClusterMembership

    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    firm_ids = set(
        Organisation.objects.filter(
            pk__in=actor.org_ids(kind=Organisation.Kind.ENTERPRISE), enterprise__isnull=False
        ).values_list("enterprise_id", flat=True)
    )
    clusters = actor.office_cluster_ids()
    if clusters:
        firm_ids |= set(
            ClusterMembership.objects.filter(
                cluster_id__in=clusters, status=ClusterMembership.Status.APPROVED
            ).values_list("enterprise_id", flat=True)
        )
    return Q(**{f"{field}__in": firm_ids})


RULES: dict[str, Callable[..., bool]] = {
    "registry.change_enterprise": change_enterprise,
    "registry.view_private_contact": view_private_contact,
    "registry.create_enterprise": create_enterprise,
    "registry.request_membership": request_membership,
    "registry.decide_membership": decide_membership,
    "registry.change_cluster": change_cluster,
    "accounts.view_organisation": view_organisation,
    "accounts.manage_organisation": manage_organisation,
    "accounts.change_owner_role": change_owner_role,
    "audit.view": view_audit,
    "stats.view_firm_figures": stats_view_firm_figures,
    "stats.report": stats_report,
    "stats.manage_round": stats_manage_round,
    "stats.view_cluster_private": stats_view_cluster_private,
    "stats.view_round": stats_view_round,
    "stats.acknowledge_warning": stats_acknowledge_warning,
    "stats.manage_catalogue": stats_manage_catalogue,
}


def can(user, action: str, obj=None) -> bool:
    rule = RULES[action]  # an unknown action is a programming error, not a denial
    actor = actor_for(user)
    if obj is None:
        no_object = ("registry.create_enterprise", "audit.view", "stats.manage_catalogue")
        return rule(actor) if action in no_object else False
    return rule(actor, obj)


def pending_memberships_q(user) -> Q:
    """Which membership requests the user may decide (for list pages)."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    return Q(cluster_id__in=actor.office_cluster_ids(admin=True))
