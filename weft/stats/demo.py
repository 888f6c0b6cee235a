"""Demo statistics: yearly figures for every demo firm, monthly figures for each cluster's
observation panel, an open reporting round in Humen, warnings and a published assessment.

Sized to keep `make run` quick: all twelve indicators for 2022–2025, the five headline
indicators also for 2015 — calibrated so the pilot clusters' 2015 totals equal the published
figures (output 886.9 bn, revenue 800.4 bn, profit 67.3 bn yuan) — and 36 months for the panels.
A few clusters decline visibly, so warnings fire. Deterministic (seeded), idempotent.
"""

import datetime
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone

from weft.accounts.models import Organisation, User
from weft.registry.models import Cluster, ClusterMembership, Enterprise

from . import aggregation, assessment, monitoring, services
from .catalogue import load_catalogue
from .models import Indicator, ObservationPoint, PeriodKind, ReportingRound, Value

SEED = 2026
PILOT_2015 = {  # yuan; the 2015 totals published for the pilot clusters that reported
    "output_value": Decimal("886.9e9"),
    "revenue": Decimal("800.4e9"),
    "profit": Decimal("67.3e9"),
}
RECENT_YEARS = (2022, 2023, 2024, 2025)
DECLINING = ("shengze", "dalang", "xiqiao")  # clusters shown in decline, so warnings fire
PANEL_SIZE = 12
PRODUCTIVITY = {  # output value per employee per year, yuan, by main stage
    "fiber": 2_500_000,
    "spinning": 900_000,
    "weaving": 800_000,
    "dyeing_finishing": 700_000,
    "printing": 500_000,
    "knitting": 450_000,
    "garment_making": 320_000,
    "home_textiles": 400_000,
    "accessories": 350_000,
}
CENT = Decimal("0.01")


def _q(x, places=CENT):
    return Decimal(x).quantize(places, rounding=ROUND_HALF_UP)


def _months_back(n: int, today: datetime.date) -> list[tuple[int, int]]:
    y, m = today.year, today.month - 1 or 12
    if today.month == 1:
        y -= 1
    out = []
    for _i in range(n):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def _period_ids(kind, keys) -> dict:
    out = {}
    for year, number in keys:
        out[(year, number)] = services.period_for(kind, year, number).pk
    return out


