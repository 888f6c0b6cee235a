"""Partner recommendation: which clusters and firms can fill a gap, each score explained.

A cluster's score for an input (one stage or a group of alternatives such as fabric = weaving or
knitting) adds five parts, each 0–1, weighted by WEIGHTS:
  strength  its share of the nation's workers in those stages, over the best candidate's share
  spare     the share of those workers beyond what its own consumers need (selectors' profile)
  distance  1 / (1 + km / DISTANCE_SCALE_KM), km between the two clusters' points (haversine)
  certs     the share of its firms in those stages holding every certificate the buyer needs
            (1 when none are needed)
  docking   deals signed at past docking meetings by its firms, DEALS_FOR_FULL_MARKS for full marks
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import FloatField, JSONField, Value
from django.db.models.functions import Cast

from weft.registry.models import ChainStage, Cluster, ClusterMembership, Enterprise

from .models import MeetingOutcome, StageFirm, StageProfile

WEIGHTS = {"strength": 0.35, "spare": 0.15, "distance": 0.25, "certs": 0.1, "docking": 0.15}
DISTANCE_SCALE_KM = 800.0
DEALS_FOR_FULL_MARKS = 3
FIRM_CANDIDATE_CLUSTERS = 8  # firm queries look inside the best clusters in range
EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


@dataclass
class Recommendation:
    cluster: Cluster
    score: float
    parts: dict[str, float]
    km: float
    firms: int
    employees: int
    share: float
    spare_share: float
    cert_share: float | None
    deals: int
    reason_zh: str = ""
    reason_en: str = ""
    firms_sample: list = field(default_factory=list)


def past_deals_by_cluster(stages: list[str]) -> dict[int, int]:
    """Deals signed at docking meetings where a firm of the cluster offered one of `stages`."""
    deals: dict[int, int] = defaultdict(int)
    rows = MeetingOutcome.objects.filter(deal_signed=True).values_list(
        "meeting__first__enterprise_id",
        "meeting__first__offers",
        "meeting__second__enterprise_id",
        "meeting__second__offers",
    )
    sellers = []
    for a, a_offers, b, b_offers in rows:
        for firm, offers in ((a, a_offers), (b, b_offers)):
            if set(offers or []) & set(stages):
                sellers.append(firm)
    if not sellers:
        return {}
    cluster_of = dict(
        ClusterMembership.objects.filter(
            enterprise_id__in=sellers, status=ClusterMembership.Status.APPROVED
        ).values_list("enterprise_id", "cluster_id")
    )
    for firm in sellers:
        if firm in cluster_of:
            deals[cluster_of[firm]] += 1
    return dict(deals)


def past_deals_by_firm(enterprise_ids) -> dict[int, int]:
    """Deals signed at docking meetings, per firm of `enterprise_ids` (either side).

    Signed deals are few next to firms: reading them all beats an IN list of candidate firms.
    """
    ids = set(enterprise_ids)
    deals: dict[int, int] = defaultdict(int)
    for first, second in MeetingOutcome.objects.filter(deal_signed=True).values_list(
        "meeting__first__enterprise_id", "meeting__second__enterprise_id"
    ):
        for firm in (first, second):
            if firm in ids:
                deals[firm] += 1
    return dict(deals)


def _cert_share(firms: int, held: dict[str, int], certifications: list[str]) -> float | None:
    if not certifications:
        return None
    if not firms:
        return 0.0
    # The scarcest certificate bounds how many firms hold them all.
    return min(1.0, min(held.get(c, 0) for c in certifications) / firms)


def recommend_clusters(
    origin: Cluster,
    stages: list[str],
    *,
    certifications: list[str] | None = None,
    limit: int = 10,
    max_km: float | None = None,
    explained: bool = True,
) -> list[Recommendation]:
    """Clusters other than `origin` that can supply `stages`, best first (`explained`: with
    their reasons in words).

    Reads the stored profiles only (one query, as tuples, with each cluster's point); Cluster
    objects are loaded for the clusters returned.
    """
    certifications = certifications or []
    # cluster id → [firms, employees, spare, {cert: n}, lat, lon, slug]
    agg: dict[int, list] = {}
    national = 0
    # Certificate counts are JSON: decoded only when the buyer needs certificates.
    held_column = "certifications" if certifications else Value(None, JSONField())
    for cid, firms, emp, spare, held, lat, lon, slug in StageProfile.objects.filter(
        stage__code__in=stages, firms__gt=0
    ).values_list(
        "cluster_id",
        "firms",
        "employees",
        "spare_employees",
        held_column,
        # Floats: no Decimal conversion of ~300 points on every query.
        Cast("cluster__latitude", FloatField()),
        Cast("cluster__longitude", FloatField()),
        "cluster__slug",
    ):
        national += emp  # the nation's workers in `stages`, the group as one whole
        if cid == origin.pk:
            continue
        row = agg.setdefault(cid, [0, 0, 0.0, defaultdict(int), lat, lon, slug])
        row[0] += firms
        row[1] += emp
        row[2] += spare
        if certifications:
            for code in certifications:
                row[3][code] += (held or {}).get(code, 0)
    candidates = []
    for cid, (firms, emp, spare, held, lat, lon, slug) in agg.items():
        km = haversine_km(origin.latitude, origin.longitude, lat, lon)
        if max_km is None or km <= max_km:
            candidates.append((cid, firms, emp, spare, held, km, slug))
    if not candidates:
        return []
    deals = past_deals_by_cluster(stages)
    best_share = max(c[2] for c in candidates) / national if national else 0.0
    best_share = best_share or 1.0
    scored = []
    for cid, firms, emp, spare, held, km, slug in candidates:
        share = emp / national if national else 0.0
        spare_share = min(1.0, spare / emp) if emp else 0.0
        cert_share = _cert_share(firms, held, certifications)
        n_deals = deals.get(cid, 0)
        parts = {
            "strength": share / best_share,
            "spare": spare_share,
            "distance": 1 / (1 + km / DISTANCE_SCALE_KM),
            "certs": 1.0 if cert_share is None else cert_share,
            "docking": min(1.0, n_deals / DEALS_FOR_FULL_MARKS),
        }
        score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)
        scored.append(
            (-score, km, slug, cid, parts, firms, emp, share, spare_share, cert_share, n_deals)
        )
    scored.sort(key=lambda r: r[:3])
    top = scored[:limit]
    clusters = Cluster.objects.only(
        "id", "slug", "name_zh", "name_en", "latitude", "longitude", "primary_stages"
    ).in_bulk([r[3] for r in top])
    names = _stage_names(stages) if explained else None
    out = []
    for neg, km, _slug, cid, parts, firms, emp, share, spare_share, cert_share, n_deals in top:
        rec = Recommendation(
            cluster=clusters[cid],
            score=-neg,
            parts={k: round(v, 4) for k, v in parts.items()},
            km=round(km, 1),
            firms=firms,
            employees=emp,
            share=share,
            spare_share=spare_share,
            cert_share=cert_share,
            deals=n_deals,
        )
        if names is not None:
            explain(rec, names, certifications)
        out.append(rec)
    return out


def _stage_names(stages: list[str]) -> tuple[str, str]:
    objs = list(ChainStage.objects.filter(code__in=stages).order_by("order"))
    return "、".join(s.name_zh for s in objs), ", ".join(s.name_en.lower() for s in objs)


def explain(rec: Recommendation, names: tuple[str, str], certifications: list[str]) -> None:
    """The score in words, both languages."""
    names_zh, names_en = names
    zh = [
        f"{names_zh}实力：占全国该环节从业人员的{rec.share:.1%}（{rec.firms}家企业）",
        f"富余产能约{rec.spare_share:.0%}",
        f"距离{rec.km:,.0f}公里",
    ]
    en = [
        f"strength in {names_en}: {rec.share:.1%} of the nation's workers in it ({rec.firms:,} firms)",
        f"about {rec.spare_share:.0%} spare capacity",
        f"{rec.km:,.0f} km away",
    ]
    if rec.cert_share is not None:
        codes = ", ".join(certifications)
        zh.append(f"{rec.cert_share:.0%}的企业持有{codes}")
        en.append(f"{rec.cert_share:.0%} of its firms hold {codes}")
    if rec.deals:
        zh.append(f"以往对接会签约{rec.deals}次")
        en.append(f"{rec.deals} deal(s) signed at past docking events")
    else:
        zh.append("尚无对接会签约记录")
        en.append("no deals at past docking events yet")
    score = f"{rec.score * 100:.0f}"
    rec.reason_zh = f"得分{score}：" + "；".join(zh) + "。"
    rec.reason_en = f"Score {score}: " + "; ".join(en) + "."


# --- firms -------------------------------------------------------------------------------------


@dataclass
class FirmMatch:
    enterprise: Enterprise
    cluster: Cluster
    km: float
    score: float
    parts: dict[str, float]
    deals: int
    reason_zh: str
    reason_en: str


def _bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """Latitudes and longitudes that hold every point within `km` of (lat, lon) (a little more)."""
    dlat = km / 110.5
    coslat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.0))), 0.01)
    dlon = min(km / (111.3 * coslat), 180.0)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _like_code(code: str) -> str:
    escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%,{escaped},%"


def stage_firm_rows(
    stage_id: int,
    clusters: list[int],
    *,
    per_cluster: int,
    certifications: list[str],
    box: tuple[float, float, float, float] | None,
) -> list[tuple]:
    """The biggest firms of a stage in each of `clusters`: one statement, one index range per
    cluster (StageFirm's (stage, cluster, -employees) index), certificates and the bounding box
    checked on those rows only. Rows: (enterprise_id, cluster_id, employees, lat, lon)."""
    table = connection.ops.quote_name(StageFirm._meta.db_table)
    where = ["stage_id = %s", "cluster_id = %s"]
    extra: list = []
    for code in certifications:
        where.append("certifications LIKE %s ESCAPE '\\'")
        extra.append(_like_code(code))
    if box is not None:
        # Firms without a point are placed at their cluster's, checked by the caller.
        where.append(
            "(latitude IS NULL OR (latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s))"
        )
        extra += list(box)
    one = (
        f"SELECT enterprise_id, cluster_id, employees, latitude, longitude FROM {table} "  # noqa: S608
        f"WHERE {' AND '.join(where)} ORDER BY employees DESC LIMIT %s"
    )
    union = " UNION ALL ".join(f"SELECT * FROM ({one}) AS t{i}" for i in range(len(clusters)))  # noqa: S608
    sql = union
    params: list = []
    for cluster_id in clusters:
        params += [stage_id, cluster_id, *extra, per_cluster]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def recommend_firms(
    *,
    stage: str,
    near: Cluster,
    max_km: float | None = None,
    certifications: list[str] | None = None,
    limit: int = 20,
) -> list[FirmMatch]:
    """Firms working in `stage`, holding every certificate, within `max_km` of `near`'s point.

    Candidates are `near`'s own cluster (a local supplier is the best one) and the best clusters
    in range by the cluster score (stored profiles only); one query reads the biggest firms of
    the stage in all of them, and each is scored by size, its own distance and past deals.
    """
    certifications = certifications or []
    stage_obj = ChainStage.objects.filter(code=stage).only("id").first()
    if stage_obj is None:
        return []
    clusters = recommend_clusters(
        near,
        [stage],
        certifications=certifications,
        limit=FIRM_CANDIDATE_CLUSTERS,
        max_km=max_km,
        explained=False,
    )
    by_id = {near.pk: (near, 0.0)} | {r.cluster.pk: (r.cluster, r.km) for r in clusters}
    origin = (float(near.latitude), float(near.longitude))
    box = _bounding_box(*origin, max_km) if max_km is not None else None
    rows = stage_firm_rows(
        stage_obj.pk, list(by_id), per_cluster=limit, certifications=certifications, box=box
    )
    found: list[tuple[int, Cluster, float, int]] = []
    for enterprise_id, cluster_id, employees, lat, lon in rows:
        cluster, cluster_km = by_id[cluster_id]
        # A firm without a point of its own is placed at its cluster's.
        km = cluster_km if lat is None else haversine_km(*origin, lat, lon)
        if max_km is not None and km > max_km:
            continue
        found.append((enterprise_id, cluster, km, employees or 0))
    if not found:
        return []
    deals = past_deals_by_firm({f[0] for f in found})
    biggest = max(f[3] for f in found) or 1
    scored = []
    for pk, cluster, km, employees in found:
        parts = {
            "size": math.log1p(employees) / math.log1p(biggest),
            "distance": 1 / (1 + km / DISTANCE_SCALE_KM),
            "docking": min(1.0, deals.get(pk, 0) / DEALS_FOR_FULL_MARKS),
        }
        score = 0.4 * parts["size"] + 0.45 * parts["distance"] + 0.15 * parts["docking"]
        scored.append((-score, km, pk, cluster, parts, employees))
    scored.sort(key=lambda r: r[:3])
    top, seen = [], set()
    for row in scored:
        if row[2] not in seen:  # a firm in two candidate clusters counts once
            seen.add(row[2])
            top.append(row)
        if len(top) == limit:
            break
    # Only the firms shown are loaded as objects.
    firms = Enterprise.objects.only(
        "id",
        "name_zh",
        "name_en",
        "employees",
        "capacity_quantity",
        "capacity_unit",
        "capacity_period",
        "is_demo",
    ).in_bulk([r[2] for r in top])
    certs = ", ".join(certifications)
    out = []
    for neg_score, km, pk, cluster, parts, employees in top:
        if pk not in firms:  # deleted since the last recompute
            continue
        zh = f"{cluster.name_zh}，距离{km:,.0f}公里；{employees}名员工"
        en = f"In {cluster.name_en}, {km:,.0f} km away; {employees:,} employees"
        if certs:
            zh += f"；持有{certs}"
            en += f"; holds {certs}"
        if deals.get(pk):
            zh += f"；以往对接会签约{deals[pk]}次"
            en += f"; {deals[pk]} deal(s) at past docking events"
        out.append(
            FirmMatch(
                firms[pk],
                cluster,
                round(km, 1),
                round(-neg_score, 4),
                {k: round(v, 4) for k, v in parts.items()},
                deals.get(pk, 0),
                zh + "。",
                en + ".",
            )
        )
    return out


def gap_stages(cluster: Cluster, key: str) -> tuple[list[str], list[str]] | None:
    """(stages, certifications) of the cluster's gap named by a group key or one of its stages."""
    from .models import ChainGap

    for gap in ChainGap.objects.filter(cluster=cluster).order_by("-severity", "id"):
        if key == gap.group or key in gap.stages:
            return list(gap.stages), list(gap.required_certifications or [])
    return None
