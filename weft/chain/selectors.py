"""Reads for the chain: registry aggregates that feed the recompute, profiles, gaps, the graph."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.utils.module_loading import import_string

from weft.registry.models import ChainStage, Cluster, ClusterMembership, Enterprise

from .models import ChainGap, StageFirm, StageLink, StageProfile

# A year's worth of a stated capacity (working days and weeks of a textile mill).
PER_YEAR = {"day": 300, "week": 50, "month": 12, "year": 1}


@dataclass
class StageFigures:
    """What the registry says about one stage of one cluster."""

    firms: int = 0
    employees: int = 0
    capacity: Decimal | None = None  # per year, in the stage's unit
    output: Decimal | None = None  # per year, reported (statistics), when there is any
    certifications: dict[str, int] = field(default_factory=dict)


def stage_figures(cluster_ids=None) -> dict[int, dict[str, StageFigures]]:
    """Per cluster and stage: approved member firms, employees, yearly capacity, certificates.

    Two grouped queries over StageFirm (the registry as the recompute copied it, see
    services.rebuild_stage_firms). A firm working in two stages counts in both; its capacity
    counts where its unit is the stage's own unit.
    """
    rows = StageFirm.objects.all()
    if cluster_ids is not None:
        rows = rows.filter(cluster_id__in=cluster_ids)
    codes = dict(ChainStage.objects.values_list("id", "code"))
    out: dict[int, dict[str, StageFigures]] = defaultdict(dict)
    for r in (
        rows.values("cluster_id", "stage_id")
        .annotate(firms=Count("id"), employees=Sum("employees"), capacity=Sum("capacity_per_year"))
        .order_by()
    ):
        out[r["cluster_id"]][codes[r["stage_id"]]] = StageFigures(
            firms=r["firms"],
            employees=r["employees"] or 0,
            capacity=Decimal(r["capacity"]) if r["capacity"] is not None else None,
        )
    # Certificates from the copy's “,code,code,” column: few distinct sets per cluster and
    # stage, so grouping by the text and splitting it here beats joining the link table.
    for r in (
        rows.exclude(certifications="")
        .values("cluster_id", "stage_id", "certifications")
        .annotate(n=Count("id"))
        .order_by()
    ):
        figures = out[r["cluster_id"]].get(codes[r["stage_id"]])
        if figures is None:
            continue
        for cert in r["certifications"].strip(",").split(","):
            figures.certifications[cert] = figures.certifications.get(cert, 0) + r["n"]
    for cluster_id, by_stage in reported_output(cluster_ids).items():
        for code, amount in by_stage.items():
            out[cluster_id].setdefault(code, StageFigures()).output = amount
    return out


def reported_output(cluster_ids=None) -> dict[int, dict[str, Decimal]]:
    """Reported yearly output value (yuan) per cluster and stage, shown beside capacity.

    Statistics provide it: settings.WEFT_STAGE_OUTPUT names a function
    `(cluster_ids) -> {cluster_id: {stage_code: yuan}}`; empty when it names none.
    """
    path = getattr(settings, "WEFT_STAGE_OUTPUT", "")
    return import_string(path)(cluster_ids) if path else {}


def links() -> list[StageLink]:
    return list(StageLink.objects.select_related("supplier", "consumer"))


def stages() -> list[ChainStage]:
    return list(ChainStage.objects.order_by("order"))


def cluster_profile(cluster: Cluster) -> list[StageProfile]:
    return list(
        StageProfile.objects.filter(cluster=cluster)
        .select_related("stage")
        .order_by("stage__order")
    )


def cluster_gaps(cluster: Cluster) -> list[ChainGap]:
    return list(
        ChainGap.objects.filter(cluster=cluster)
        .select_related("consumer", "declared_by")
        .order_by("-severity", "group", "id")
    )


def firm_cluster_ids(enterprise_ids) -> dict[int, int]:
    """Each firm's (first) approved cluster."""
    out: dict[int, int] = {}
    for e, c in (
        ClusterMembership.objects.filter(
            enterprise_id__in=list(enterprise_ids), status=ClusterMembership.Status.APPROVED
        )
        .order_by("id")
        .values_list("enterprise_id", "cluster_id")
    ):
        out.setdefault(e, c)
    return out


def enterprise_exists(pk: int) -> bool:
    return Enterprise.objects.filter(pk=pk).exists()
