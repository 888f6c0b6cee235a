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

from django.db.models import Count

from weft.registry.models import ChainStage, Cluster, ClusterMembership, Enterprise
from weft.registry.search import facet_token

from .models import MeetingOutcome, StageProfile

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


def national_employees(stages: list[str]) -> int:
    """Workers of all clusters in `stages` (the profiles' sum, so a group is one whole)."""
    from django.db.models import Sum

    return (
        StageProfile.objects.filter(stage__code__in=stages).aggregate(n=Sum("employees"))["n"] or 0
    )


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
    ids = list(enterprise_ids)
    deals: dict[int, int] = defaultdict(int)
    for field_name in ("meeting__first__enterprise_id", "meeting__second__enterprise_id"):
        for firm, n in (
            MeetingOutcome.objects.filter(deal_signed=True, **{f"{field_name}__in": ids})
            .values(field_name)
            .annotate(n=Count("id"))
            .values_list(field_name, "n")
        ):
            deals[firm] += n
    return dict(deals)


def _cert_share(rows: list[StageProfile], certifications: list[str]) -> float | None:
    if not certifications:
        return None
    firms = sum(r.firms for r in rows)
    if not firms:
        return 0.0
    # The scarcest certificate bounds how many firms hold them all.
    held = min(sum(r.certifications.get(c, 0) for r in rows) for c in certifications)
    return min(1.0, held / firms)


def recommend_clusters(
    origin: Cluster,
    stages: list[str],
    *,
    certifications: list[str] | None = None,
    limit: int = 10,
    max_km: float | None = None,
) -> list[Recommendation]:
    """Clusters other than `origin` that can supply `stages`, best first."""
    certifications = certifications or []
    rows_by_cluster: dict[int, list[StageProfile]] = defaultdict(list)
    # Only the columns the score needs: this runs on every partner query.
    for row in (
        StageProfile.objects.filter(stage__code__in=stages, firms__gt=0)
        .exclude(cluster=origin)
        .only("cluster_id", "firms", "employees", "spare_employees", "certifications")
    ):
        rows_by_cluster[row.cluster_id].append(row)
    if not rows_by_cluster:
        return []
    clusters = Cluster.objects.only(
        "id", "slug", "name_zh", "name_en", "latitude", "longitude", "primary_stages"
    ).in_bulk(list(rows_by_cluster))
    deals = past_deals_by_cluster(stages)
    candidates = []
    for cluster_id, rows in rows_by_cluster.items():
        cluster = clusters[cluster_id]
        km = haversine_km(origin.latitude, origin.longitude, cluster.latitude, cluster.longitude)
        if max_km is not None and km > max_km:
            continue
        employees = sum(r.employees for r in rows)
        candidates.append((cluster, rows, km, employees))
    if not candidates:
        return []
    national = national_employees(stages)
    candidates = [
        (c, rows, km, emp, emp / national if national else 0.0) for c, rows, km, emp in candidates
    ]
    best_share = max(c[4] for c in candidates) or 1.0
    out = []
    for cluster, rows, km, employees, share in candidates:
        spare = sum(r.spare_employees for r in rows)
        spare_share = min(1.0, spare / employees) if employees else 0.0
        cert_share = _cert_share(rows, certifications)
        n_deals = deals.get(cluster.pk, 0)
        parts = {
            "strength": share / best_share,
            "spare": spare_share,
            "distance": 1 / (1 + km / DISTANCE_SCALE_KM),
            "certs": 1.0 if cert_share is None else cert_share,
            "docking": min(1.0, n_deals / DEALS_FOR_FULL_MARKS),
        }
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        rec = Recommendation(
            cluster=cluster,
            score=round(score, 4),
            parts={k: round(v, 4) for k, v in parts.items()},
            km=round(km, 1),
            firms=sum(r.firms for r in rows),
            employees=employees,
            share=share,
            spare_share=spare_share,
            cert_share=cert_share,
            deals=n_deals,
        )
        out.append(rec)
    out.sort(key=lambda r: (-r.score, r.km, r.cluster.slug))
    names = _stage_names(stages)
    for rec in out[:limit]:
        explain(rec, names, certifications)
    return out[:limit]


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


def recommend_firms(
    *,
    stage: str,
    near: Cluster,
    max_km: float | None = None,
    certifications: list[str] | None = None,
    limit: int = 20,
) -> list[FirmMatch]:
    """Firms working in `stage`, holding every certificate, within `max_km` of `near`'s point.

    The best clusters in range (by the cluster score) are searched through the directory's index
    one by one; their firms are scored by size, distance and past deals.
    """
    certifications = certifications or []
    clusters = recommend_clusters(
        near, [stage], certifications=certifications, limit=FIRM_CANDIDATE_CLUSTERS, max_km=max_km
    )
    # The origin cluster's own firms are partners too (a local supplier is the best one).
    in_range = [(near, 0.0)] + [(r.cluster, r.km) for r in clusters]
    matches: list[tuple[Enterprise, Cluster, float]] = []
    base = [facet_token("s", stage)] + [facet_token("cert", c) for c in certifications]
    for cluster, km in in_range:
        qs = (
            Enterprise.objects.filter(search_tokens__has_all=[*base, facet_token("c", cluster.pk)])
            .only(
                "id",
                "name_zh",
                "name_en",
                "employees",
                "capacity_quantity",
                "capacity_unit",
                "capacity_period",
                "is_demo",
            )
            .order_by("-employees", "id")[:limit]
        )
        matches += [(e, cluster, km) for e in qs]
    if not matches:
        return []
    deals = past_deals_by_firm(e.pk for e, _c, _k in matches)
    biggest = max((e.employees or 0) for e, _c, _k in matches) or 1
    out = []
    for e, cluster, km in matches:
        parts = {
            "size": math.log1p(e.employees or 0) / math.log1p(biggest),
            "distance": 1 / (1 + km / DISTANCE_SCALE_KM),
            "docking": min(1.0, deals.get(e.pk, 0) / DEALS_FOR_FULL_MARKS),
        }
        score = 0.4 * parts["size"] + 0.45 * parts["distance"] + 0.15 * parts["docking"]
        certs = ", ".join(certifications)
        zh = f"{cluster.name_zh}，距离{km:,.0f}公里；{e.employees or 0}名员工"
        en = f"In {cluster.name_en}, {km:,.0f} km away; {e.employees or 0:,} employees"
        if certs:
            zh += f"；持有{certs}"
            en += f"; holds {certs}"
        if deals.get(e.pk):
            zh += f"；以往对接会签约{deals[e.pk]}次"
            en += f"; {deals[e.pk]} deal(s) at past docking events"
        out.append(
            FirmMatch(
                e,
                cluster,
                round(km, 1),
                round(score, 4),
                {k: round(v, 4) for k, v in parts.items()},
                deals.get(e.pk, 0),
                zh + "。",
                en + ".",
            )
        )
    out.sort(key=lambda m: (-m.score, m.km, m.enterprise.pk))
    return out[:limit]


def gap_stages(cluster: Cluster, key: str) -> tuple[list[str], list[str]] | None:
    """(stages, certifications) of the cluster's gap named by a group key or one of its stages."""
    from .models import ChainGap

    for gap in ChainGap.objects.filter(cluster=cluster).order_by("-severity", "id"):
        if key == gap.group or key in gap.stages:
            return list(gap.stages), list(gap.required_certifications or [])
    return None
