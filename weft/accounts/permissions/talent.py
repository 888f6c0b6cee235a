"""Permissions of the talent app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Organisation
from .foundation import ADMIN_ROLES, Actor, _is_enterprise_admin, _is_enterprise_member, actor_for

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
    # Courses come from offices, firms and providers; not even the operator publishes as itself.
    return org.kind in PUBLISHER_KINDS and (
        actor.is_operator or actor.role_in(org.pk) in ADMIN_ROLES
    )


def course_publishers_q(user) -> Q:
    """The organisations `user` may publish courses for (`talent.publish_course`), as a filter on
    Organisation: the choices of the course form."""
    actor = actor_for(user)
    q = Q(kind__in=PUBLISHER_KINDS)
    return q if actor.is_operator else q & Q(pk__in=actor.org_ids(admin=True))


def manage_course(actor: Actor, course) -> bool:
    return actor.is_operator or actor.role_in(course.provider_id) in ADMIN_ROLES


def enrol(actor: Actor, course) -> bool:
    return actor.is_authenticated


def post_job(actor: Actor, enterprise) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, enterprise)


def job_firms_q(user) -> Q:
    """The firms the job form offers `user`, as a filter on Enterprise: those `talent.post_job`
    allows that have an account (the operator may post for any, but a job needs a firm to answer)."""
    actor = actor_for(user)
    q = Q(organisation__isnull=False)
    if actor.is_operator:
        return q
    return q & Q(organisation__in=actor.org_ids(kind=Organisation.Kind.ENTERPRISE, admin=True))


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


RULES: dict[str, Callable[..., bool]] = {
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
NO_OBJECT_ACTIONS = frozenset({})
