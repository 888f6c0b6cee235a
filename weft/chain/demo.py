"""Demo data for the chain: profiles and gaps computed from the demo registry, and one docking
event (Keqiao–Humen fabric docking) with registered firms and a schedule."""

import datetime as dt

from django.db import transaction

from weft.accounts.models import Membership, Organisation, User
from weft.registry.models import Cluster, ClusterMembership, Enterprise

from . import docking
from .models import DockingEvent
from .services import recompute_profiles

EVENT_TITLE = "柯桥—虎门面料对接会"


def _owned_firm(username: str) -> Enterprise | None:
    m = (
        Membership.objects.filter(
            user__username=username, organisation__kind=Organisation.Kind.ENTERPRISE
        )
        .select_related("organisation__enterprise")
        .first()
    )
    return m.organisation.enterprise if m and m.organisation.enterprise_id else None


def _firms(cluster: Cluster, stage: str, n: int, exclude: set[int]) -> list[Enterprise]:
    return list(
        Enterprise.objects.filter(
            cluster_memberships__cluster=cluster,
            cluster_memberships__status=ClusterMembership.Status.APPROVED,
            stages__code=stage,
        )
        .exclude(pk__in=exclude)
        .order_by("-employees", "id")[:n]
    )


def load_demo() -> str:
    run = recompute_profiles()
    line = f"Chain: {run.profiles:,} stage profiles and {run.gaps:,} gaps computed"
    keqiao = Cluster.objects.filter(slug="keqiao").first()
    humen = Cluster.objects.filter(slug="humen").first()
    operator = User.objects.filter(username="operator").first()
    office = User.objects.filter(username="office_keqiao").first()
    if (
        not (keqiao and humen and operator and office)
        or DockingEvent.objects.filter(title_zh=EVENT_TITLE).exists()
    ):
        return line + "."
    with transaction.atomic():
        event = docking.create_event(
            office,
            keqiao,
            title_zh=EVENT_TITLE,
            title_en="Keqiao–Humen fabric docking",
            theme="面料直采：虎门女装企业对接柯桥面料企业",
            place="中国轻纺城国际会展中心",
            starts_on=dt.date(2026, 12, 8),
            first_slot=dt.datetime(2026, 12, 8, 9, 0),
            slot_minutes=20,
            n_slots=9,
            tables=8,
            max_meetings=5,
            stages=["weaving", "dyeing_finishing", "garment_making"],
            cluster_ids=[keqiao.pk, humen.pk],
        )
        sellers = [f for f in [_owned_firm("firm_keqiao")] if f]
        sellers += _firms(keqiao, "weaving", 12, {f.pk for f in sellers})
        buyers = [f for f in [_owned_firm("firm_humen")] if f]
        buyers += _firms(humen, "garment_making", 14, {f.pk for f in buyers})
        for firm in sellers:
            docking.register(
                operator, event, firm, offers=["weaving", "dyeing_finishing"], offers_text="面料"
            )
        for firm in buyers:
            docking.register(
                operator, event, firm, needs=["weaving", "dyeing_finishing"], needs_text="女装面料"
            )
        meetings = docking.schedule_event(office, event)
    return line + f"; docking event with {len(sellers) + len(buyers)} firms, {meetings} meetings."