def _insert(rows) -> None:
    """(enterprise_id, indicator_id, period_id, value) rows, many at a time."""
    table = Value._meta.db_table
    now = timezone.now()
    sql = (
        f"INSERT INTO {table} (enterprise_id, indicator_id, period_id, value, revision, updated_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, 1, %s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, [(*r[:3], str(r[3]), now) for r in rows[start : start + 20000]])


def _firms():
    stage_of = {}
    for eid, code in Enterprise.stages.through.objects.filter(enterprise__is_demo=True).values_list(
        "enterprise_id", "chainstage__code"
    ):
        stage_of.setdefault(eid, code)
    cluster_of = dict(
        ClusterMembership.objects.filter(
            enterprise__is_demo=True, status=ClusterMembership.Status.APPROVED
        ).values_list("enterprise_id", "cluster_id")
    )
    firms = []
    for eid, employees in Enterprise.objects.filter(is_demo=True).values_list("pk", "employees"):
        if eid in cluster_of:
            firms.append(
                (eid, max(employees or 5, 1), stage_of.get(eid, "garment_making"), cluster_of[eid])
            )
    return firms


def _cluster_trends(rng, clusters) -> dict[int, dict[int, Decimal]]:
    """A growth path per cluster: index per year, 2015 = 1."""
    out = {}
    for c in clusters:
        g = rng.uniform(0.0, 0.08)
        index, path = 1.0, {2015: 1.0}
        for year in range(2016, 2027):
            rate = g + rng.uniform(-0.03, 0.03)
            if c.slug in DECLINING and year >= 2024:
                rate = -0.3
            index *= 1 + rate
            path[year] = index
        out[c.pk] = path
    return out


def _yearly(rng, firms, clusters, pilots, indicators) -> list:
    trend = _cluster_trends(rng, clusters)
    base = {}
    for eid, employees, stage, _cid in firms:
        base[eid] = employees * PRODUCTIVITY.get(stage, 400_000) * rng.uniform(0.6, 1.4)
    # 2015, calibrated on the pilot clusters.
    y2015 = {}
    for eid, *_rest in firms:
        output = base[eid] * rng.uniform(0.9, 1.1)
        revenue = output * rng.uniform(0.85, 0.95)
        profit = revenue * rng.uniform(0.02, 0.14)
        y2015[eid] = {"output_value": output, "revenue": revenue, "profit": profit}
    pilot_firms = [f[0] for f in firms if f[3] in pilots]
    scale = {}
    for code, target in PILOT_2015.items():
        total = sum(Decimal(y2015[e][code]) for e in pilot_firms)
        scale[code] = target / total
    rows = []
    period = _period_ids(PeriodKind.YEAR, [(y, 1) for y in (2015, *RECENT_YEARS)])
    for code in PILOT_2015:
        values = {e: _q(Decimal(y2015[e][code]) * scale[code]) for e, *_r in firms}
        # Rounding to cents may leave a few cents over or under: the largest pilot firm takes them.
        gap = PILOT_2015[code] - sum(values[e] for e in pilot_firms)
        biggest = max(pilot_firms, key=lambda e: values[e])
        values[biggest] += gap
        rows += [(e, indicators[code], period[(2015, 1)], v) for e, v in values.items()]
    s = scale["output_value"]
    for eid, employees, _stage, cid in firms:
        rows.append(
            (
                eid,
                indicators["export_value"],
                period[(2015, 1)],
                _q(Decimal(y2015[eid]["output_value"]) * s * Decimal(rng.uniform(0.05, 0.35))),
            )
        )
        rows.append((eid, indicators["employees"], period[(2015, 1)], Decimal(employees)))
        for year in RECENT_YEARS:
            size = Decimal(base[eid] * trend[cid][year] * rng.uniform(0.92, 1.08)) * s
            output = _q(size)
            revenue = _q(size * Decimal(rng.uniform(0.85, 0.95)))
            margin = (
                rng.uniform(-0.02, 0.05)
                if cid in trend and year >= 2024 and trend[cid][2025] < trend[cid][2023]
                else rng.uniform(0.02, 0.12)
            )
            figures = {
                "output_value": output,
                "revenue": revenue,
                "profit": _q(revenue * Decimal(margin)),
                "export_value": _q(output * Decimal(rng.uniform(0.05, 0.35))),
                "employees": Decimal(max(1, round(employees * trend[cid][year] ** 0.5))),
                "rd_spending": _q(revenue * Decimal(rng.uniform(0.002, 0.03))),
                "ecommerce_sales": _q(revenue * Decimal(rng.uniform(0.0, 0.4))),
                "energy_use": _q(
                    output / 10000 * Decimal(rng.uniform(0.02, 0.15)), Decimal("0.001")
                ),
                "water_use": _q(output / 10000 * Decimal(rng.uniform(0.5, 6))),
                "wastewater": _q(output / 10000 * Decimal(rng.uniform(0.3, 4))),
                "new_products": Decimal(rng.randint(0, 12)),
                "patents_granted": Decimal(rng.choice((0, 0, 0, 1, 1, 2, 3, 5))),
            }
            rows += [(eid, indicators[c], period[(year, 1)], v) for c, v in figures.items()]
    return rows


def _monthly(rng, panel, firms_by_id, clusters_by_id, indicators, skip) -> list:
    months = _months_back(36, timezone.localdate())
    period = _period_ids(PeriodKind.MONTH, months)
    season = {
        1: 0.7,
        2: 0.6,
        3: 0.95,
        4: 1.0,
        5: 1.0,
        6: 1.05,
        7: 1.0,
        8: 1.05,
        9: 1.15,
        10: 1.15,
        11: 1.2,
        12: 1.15,
    }
    rows = []
    for eid, cid in panel:
        employees, stage = firms_by_id[eid][1], firms_by_id[eid][2]
        yearly = employees * PRODUCTIVITY.get(stage, 400_000) * rng.uniform(0.7, 1.3)
        declining = clusters_by_id[cid].slug in DECLINING
        for i, (year, month) in enumerate(months):
            if (eid, year, month) in skip:
                continue
            growth = (0.75 ** (max(0, i - 11) / 12)) if declining else (1.04 ** (i / 12))
            output = Decimal(yearly / 12 * season[month] * growth * rng.uniform(0.95, 1.05))
            revenue = output * Decimal(rng.uniform(0.86, 0.94))
            margin = Decimal(
                rng.uniform(-0.03, 0.015) if declining and i > 24 else rng.uniform(0.03, 0.1)
            )
            figures = {
                "output_value": _q(output),
                "revenue": _q(revenue),
                "profit": _q(revenue * margin),
                "export_value": _q(output * Decimal(rng.uniform(0.1, 0.3))),
                "employees": Decimal(max(1, round(employees * (growth**0.5)))),
            }
            rows += [(eid, indicators[c], period[(year, month)], v) for c, v in figures.items()]
    return rows


def _round() -> str:
    """An open round in Humen for last month, which the demo firm has not answered yet."""
    humen = Cluster.objects.filter(slug="humen").first()
    office_user = User.objects.filter(username="office_humen").first()
    if not humen or not office_user or ReportingRound.objects.filter(cluster=humen).exists():
        return ""
    year, month = _months_back(1, timezone.localdate())[0]
    period = services.period_for(PeriodKind.MONTH, year, month)
    firms = [
        f
        for f in ObservationPoint.objects.filter(cluster=humen).values_list(
            "enterprise_id", flat=True
        )
    ]
    services.open_round(
        office_user,
        humen,
        period,
        Indicator.objects.filter(
            code__in=["output_value", "revenue", "profit", "export_value", "employees"]
        ),
        timezone.localdate() + datetime.timedelta(days=14),
        firms=firms,
        title=f"虎门服装企业 {period.code} 月度统计",
    )
    return f", an open round for {period.code} in Humen"


def reminders_demo() -> str:
    """A Keqiao round due tomorrow, opened a fortnight ago: the scheduled reminders went out to the
    firms that have not reported (the demo firm among them), so its messages and the office's
    "who has reported" table show them."""
    from . import reminders

    keqiao = Cluster.objects.filter(slug="keqiao").first()
    office_user = User.objects.filter(username="office_keqiao").first()
    if not keqiao or not office_user or ReportingRound.objects.filter(cluster=keqiao).exists():
        return ""
    year, quarter = timezone.localdate().year, (timezone.localdate().month - 1) // 3 + 1
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    rnd = services.open_round(
        office_user,
        keqiao,
        services.period_for(PeriodKind.QUARTER, year, quarter),
        Indicator.objects.filter(code__in=["output_value", "revenue", "energy_use"]),
        timezone.localdate() + datetime.timedelta(days=1),
        title=f"柯桥纺织企业 {year} 年第 {quarter} 季度统计",
    )
    ReportingRound.objects.filter(pk=rnd.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=14)
    )
    sent = reminders.send_due_reminders()
    return f", {sent['firms']} firms reminded in a Keqiao round due tomorrow"


