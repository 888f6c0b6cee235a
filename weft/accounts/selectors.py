"""Reads for the account pages: my organisations, their members, the cluster offices' queues."""

from django.db.models import Count, Q, QuerySet

from weft.registry.models import Cluster, ClusterMembership

from .models import ApiToken, Membership, Organisation, User


def user_by_name_or_email(username_or_email: str) -> User | None:
    """The user a form names by username (exactly) or else by email (any case), or None.

    Used wherever a person is named in a form: adding a member, handing a firm to its owner."""
    value = (username_or_email or "").strip()
    if not value:
        return None
    return (
        User.objects.filter(username=value).first()
        or User.objects.filter(email__iexact=value).order_by("pk").first()
    )


def my_memberships(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__enterprise")
        .order_by("organisation__name_zh")
    )


def office_clusters_with_pending(user) -> list[Cluster]:
    """Clusters whose office the user belongs to (any role), each with `pending_count`."""
    office_ids = Membership.objects.filter(
        user=user, organisation__kind=Organisation.Kind.CLUSTER_OFFICE
    ).values_list("organisation_id", flat=True)
    return list(
        Cluster.objects.filter(office_id__in=office_ids)
        .annotate(
            pending_count=Count(
                "memberships", filter=Q(memberships__status=ClusterMembership.Status.PENDING)
            )
        )
        .order_by("province", "slug")
    )


def organisation_members(org: Organisation) -> list[Membership]:
    # Owners first, then admins, then members; by name within a role.
    order = {Membership.Role.OWNER: 0, Membership.Role.ADMIN: 1, Membership.Role.MEMBER: 2}
    members = list(org.memberships.select_related("user"))
    return sorted(members, key=lambda m: (order.get(m.role, 9), str(m.user).lower()))


def enterprise_cluster_memberships(org: Organisation) -> list[ClusterMembership]:
    if org.enterprise_id is None:
        return []
    return list(
        ClusterMembership.objects.filter(enterprise_id=org.enterprise_id)
        .select_related("cluster")
        .order_by("-requested_at")
    )


def pending_requests(cluster: Cluster) -> QuerySet[ClusterMembership]:
    return (
        ClusterMembership.objects.filter(cluster=cluster, status=ClusterMembership.Status.PENDING)
        .select_related("enterprise", "requested_by")
        .prefetch_related("enterprise__stages")
        .order_by("requested_at", "id")
    )


def recent_decisions(cluster: Cluster, limit: int = 20) -> QuerySet[ClusterMembership]:
    return (
        ClusterMembership.objects.filter(cluster=cluster)
        .exclude(status=ClusterMembership.Status.PENDING)
        .filter(decided_at__isnull=False)  # members listed without a request are not decisions
        .select_related("enterprise", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def my_tokens(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
