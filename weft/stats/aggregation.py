# ruff: noqa: S608 -- the SQL is built from model table names and integer ids only, never user input.
"""Aggregates: totals of firm values by cluster, province, nation, industry division and chain
stage, and per cluster by division and by stage, with the number of reporting firms (coverage).

Two ways, which must agree (tested): `apply_changes` adds each new figure's difference inside
the transaction that writes it; `recompute` rebuilds everything (a background task), set-based in
the database, in one transaction: firms are grouped by the set of aggregates they feed (their
"profile"), values are summed per (indicator, period, profile) with their count (coverage), and
every level is built from those few sums by a join to the profiles' keys. PostgreSQL does it in
one INSERT … SELECT (hash aggregation); SQLite, which aggregates by sorting, in one per
(indicator, period) over the covering index. A firm counts in every cluster it is an approved
member of and in every chain stage it works in, so stage totals may exceed the national one; for
industry codes it counts once, under its primary division (the lowest GB/T 4754 division among
its codes), so the divisions add up to the nation.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from weft.registry.models import ClusterMembership, Enterprise

from .models import Aggregate, Period, PeriodKind, Value

NATION = "CN"
Level = Aggregate.Level
# A cluster's breakdowns feed yearly derived indicators only (location quotients, shift-share,
# composition), so they are kept for yearly periods: a twelfth of the rows they would take.
YEARLY_ONLY = (Level.CLUSTER_STAGE, Level.CLUSTER_INDUSTRY)


def firm_keys(enterprise_ids=None) -> dict[int, list[tuple[str, str]]]:
    """(level, key) of every aggregate each firm's figures feed; every firm's when None (a full
    recompute: no list of tens of thousands of ids to send to the database)."""
    firms = Enterprise.objects.all()
    memberships = ClusterMembership.objects.filter(status=ClusterMembership.Status.APPROVED)
    codes = Enterprise.industry_codes.through.objects.all()
    stages = Enterprise.stages.through.objects.all()
    keys: dict[int, list[tuple[str, str]]] = {}
    if enterprise_ids is not None:
        ids = set(enterprise_ids)
        firms = firms.filter(pk__in=ids)
        memberships = memberships.filter(enterprise_id__in=ids)
        codes = codes.filter(enterprise_id__in=ids)
        stages = stages.filter(enterprise_id__in=ids)
        keys = {eid: [(Level.NATION, NATION)] for eid in ids}
    for eid, province in firms.values_list("pk", "province"):
        entry = keys.setdefault(eid, [(Level.NATION, NATION)])
        if province:
            entry.append((Level.PROVINCE, province))
    clusters: dict[int, list[int]] = defaultdict(list)
    for eid, cluster_id in memberships.values_list("enterprise_id", "cluster_id"):
        if eid not in keys:
            continue  # a firm registered since the firms were read: the next recompute has it
        clusters[eid].append(cluster_id)
        keys[eid].append((Level.CLUSTER, str(cluster_id)))
    divisions: dict[int, str] = {}
    for eid, code in codes.values_list("enterprise_id", "industrycode__code"):
        division = code[:2]
        divisions[eid] = min(divisions.get(eid, division), division)
    for eid, division in divisions.items():
        if eid not in keys:
            continue
        keys[eid].append((Level.INDUSTRY, division))
        keys[eid] += [(Level.CLUSTER_INDUSTRY, f"{c}:{division}") for c in clusters[eid]]
    for eid, stage in stages.values_list("enterprise_id", "chainstage__code"):
        if eid not in keys:
            continue
        keys[eid].append((Level.STAGE, stage))
        keys[eid] += [(Level.CLUSTER_STAGE, f"{c}:{stage}") for c in clusters[eid]]
    return keys


def apply_changes(changes) -> None:
    """Fold value changes into the aggregates. `changes` holds tuples
    (enterprise_id, indicator_id, period_id, old or None, new). Call inside the writing
    transaction, so a figure and the totals it feeds are committed together."""
    if not changes:
        return
    keys = firm_keys(c[0] for c in changes)
    yearly = set(
        Period.objects.filter(pk__in={c[2] for c in changes}, kind=PeriodKind.YEAR).values_list(
            "pk", flat=True
        )
    )
    deltas: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    for eid, indicator_id, period_id, old, new in changes:
        for level, key in keys[eid]:
            if level in YEARLY_ONLY and period_id not in yearly:
                continue
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


def _profiles() -> tuple[list[tuple[int, int]], list[tuple[int, str, str, bool]]]:
    """Firms grouped by the set of aggregates they feed (their "profile"): many firms share one,
    so the values are summed once per profile and the levels are built from those sums."""
    keys = firm_keys()
    profile_of: dict[tuple, int] = {}
    firm_rows = []
    for eid in keys:
        profile = tuple(sorted(set(keys[eid])))
        pid = profile_of.setdefault(profile, len(profile_of) + 1)
        firm_rows.append((eid, pid))
    key_rows = [
        (pid, level, key, level not in YEARLY_ONLY)
        for profile, pid in profile_of.items()
        for level, key in profile
    ]
    return firm_rows, key_rows


def _recompute_sql(indicator_ids: str | None) -> str:
    """PostgreSQL: one statement; its hash aggregations need no sort."""
    v, a = Value._meta.db_table, Aggregate._meta.db_table
    return (
        f"INSERT INTO {a} (indicator_id, period_id, level, key, total, firms, updated_at) "
        "SELECT t.indicator_id, t.period_id, k.level, k.key, SUM(t.total), SUM(t.n), %s FROM ("
        "SELECT v.indicator_id, v.period_id, f.profile_id, SUM(v.value) AS total, COUNT(*) AS n "
        f"FROM {v} v JOIN stats_tmp_firm_profile f ON f.enterprise_id = v.enterprise_id "
        # Every indicator: a plain scan of the table beats walking the indicator index.
        + (f"WHERE v.indicator_id IN ({indicator_ids}) " if indicator_ids else "")
        + "GROUP BY v.indicator_id, v.period_id, f.profile_id) t "
        "JOIN stats_tmp_profile_key k ON k.profile_id = t.profile_id "
        f"JOIN {Period._meta.db_table} p ON p.id = t.period_id "
        f"WHERE k.every_period OR p.kind = '{PeriodKind.YEAR}' "
        "GROUP BY t.indicator_id, t.period_id, k.level, k.key"
    )


def _recompute_pair_sql() -> str:
    """SQLite: one statement per (indicator, period). SQLite aggregates by sorting; one sort of
    every value costs several times more than a small sort per pair, whose rows the covering
    index (indicator, period, enterprise, value) hands over in one contiguous range."""
    v, a = Value._meta.db_table, Aggregate._meta.db_table
    return (
        f"INSERT INTO {a} (indicator_id, period_id, level, key, total, firms, updated_at) "
        "SELECT %s, %s, k.level, k.key, SUM(t.total), SUM(t.n), %s FROM ("
        "SELECT f.profile_id, SUM(v.value) AS total, COUNT(*) AS n "
        f"FROM {v} v JOIN stats_tmp_firm_profile f ON f.enterprise_id = v.enterprise_id "
        "WHERE v.indicator_id = %s AND v.period_id = %s GROUP BY f.profile_id) t "
        "JOIN stats_tmp_profile_key k ON k.profile_id = t.profile_id "
        "WHERE k.every_period OR %s "
        "GROUP BY k.level, k.key"
    )


def recompute(indicator_ids=None, *, progress=None) -> int:
    """Rebuild the aggregates of the given indicators (all when None) from the firm values,
    in one transaction: readers see the old totals until the new ones are complete."""
    from .models import Indicator

    ids = list(indicator_ids or Indicator.objects.values_list("pk", flat=True))
    if not ids:
        return 0
    placeholders = ", ".join(str(int(i)) for i in ids) if indicator_ids else None
    now = timezone.now()
    firm_rows, key_rows = _profiles()
    if progress:
        progress("profiles")
    with transaction.atomic(), connection.cursor() as cursor:
        # Temporary tables live in this connection only and go with it.
        cursor.execute("DROP TABLE IF EXISTS stats_tmp_firm_profile")
        cursor.execute("DROP TABLE IF EXISTS stats_tmp_profile_key")
        cursor.execute(
            "CREATE TEMPORARY TABLE stats_tmp_firm_profile "
            "(enterprise_id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL)"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE stats_tmp_profile_key "
            "(profile_id INTEGER NOT NULL, level VARCHAR(8) NOT NULL, key VARCHAR(40) NOT NULL, "
            "every_period BOOLEAN NOT NULL)"
        )
        cursor.execute("CREATE INDEX stats_tmp_profile_key_p ON stats_tmp_profile_key (profile_id)")
        cursor.executemany("INSERT INTO stats_tmp_firm_profile VALUES (%s, %s)", firm_rows)
        cursor.executemany("INSERT INTO stats_tmp_profile_key VALUES (%s, %s, %s, %s)", key_rows)
        Aggregate.objects.filter(indicator_id__in=ids).delete()
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE stats_tmp_firm_profile")
            cursor.execute("ANALYZE stats_tmp_profile_key")
            # Room for the (indicator, period, profile) hash table, so it is not spilled to disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(_recompute_sql(placeholders), [now])
        else:
            # Pairs without values cost one index probe each.
            sql = _recompute_pair_sql()
            for period_id, kind in Period.objects.order_by("pk").values_list("pk", "kind"):
                yearly = kind == PeriodKind.YEAR
                for indicator_id in ids:
                    cursor.execute(
                        sql, [indicator_id, period_id, now, indicator_id, period_id, yearly]
                    )
        if progress:
            progress("aggregates")
        cursor.execute("DROP TABLE stats_tmp_firm_profile")
        cursor.execute("DROP TABLE stats_tmp_profile_key")
    if not connection.in_atomic_block:
        # Fresh planner statistics for the rebuilt table, so the dashboards' lookups use the
        # unique (level, key, …) index rather than guessing from a table that was empty.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Aggregate._meta.db_table}")
    return Aggregate.objects.filter(indicator_id__in=ids).count()
