"""Reads for talent: course and job lists, the people a user may see, the cluster dashboard, and
`design_shortage(cluster)`, the seam the chain app's gap diagnosis reads a "design" weakness from."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum

from weft.accounts.permissions import actor_cluster_ids, actor_for, can, visible_profiles_q

from .models import Application, Course, Enrolment, Job, Role, TalentProfile

# Public fields of a profile: what lists, search results and exports may carry. Personal data
# (phone, e-mail, ID number) is deliberately absent.
PUBLIC_PROFILE_FIELDS = (
    "id",
    "name",
    "role",
    "headline",
    "skills",
    "experience_years",
    "availability",
    "cluster_id",
)


def courses(*, cluster=None, topic: str = "", upcoming_from=None):
    taken = Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
    qs = (
        Course.objects.select_related("provider", "cluster")
        .annotate(taken=taken, seats_left=F("seats") - taken)
        .order_by("starts_on", "id")
    )
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    if topic:
        qs = qs.filter(Q(topic__icontains=topic) | Q(title__icontains=topic))
    if upcoming_from is not None:
        qs = qs.filter(ends_on__gte=upcoming_from)
    return qs


def jobs(*, cluster=None, role: str = "", open_only: bool = True):
    qs = Job.objects.select_related("enterprise", "cluster")
    if open_only:
        qs = qs.filter(status=Job.Status.OPEN)
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    if role:
        qs = qs.filter(role=role)
    return qs


def visible_profiles(user, *, role: str = "", clusters=None, q: str = ""):
    qs = TalentProfile.objects.filter(visible_profiles_q(user)).select_related("cluster")
    if role:
        qs = qs.filter(role=role)
    if clusters is not None:
        qs = qs.filter(cluster__in=clusters)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(skills__icontains=q) | Q(headline__icontains=q))
    return qs.distinct()


def search_scope(user, cluster, scope: str):
    """Clusters a firm searches: its own cluster, or every cluster in the same province."""
    from weft.registry.models import Cluster

    if scope == "nearby":
        return Cluster.objects.filter(province=cluster.province)
    return Cluster.objects.filter(pk=cluster.pk)


def home_clusters(user):
    from weft.registry.models import Cluster

    return Cluster.objects.filter(pk__in=actor_cluster_ids(actor_for(user))).order_by("slug")


def public_profile_row(profile: TalentProfile) -> dict:
    row = {f: getattr(profile, f) for f in PUBLIC_PROFILE_FIELDS}
    row["role_label"] = profile.get_role_display()
    row["cluster"] = profile.cluster.name_zh if profile.cluster_id else ""
    return row


def profile_as_dict(profile: TalentProfile, user) -> dict:
    data = public_profile_row(profile)
    data.update(
        experience=profile.experience,
        visibility=profile.visibility,
        portfolio=[
            {"id": i.id, "caption": i.caption, "content_type": i.content_type, "size": i.size}
            for i in profile.portfolio.all()
        ],
    )
    personal = can(user, "talent.view_personal_data", profile)
    for field in TalentProfile.PERSONAL_FIELDS:
        data[field] = getattr(profile, field) if personal else None
    return data


def my_applications(user):
    return Application.objects.filter(profile__user=user).select_related("job", "job__enterprise")


@dataclass(frozen=True)
class RoleBalance:
    role: str
    label: str
    openings: int  # people wanted by open jobs
    applicants: int  # applications to those jobs
    candidates: int  # profiles in the cluster for the role, looking or open to offers

    @property
    def gap(self) -> int:
        return self.openings - self.candidates


def talent_balance(cluster) -> list[RoleBalance]:
    """Openings against applicants and candidates by role, for a cluster. Counts only: no person
    is identifiable, so hidden profiles count too (a person's choice hides them, not the number)."""
    open_jobs = Job.objects.filter(cluster=cluster, status=Job.Status.OPEN)
    openings = dict(open_jobs.values("role").annotate(n=Sum("openings")).values_list("role", "n"))
    applicants = dict(
        Application.objects.filter(job__in=open_jobs)
        .values("job__role")
        .annotate(n=Count("id"))
        .values_list("job__role", "n")
    )
    candidates = dict(
        TalentProfile.objects.filter(cluster=cluster)
        .exclude(availability=TalentProfile.Availability.UNAVAILABLE)
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return [
        RoleBalance(
            role=value,
            label=str(label),
            openings=openings.get(value, 0) or 0,
            applicants=applicants.get(value, 0),
            candidates=candidates.get(value, 0),
        )
        for value, label in Role.choices
    ]


# A role is short when open posts outnumber the people who could fill them at least twofold and
# by at least 3 posts: a single unfilled post is turnover, not a shortage.
SHORTAGE_RATIO = 2
SHORTAGE_MIN_GAP = 3


@dataclass(frozen=True)
class DesignShortage:
    cluster_id: int
    openings: int
    applicants: int
    candidates: int
    is_shortage: bool

    @property
    def severity(self) -> float:
        """0 (balanced) to 1 (nobody for any post): 1 - candidates / openings, floored at 0."""
        if not self.openings:
            return 0.0
        return max(0.0, 1 - self.candidates / self.openings)


def _is_short(openings: int, candidates: int) -> bool:
    return (
        openings >= SHORTAGE_RATIO * max(candidates, 1)
        and openings - candidates >= SHORTAGE_MIN_GAP
    )


def role_shortage(cluster, role: str) -> DesignShortage:
    row = next(r for r in talent_balance(cluster) if r.role == role)
    short = _is_short(row.openings, row.candidates)
    return DesignShortage(cluster.pk, row.openings, row.applicants, row.candidates, short)


def design_shortages() -> dict[int, DesignShortage]:
    """`design_shortage` of every cluster with open designer posts, in three grouped queries (for
    the chain app's recomputation of all clusters)."""
    open_jobs = Job.objects.filter(status=Job.Status.OPEN, role=Role.DESIGNER)
    openings = dict(
        open_jobs.values("cluster_id").annotate(n=Sum("openings")).values_list("cluster_id", "n")
    )
    applicants = dict(
        Application.objects.filter(job__in=open_jobs)
        .values("job__cluster_id")
        .annotate(n=Count("id"))
        .values_list("job__cluster_id", "n")
    )
    candidates = dict(
        TalentProfile.objects.filter(role=Role.DESIGNER, cluster_id__in=list(openings))
        .exclude(availability=TalentProfile.Availability.UNAVAILABLE)
        .values("cluster_id")
        .annotate(n=Count("id"))
        .values_list("cluster_id", "n")
    )
    return {
        cluster_id: DesignShortage(
            cluster_id,
            wanted or 0,
            applicants.get(cluster_id, 0),
            candidates.get(cluster_id, 0),
            _is_short(wanted or 0, candidates.get(cluster_id, 0)),
        )
        for cluster_id, wanted in openings.items()
    }


def design_shortage(cluster) -> DesignShortage:
    """For the chain app: is design a weak link of this cluster's chain, by its talent numbers?"""
    return role_shortage(cluster, Role.DESIGNER)
