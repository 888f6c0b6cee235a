"""Background work after a demand is published: strong-match and saved-search notifications."""

import datetime

from django.utils import timezone
from django_tasks import task

STRONG_NOTIFY_LIMIT = 20


@task()
def after_publish(demand_id: int) -> int:
    from . import matching, selectors, services
    from .models import Demand, SavedSearch

    demand = Demand.objects.select_related("buyer").filter(pk=demand_id).first()
    if demand is None or demand.status != Demand.Status.OPEN:
        return 0
    sent = 0
    told = set()
    for m in matching.matches_for_demand(demand, limit=STRONG_NOTIFY_LIMIT):
        if not m.strong or m.supplier_id in told:
            continue
        told.add(m.supplier_id)
        sent += services.notify_firm(
            m.supplier,
            "strong_match",
            f"新需求与贵司产能高度匹配（{m.score:.0%}）：{demand.title}",
            f"A new demand fits your capacity well ({m.score:.0%}): {demand.title}",
            f"/market/demands/{demand.pk}/",
        )
    # Saved searches: a user is told once per demand, and only if they may see it.
    since = demand.published_at - datetime.timedelta(seconds=1)
    for search in SavedSearch.objects.filter(
        notify=True, kind=SavedSearch.Kind.DEMANDS
    ).select_related("user"):
        if selectors.saved_search_hits(search, since).filter(pk=demand.pk).exists():
            services.notify(
                search.user,
                "saved_search",
                f"“{search.name}”有新需求：{demand.title}",
                f"New demand for “{search.name}”: {demand.title}",
                f"/market/demands/{demand.pk}/",
            )
            sent += 1
    return sent


@task()
def expire_overdue() -> int:
    from . import services

    return services.expire_overdue(timezone.now())
