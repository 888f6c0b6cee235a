"""Who a user is (their memberships) and the foundation's rules: registry, accounts, audit."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Membership, Organisation

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


def confirm_owner(actor: Actor, enterprise) -> bool:
    """Who may hand a firm nobody speaks for yet (one from an office's list) to the person who
    runs it: its cluster's office, which knows the firm, or the operator. Never self-service:
    the firm's code is public, so typing it proves nothing."""
    return _enterprise_org_id(enterprise) is None and (
        actor.is_operator or _offices_enterprise(actor, enterprise, admin=True)
    )


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


def pending_memberships_q(user) -> Q:
    """Which membership requests the user may decide (for list pages)."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    return Q(cluster_id__in=actor.office_cluster_ids(admin=True))


RULES: dict[str, Callable[..., bool]] = {
    "registry.change_enterprise": change_enterprise,
    "registry.view_private_contact": view_private_contact,
    "registry.create_enterprise": create_enterprise,
    "registry.confirm_owner": confirm_owner,
    "registry.request_membership": request_membership,
    "registry.decide_membership": decide_membership,
    "registry.change_cluster": change_cluster,
    "accounts.view_organisation": view_organisation,
    "accounts.manage_organisation": manage_organisation,
    "accounts.change_owner_role": change_owner_role,
    "audit.view": view_audit,
}
NO_OBJECT_ACTIONS = frozenset({"audit.view", "registry.create_enterprise"})