@transaction.atomic
def load_demo() -> str:
    load_catalogue()
    scheme = assessment.default_scheme()
    firms = _firms()
    if not firms or Value.objects.filter(enterprise__is_demo=True).exists():
        return ""
    rng = random.Random(SEED)
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    clusters = list(Cluster.objects.all())
    clusters_by_id = {c.pk: c for c in clusters}
    pilots = {c.pk for c in clusters if c.is_pilot}
    rows = _yearly(rng, firms, clusters, pilots, indicators)
    # The panels: each cluster's largest firms, plus the demo logins' own firms.
    firms_by_id = {f[0]: f for f in firms}
    by_cluster = defaultdict(list)
    for f in firms:
        by_cluster[f[3]].append(f)
    own = set(
        Organisation.objects.filter(
            kind=Organisation.Kind.ENTERPRISE, is_demo=True, enterprise__isnull=False
        ).values_list("enterprise_id", flat=True)
    )
    panel = []
    for cid, members in by_cluster.items():
        chosen = sorted(members, key=lambda f: -f[1])[:PANEL_SIZE] + [
            f for f in members if f[0] in own
        ]
        panel += sorted({(f[0], cid) for f in chosen})
    ObservationPoint.objects.bulk_create(
        [ObservationPoint(cluster_id=cid, enterprise_id=eid) for eid, cid in panel],
        ignore_conflicts=True,
    )
    last_month = _months_back(1, timezone.localdate())[0]
    skip = {(eid, *last_month) for eid in own}  # left for the demo firm to report in the round
    rows += _monthly(rng, panel, firms_by_id, clusters_by_id, indicators, skip)
    _insert(rows)
    aggregation.recompute()
    warnings = sum(len(monitoring.evaluate_warnings(c)) for c in clusters)
    operator = User.objects.filter(username="operator").first()
    note = ""
    if operator is not None:
        run = assessment.run(operator, scheme, max(RECENT_YEARS))
        assessment.publish(operator, run)
        note = _round() + reminders_demo()
    return (
        f"Statistics demo: {len(rows):,} firm figures, {len(panel)} observation points, "
        f"{warnings} warnings, the {max(RECENT_YEARS)} assessment{note}."
    )
