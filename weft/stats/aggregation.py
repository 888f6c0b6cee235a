# ruff: noqa: S608 -- the SQL is built from model table names and integer ids only, never user input.
"""Aggregates: totals of firm values by cluster, province, nation, industry division and chain
stage, with the number of reporting firms (coverage).

Two ways, which must agree (tested): `apply_changes` adds each new figure's difference inside
the transaction that writes it; `recompute` rebuilds everything with one INSERT … SELECT per
level (a background task). A firm counts in every cluster it is an approved member of and in
every chain stage it works in, so stage totals may exceed the national one; for industry codes
it counts once, under its primary division (the lowest GB/T 4754 division among its codes), so
the divisions add up to the nation.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from weft.registry.models import ClusterMembership, Enterprise

from .models import Aggregate, Value

NATION = "CN"
Level = Aggregate.Level


def firm_keys(enterprise_ids) -> dict[int, list[tuple[str, str]]]:
    """(level, key) of every aggregate each firm's figures feed."""
    ids = list(set(enterprise_ids))
    keys: dict[int, list[tuple[str, str]]] = {eid: [(Level.NATION, NATION)] for eid in ids}
    for eid, province in Enterprise.objects.filter(pk__in=ids).values_list("pk", "province"):
        if province:
            keys[eid].append((Level.PROVINCE, province))
    for eid, cluster_id in ClusterMembership.objects.filter(
        enterprise_id__in=ids, status=ClusterMembership.Status.APPROVED
    ).values_list("enterprise_id", "cluster_id"):
        keys[eid].append((Level.CLUSTER, str(cluster_id)))
    divisions: dict[int, str] = {}
    for eid, code in Enterprise.industry_codes.through.objects.filter(
        enterprise_id__in=ids
    ).values_list("enterprise_id", "industrycode__code"):
        division = code[:2]
        divisions[eid] = min(divisions.get(eid, division), division)
    for eid, division in divisions.items():
        keys[eid].append((Level.INDUSTRY, division))
    for eid, stage in Enterprise.stages.through.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "chainstage__code"
    ):
        keys[eid].append((Level.STAGE, stage))
    return keys


def apply_changes(changes) -> None:
    """Fold value changes into the aggregates. `changes` holds tuples
    (enterprise_id, indicator_id, period_id, old or None, new). Call inside the writing
    transaction, so a figure and the totals it feeds are committed together."""
    if not changes:
        return
    keys = firm_keys(c[0] for c in changes)
    deltas: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    for eid, indicator_id, period_id, old, new in changes:
        for level, key in keys[eid]:
            d = deltas[(level, key, indicator_id, period_id)]
            d[0] += Decimal(new) - Decimal(old or 0)
            d[1] += 0 if old is not None else 1
    for (level, key, indicator_id, period_id), (total, firms) in sorted(deltas.items()):
        agg, _ = Aggregate.objects.get_or_create(
            level=level,
            key=key,
            indicator_id=indicator_id,
            period_id=period_id,
            defaults={"total": 0, "firms": 0},
        )
        # F() so two firms reporting at once both land: the database adds, not Python.
        Aggregate.objects.filter(pk=agg.pk).update(
            total=F("total") + total, firms=F("firms") + firms, updated_at=timezone.now()
        )


def _sql() -> dict[str, str]:
    v = Value._meta.db_table
    e = Enterprise._meta.db_table
    m = ClusterMembership._meta.db_table
    es = Enterprise.stages.through._meta.db_table
    ei = Enterprise.industry_codes.through._meta.db_table
    a = Aggregate._meta.db_table
    stage_t = Enterprise.stages.field.related_model._meta.db_table
    code_t = Enterprise.industry_codes.field.related_model._meta.db_table
    head = f"INSERT INTO {a} (indicator_id, period_id, level, key, total, firms, updated_at) "
    where = " WHERE v.indicator_id IN ({ind})"
    return {
        Level.NATION: head
        + f"SELECT v.indicator_id, v.period_id, 'nation', '{NATION}', SUM(v.value), COUNT(*), %s "
        f"FROM {v} v" + where + " GROUP BY v.indicator_id, v.period_id",
        Level.CLUSTER: head
        + "SELECT v.indicator_id, v.period_id, 'cluster', CAST(m.cluster_id AS VARCHAR(40)), "
        f"SUM(v.value), COUNT(*), %s FROM {v} v JOIN {m} m ON m.enterprise_id = v.enterprise_id "
        f"AND m.status = 'approved'"
        + where
        + " GROUP BY v.indicator_id, v.period_id, m.cluster_id",
        Level.PROVINCE: head
        + "SELECT v.indicator_id, v.period_id, 'province', e.province, SUM(v.value), COUNT(*), %s "
        f"FROM {v} v JOIN {e} e ON e.id = v.enterprise_id"
        + where
        + " AND e.province <> '' GROUP BY v.indicator_id, v.period_id, e.province",
        Level.INDUSTRY: head
        + "SELECT v.indicator_id, v.period_id, 'industry', d.division, SUM(v.value), COUNT(*), %s "
        f"FROM {v} v JOIN (SELECT ei.enterprise_id, MIN(SUBSTR(c.code, 1, 2)) AS division "
        f"FROM {ei} ei JOIN {code_t} c ON c.id = ei.industrycode_id GROUP BY ei.enterprise_id) d "
        "ON d.enterprise_id = v.enterprise_id"
        + where
        + " GROUP BY v.indicator_id, v.period_id, d.division",
        Level.STAGE: head
        + "SELECT v.indicator_id, v.period_id, 'stage', s.code, SUM(v.value), COUNT(*), %s "
        f"FROM {v} v JOIN {es} es ON es.enterprise_id = v.enterprise_id "
        f"JOIN {stage_t} s ON s.id = es.chainstage_id"
        + where
        + " GROUP BY v.indicator_id, v.period_id, s.code",
    }


def recompute(indicator_ids=None, *, progress=None) -> int:
    """Rebuild the aggregates of the given indicators (all when None) from the firm values,
    in one transaction: readers see the old totals until the new ones are complete."""
    from .models import Indicator

    ids = list(indicator_ids or Indicator.objects.values_list("pk", flat=True))
    if not ids:
        return 0
    placeholders = ", ".join(str(int(i)) for i in ids)
    now = timezone.now()
    with transaction.atomic():
        Aggregate.objects.filter(indicator_id__in=ids).delete()
        with connection.cursor() as cursor:
            for level, sql in _sql().items():
                cursor.execute(sql.format(ind=placeholders), [now])
                if progress:
                    progress(level)
    return Aggregate.objects.filter(indicator_id__in=ids).count()
