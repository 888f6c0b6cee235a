"""Permissions of the imports app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Organisation
from .foundation import Actor, actor_for


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


def firms_open_to_import(job, firm_ids) -> set[int]:
    """Of these registry firms, those the rows of `job` may merge into.

    An office's list speaks for its own clusters' firms: those that are members of one of them
    or asked to be (a list naming a firm that asked approves it), and firms nobody speaks for
    (in no cluster, no account of their own), which the list brings into its cluster. A row
    matching any other firm leaves it as it is: otherwise an office could take over another
    cluster's firm, or a registered firm, by listing its public code.
    The operator's lists, registry-wide lists and the command line reach every firm.
    """
    from weft.registry.models import Cluster, ClusterMembership

    org = job.organisation
    if (
        job.cluster_id is None
        or (org is None and job.created_by_id is None)  # the command line
        or (org is not None and org.kind == Organisation.Kind.OPERATOR)
    ):
        return set(firm_ids)
    if org is None or not firm_ids:
        return set()
    firm_ids = set(firm_ids)
    clusters = set(Cluster.objects.filter(office_id=org.pk).values_list("id", flat=True))
    memberships = ClusterMembership.objects.filter(enterprise_id__among=firm_ids).values_list(
        "enterprise_id", "cluster_id"
    )
    in_some_cluster, ours = set(), set()
    for firm_id, cluster_id in memberships:
        in_some_cluster.add(firm_id)
        if cluster_id in clusters:
            ours.add(firm_id)
    unattached = firm_ids - in_some_cluster
    if unattached:
        unattached -= set(
            Organisation.objects.filter(enterprise_id__among=unattached).values_list(
                "enterprise_id", flat=True
            )
        )
    return ours | unattached


def import_jobs_q(user) -> Q:
    """Which import jobs (and their review queues) the user may see."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    if not actor.is_authenticated:
        return Q(pk__in=[])
    return Q(cluster_id__in=actor.office_cluster_ids(admin=True))


RULES: dict[str, Callable[..., bool]] = {
    "imports.import_enterprises": import_enterprises,
    "imports.view_import": view_import,
    "imports.decide_match": decide_match,
    "imports.undo_merge": undo_merge,
    "imports.export_directory": export_directory,
}
NO_OBJECT_ACTIONS = frozenset({"imports.export_directory", "imports.import_enterprises"})
