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


# --- imports ---


def import_enterprises(actor: Actor, cluster=None) -> bool:
    """Bulk lists go into a cluster by its office's admins; a list without a cluster (the whole
    registry) only by the operator."""
    if actor.is_operator:
        return True
    return cluster is not None and cluster.id in actor.office_cluster_ids(admin=True)


def view_import(actor: Actor, job) -> bool:
    return actor.is_operator or (
        job.cluster_id is not None and job.cluster_id in actor.office_cluster_ids(admin=True)
    )


def decide_match(actor: Actor, decision) -> bool:
    return view_import(actor, decision.job)


def undo_merge(actor: Actor, decision=None) -> bool:
    return actor.is_operator


def export_directory(actor: Actor, obj=None) -> bool:
    """Exports stream the whole directory: signed-in users only, as a guard against scraping."""
    return actor.is_authenticated


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
    "imports.import_enterprises": import_enterprises,
    "imports.view_import": view_import,
    "imports.decide_match": decide_match,
    "imports.undo_merge": undo_merge,
    "imports.export_directory": export_directory,
}
NO_OBJECT_ACTIONS = (
    "registry.create_enterprise",
    "audit.view",
    "imports.import_enterprises",
    "imports.export_directory",
)


def can(user, action: str, obj=None) -> bool:
    rule = RULES[action]  # an unknown action is a programming error, not a denial
    actor = actor_for(user)
    if obj is None:
        return rule(actor) if action in NO_OBJECT_ACTIONS else False
    return rule(actor, obj)


def pending_memberships_q(user) -> Q:
    """Which membership requests the user may decide (for list pages)."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    return Q(cluster_id__in=actor.office_cluster_ids(admin=True))


def import_jobs_q(user) -> Q:
    """Which import jobs (and their review queues) the user may see."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    if not actor.is_authenticated:
        return Q(pk__in=[])
    return Q(cluster_id__in=actor.office_cluster_ids(admin=True))
