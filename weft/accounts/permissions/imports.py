"""Permissions of the imports app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

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
