"""Background work: the full recomputation of aggregates, then the early-warning rules."""

from django_tasks import task

from weft.registry.models import Cluster

from . import aggregation, monitoring


@task()
def recompute_aggregates(indicator_ids: list[int] | None = None) -> dict:
    rows = aggregation.recompute(indicator_ids)
    raised = 0
    for cluster in Cluster.objects.all():
        raised += len(monitoring.evaluate_warnings(cluster))
    return {"aggregates": rows, "warnings_raised": raised}


@task()
def send_round_reminders() -> dict:
    """Daily: remind firms that have not reported in open rounds, before and after the deadline."""
    from .reminders import send_due_reminders

    return send_due_reminders()
