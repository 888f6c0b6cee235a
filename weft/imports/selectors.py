"""Reads for imports: jobs a user may see, their errors and review queues."""

from django.db.models import QuerySet

from weft.accounts.permissions import import_jobs_q
from weft.registry.models import Cluster

from .models import ImportJob, MatchDecision
from .validation import message


def jobs_for(user) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(import_jobs_q(user)).select_related("cluster")


def job_for(user, job_id: int) -> ImportJob | None:
    """The job if the user may see it; None both for a missing and a foreign job."""
    return jobs_for(user).filter(pk=job_id).first()


def decision_for(user, decision_id: int) -> MatchDecision | None:
    return (
        MatchDecision.objects.filter(job__in=jobs_for(user), pk=decision_id)
        .select_related("job", "candidate", "enterprise")
        .first()
    )


def clusters_for_import(user) -> QuerySet[Cluster]:
    from weft.accounts.permissions import actor_for

    actor = actor_for(user)
    if actor.is_operator:
        return Cluster.objects.all()
    return Cluster.objects.filter(pk__in=actor.office_cluster_ids(admin=True))


def row_errors(job: ImportJob, limit: int | None = 200) -> list[dict]:
    qs = job.row_errors.all()
    if limit:
        qs = qs[:limit]
    return [
        {
            "row": e.row,
            "column": e.column,
            "field": e.field,
            "code": e.code,
            "message": message(e.code, {**e.params, "field": e.field, "column": e.column}),
        }
        for e in qs
    ]


def outside_matches(job: ImportJob, limit: int = 50) -> QuerySet[MatchDecision]:
    """The rows that matched a firm outside the list's clusters, which they left unchanged."""
    return job.decisions.filter(outcome=MatchDecision.Outcome.OUTSIDE).select_related("candidate")[
        :limit
    ]


def review_queue(job: ImportJob | None = None, user=None) -> QuerySet[MatchDecision]:
    qs = MatchDecision.objects.filter(outcome=MatchDecision.Outcome.PENDING)
    if job is not None:
        qs = qs.filter(job=job)
    if user is not None:
        qs = qs.filter(job__in=jobs_for(user))
    return qs.select_related("job", "candidate").order_by("job_id", "row")


COMPARED = (
    "name_zh",
    "uscc",
    "address",
    "main_products",
    "employees",
    "contact_name",
    "contact_phone",
)


def side_by_side(decision: MatchDecision) -> list[dict]:
    """Each compared field: registry value, incoming value, whether they differ."""
    from .columns import BY_FIELD

    rows = []
    known = decision.candidate
    for name in COMPARED:
        mine = getattr(known, name, None) if known else None
        theirs = decision.incoming.get(name)
        mine_s = "" if mine in (None, "") else str(mine)
        theirs_s = "" if theirs in (None, "") else str(theirs)
        rows.append(
            {
                "field": name,
                "label": BY_FIELD[name].label,
                "registry": mine_s,
                "incoming": theirs_s,
                "differs": bool(theirs_s) and mine_s != theirs_s,
            }
        )
    return rows
