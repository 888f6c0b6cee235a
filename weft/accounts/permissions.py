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
}


def can(user, action: str, obj=None) -> bool:
    rule = RULES[action]  # an unknown action is a programming error, not a denial
    actor = actor_for(user)
    if obj is None:
        return rule(actor) if action in ("registry.create_enterprise", "audit.view") else False
    return rule(actor, obj)


def pending_memberships_q(user) -> Q:
    """Which membership requests the user may decide (for list pages)."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    return Q(cluster_id__in=actor.office_cluster_ids(admin=True))


# --- talent ------------------------------------------------------------------------------------
# Profiles are visible only as the person chose: public, to the firms and office of their cluster,
# or hidden. Applying to a job shares the profile, and its contact data, with that firm. The
# operator sees public and cluster profiles but, like everyone else, not hidden ones.

PUBLISHER_KINDS = (
    Organisation.Kind.CLUSTER_OFFICE,
    Organisation.Kind.ENTERPRISE,
    Organisation.Kind.SERVICE_PROVIDER,
)


def actor_cluster_ids(actor: Actor) -> set[int]:
    """Clusters the actor works in: as their office, or as a member of an approved firm there."""
    from weft.registry.models import ClusterMembership

    ids = set(actor.office_cluster_ids())
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    if firm_orgs:
        ids |= set(
            ClusterMembership.objects.filter(
                enterprise__organisation__in=firm_orgs,
                status=ClusterMembership.Status.APPROVED,
            ).values_list("cluster_id", flat=True)
        )
    return ids


def publish_course(actor: Actor, org) -> bool:
    return actor.is_operator or (
        org.kind in PUBLISHER_KINDS and actor.role_in(org.pk) in ADMIN_ROLES
    )


def manage_course(actor: Actor, course) -> bool:
    return actor.is_operator or actor.role_in(course.provider_id) in ADMIN_ROLES


def enrol(actor: Actor, course) -> bool:
    return actor.is_authenticated


def post_job(actor: Actor, enterprise) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, enterprise)


def manage_job(actor: Actor, job) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, job.enterprise)


def apply_to_job(actor: Actor, job) -> bool:
    # A firm's own people do not apply to its openings.
    return actor.is_authenticated and not _is_enterprise_member(actor, job.enterprise)


def _applied_to_actors_firm(actor: Actor, profile) -> bool:
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    return (
        bool(firm_orgs)
        and profile.applications.filter(job__enterprise__organisation__in=firm_orgs).exists()
    )


def view_talent_profile(actor: Actor, profile) -> bool:
    if actor.is_authenticated and profile.user_id == actor.user.pk:
        return True
    vis = profile.visibility
    if vis == "public":
        return True
    if vis == "cluster" and (
        actor.is_operator or (profile.cluster_id and profile.cluster_id in actor_cluster_ids(actor))
    ):
        return True
    return _applied_to_actors_firm(actor, profile)


def view_talent_personal_data(actor: Actor, profile) -> bool:
    if actor.is_authenticated and profile.user_id == actor.user.pk:
        return True
    return _applied_to_actors_firm(actor, profile)


def search_talent(actor: Actor, cluster) -> bool:
    """Firms and offices search the talent pool of their own clusters (and the operator any)."""
    return actor.is_operator or cluster.pk in actor_cluster_ids(actor)


def visible_profiles_q(user) -> Q:
    """Which talent profiles the user may see in lists (personal fields are never listed)."""
    actor = actor_for(user)
    q = Q(visibility="public")
    if not actor.is_authenticated:
        return q
    q |= Q(user_id=actor.user.pk)
    if actor.is_operator:
        q |= Q(visibility="cluster")
    else:
        clusters = actor_cluster_ids(actor)
        if clusters:
            q |= Q(visibility="cluster", cluster_id__in=clusters)
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    if firm_orgs:
        from weft.talent.models import Application

        q |= Q(
            pk__in=Application.objects.filter(job__enterprise__organisation__in=firm_orgs).values(
                "profile_id"
            )
        )
    return q


RULES.update(
    {
        "talent.publish_course": publish_course,
        "talent.manage_course": manage_course,
        "talent.enrol": enrol,
        "talent.post_job": post_job,
        "talent.manage_job": manage_job,
        "talent.apply": apply_to_job,
        "talent.view_profile": view_talent_profile,
        "talent.view_personal_data": view_talent_personal_data,
        "talent.search": search_talent,
    }
)


# --- csr ---------------------------------------------------------------------------------------
# A firm's answers and evidence are seen only by the firm, the offices of its clusters, the
# operator and the auditor organisation it invited. Only the firm's admins edit; offices and the
# invited auditor review. The verified level itself is public (that is what a badge is for).


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


RULES.update(
    {
        "csr.start": start_csr,
        "csr.view": view_csr,
        "csr.edit": edit_csr,
        "csr.review": review_csr,
        "csr.manage_permits": manage_permits,
        "csr.view_permits": view_permits,
        "csr.view_green_firms": view_green_firms,
    }
)


# --- events ------------------------------------------------------------------------------------
# Cluster offices run their cluster's calendar, news and regional brand; the operator runs
# national ones. Competition judges score entries; results are public once published.


def publish_events(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.pk in actor.office_cluster_ids(admin=True)


def manage_event(actor: Actor, event) -> bool:
    if event.cluster_id is None:
        return actor.is_operator
    return actor.is_operator or event.cluster_id in actor.office_cluster_ids(admin=True)


def enter_competition(actor: Actor, event) -> bool:
    return actor.is_authenticated and event.kind == "competition"


def judge_event(actor: Actor, event) -> bool:
    return actor.is_authenticated and event.judges.filter(pk=actor.user.pk).exists()


def view_entry(actor: Actor, entry) -> bool:
    """A competition entry is public once results are out; before, only its entrant, the judges
    and the organiser see it (designs are not shown to rivals while entries are open)."""
    event = entry.event
    return (
        event.results_published
        or (actor.is_authenticated and entry.entrant_id == actor.user.pk)
        or judge_event(actor, event)
        or manage_event(actor, event)
    )


def post_news(actor: Actor, org) -> bool:
    return actor.is_operator or (
        org.kind == Organisation.Kind.CLUSTER_OFFICE and actor.role_in(org.pk) in ADMIN_ROLES
    )


RULES.update(
    {
        "events.publish": publish_events,
        "events.manage": manage_event,
        "events.enter": enter_competition,
        "events.judge": judge_event,
        "events.view_entry": view_entry,
        "events.post_news": post_news,
        "events.manage_brand": change_cluster,
    }
)
