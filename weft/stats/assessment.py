"""Yearly assessment of clusters: metrics from the aggregates, min–max scores per metric, weighted
dimension scores, ranking, and written feedback naming each cluster's weakest dimensions.

A published run is frozen: running a scheme again makes a new run, and changing a published
scheme makes a new version of it.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change
from weft.registry.models import Cluster, ClusterMembership

from . import formulas as f
from .models import (
    Aggregate,
    AssessmentResult,
    AssessmentRun,
    AssessmentScheme,
    Period,
    PeriodKind,
    SchemeItem,
)
from .selectors import MIN_PUBLIC_FIRMS

DIMENSIONS = {
    # code: (Chinese, English, advice zh, advice en)
    "scale": (
        "规模",
        "Scale",
        "扩大规上企业队伍，引导产业链招商补链。",
        "grow the number of firms above the size threshold; recruit firms for missing chain links.",
    ),
    "growth": (
        "增长",
        "Growth",
        "关注订单与产能利用，借助产业链对接活动开拓新客户。",
        "watch orders and capacity use; find new buyers through chain docking events.",
    ),
    "innovation": (
        "创新",
        "Innovation",
        "加大研发投入，对接检测、设计等公共服务平台，申请专利。",
        "raise R&D spending, use testing and design services, file patents.",
    ),
    "green": (
        "绿色",
        "Green",
        "推进节能节水改造，申请绿色制造相关服务券。",
        "invest in energy and water saving; apply for green-production service vouchers.",
    ),
    "talent": (
        "人才与效率",
        "Talent and productivity",
        "开展技能培训，提升人均产值。",
        "train staff and raise output per employee.",
    ),
    "public_service": (
        "公共服务",
        "Public service",
        "提高企业统计填报覆盖率，完善集群公共服务。",
        "raise the share of member firms that report; strengthen the cluster's public services.",
    ),
    "market": (
        "市场开拓",
        "Market reach",
        "发展跨境电商与出口业务。",
        "develop cross-border e-commerce and exports.",
    ),
}

# metric code → (dimension it usually belongs to, direction)
METRICS = {
    "output_value": ("scale", "higher"),
    "output_growth": ("growth", "higher"),
    "revenue_growth": ("growth", "higher"),
    "rd_intensity": ("innovation", "higher"),
    "patents_per_firm": ("innovation", "higher"),
    "energy_per_10k": ("green", "lower"),
    "water_per_10k": ("green", "lower"),
    "output_per_employee": ("talent", "higher"),
    "reporting_coverage": ("public_service", "higher"),
    "export_share": ("market", "higher"),
    "ecommerce_share": ("market", "higher"),
}


def default_scheme() -> AssessmentScheme:
    """The scheme Weft ships (version 1), created when missing."""
    scheme, created = AssessmentScheme.objects.get_or_create(
        code="cluster-annual",
        version=1,
        defaults={"name_zh": "产业集群年度评估", "name_en": "Annual cluster assessment"},
    )
    if created:
        weights = {
            "output_value": "0.15", "output_growth": "0.1", "revenue_growth": "0.05",
            "rd_intensity": "0.1", "patents_per_firm": "0.1", "energy_per_10k": "0.1",
            "water_per_10k": "0.05", "output_per_employee": "0.1", "reporting_coverage": "0.1",
            "export_share": "0.05", "ecommerce_share": "0.1",
        }  # fmt: skip
        SchemeItem.objects.bulk_create(
            [
                SchemeItem(
                    scheme=scheme,
                    dimension=METRICS[m][0],
                    metric=m,
                    weight=Decimal(w),
                    direction=METRICS[m][1],
                )
                for m, w in weights.items()
            ]
        )
    return scheme


def cluster_metrics(year: int) -> dict[int, dict[str, Decimal | None]]:
    this = Period.objects.filter(kind=PeriodKind.YEAR, year=year, number=1).first()
    last = Period.objects.filter(kind=PeriodKind.YEAR, year=year - 1, number=1).first()
    if this is None:
        return {}

    def load(period):
        out: dict[int, dict] = {}
        if period is None:
            return out
        for key, code, total, firms in Aggregate.objects.filter(
            level=Aggregate.Level.CLUSTER, period=period
        ).values_list("key", "indicator__code", "total", "firms"):
            out.setdefault(int(key), {})[code] = (total, firms)
        return out

    now, before = load(this), load(last)
    members = {}
    for cid in now:
        members[cid] = ClusterMembership.objects.filter(
            cluster_id=cid, status=ClusterMembership.Status.APPROVED
        ).count()
    metrics = {}
    for cid, figures in now.items():
        output = figures.get("output_value")
        if output is None or output[1] < MIN_PUBLIC_FIRMS:
            continue

        def v(code, fig=figures):
            return fig[code][0] if code in fig else None

        prev = before.get(cid, {})
        metrics[cid] = {
            "output_value": v("output_value"),
            "output_growth": f.yoy_growth(v("output_value"), v("output_value", prev)),
            "revenue_growth": f.yoy_growth(v("revenue"), v("revenue", prev)),
            "rd_intensity": f._ratio(v("rd_spending"), v("revenue")),
            "patents_per_firm": f._ratio(v("patents_granted"), output[1]),
            "energy_per_10k": f.per_10k_yuan(v("energy_use"), v("output_value")),
            "water_per_10k": f.per_10k_yuan(v("water_use"), v("output_value")),
            "output_per_employee": f.output_per_employee(v("output_value"), v("employees")),
            "reporting_coverage": f._ratio(output[1], members.get(cid) or None),
            "export_share": f.export_share(v("export_value"), v("output_value")),
            "ecommerce_share": f._ratio(v("ecommerce_sales"), v("revenue")),
        }
    return metrics


def _feedback(dimensions: dict, medians: dict) -> tuple[str, str]:
    gaps = sorted(
        (d for d in dimensions if dimensions[d] is not None and medians.get(d) is not None),
        key=lambda d: dimensions[d] - medians[d],
    )
    weakest = [d for d in gaps if dimensions[d] < medians[d]][:2]
    if not weakest:
        return (
            "各维度均不低于同类集群中位数，请保持。",
            "Every dimension is at or above the median of peer clusters: keep it up.",
        )
    zh = "；".join(
        f"{DIMENSIONS[d][0]}得分 {dimensions[d]:.0f}，低于中位数 {medians[d]:.0f}：{DIMENSIONS[d][2]}"
        for d in weakest
    )
    en = "; ".join(
        f"{DIMENSIONS[d][1]} scores {dimensions[d]:.0f}, below the median of {medians[d]:.0f}: {DIMENSIONS[d][3]}"
        for d in weakest
    )
    return "最弱维度——" + zh + "。", "Weakest dimensions — " + en


def run(user, scheme: AssessmentScheme, year: int) -> AssessmentRun:
    if not can(user, "stats.manage_catalogue"):
        raise PermissionDenied
    items = list(scheme.items.all())
    if not items:
        raise ValidationError(_("The scheme has no indicators."))
    metrics = cluster_metrics(year)
    if len(metrics) < 2:
        raise ValidationError(
            _("Fewer than two clusters have figures for %(year)d.") % {"year": year}
        )
    bounds = {}
    for item in items:
        vals = [m[item.metric] for m in metrics.values() if m.get(item.metric) is not None]
        bounds[item.metric] = (min(vals), max(vals)) if vals else (None, None)
    results = {}
    for cid, m in metrics.items():
        dim_sum, dim_weight, total, total_weight = {}, {}, Decimal(0), Decimal(0)
        for item in items:
            score = f.min_max_score(
                m.get(item.metric),
                *bounds[item.metric],
                higher_is_better=item.direction == "higher",
            )
            if score is None:
                continue
            dim_sum[item.dimension] = dim_sum.get(item.dimension, Decimal(0)) + item.weight * score
            dim_weight[item.dimension] = dim_weight.get(item.dimension, Decimal(0)) + item.weight
            total += item.weight * score
            total_weight += item.weight
        dims = {d: dim_sum[d] / dim_weight[d] for d in dim_sum}
        results[cid] = (total / total_weight if total_weight else Decimal(0), dims, m)
    all_dims = sorted({d for _s, dims, _m in results.values() for d in dims})
    medians = {d: f.median(dims.get(d) for _s, dims, _m in results.values()) for d in all_dims}
    with transaction.atomic():
        assessment = AssessmentRun.objects.create(
            scheme=scheme, year=year, run_by=user,
            medians={d: float(round(v, 2)) for d, v in medians.items() if v is not None},
        )  # fmt: skip
        ordered = sorted(results.items(), key=lambda kv: -kv[1][0])
        rows = []
        for rank, (cid, (score, dims, m)) in enumerate(ordered, start=1):
            zh, en = _feedback(dims, medians)
            rows.append(
                AssessmentResult(
                    run=assessment,
                    cluster_id=cid,
                    score=round(score, 2),
                    rank=rank,
                    dimensions={d: float(round(v, 2)) for d, v in dims.items()},
                    metrics={k: (str(v) if v is not None else None) for k, v in m.items()},
                    feedback_zh=zh,
                    feedback_en=en,
                )
            )
        AssessmentResult.objects.bulk_create(rows)
        record_change(
            actor=user,
            action=AuditRecord.Action.CREATE,
            obj=assessment,
            after={"year": year, "scheme": str(scheme)},
        )
    return assessment


def publish(user, assessment: AssessmentRun) -> None:
    if not can(user, "stats.manage_catalogue"):
        raise PermissionDenied
    if assessment.status == AssessmentRun.Status.PUBLISHED:
        raise ValidationError(_("This assessment is already published and cannot change."))
    with transaction.atomic():
        assessment.status, assessment.published_at = AssessmentRun.Status.PUBLISHED, timezone.now()
        assessment.save(update_fields=["status", "published_at"])
        AssessmentScheme.objects.filter(pk=assessment.scheme_id).update(
            status=AssessmentScheme.Status.PUBLISHED
        )
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=assessment,
            before={"status": "draft"},
            after={"status": "published"},
        )


def new_version(user, scheme: AssessmentScheme) -> AssessmentScheme:
    """Changes to a published scheme go into a new version; the old one keeps its results."""
    if not can(user, "stats.manage_catalogue"):
        raise PermissionDenied
    latest = AssessmentScheme.objects.filter(code=scheme.code).order_by("-version").first()
    with transaction.atomic():
        copy = AssessmentScheme.objects.create(
            code=scheme.code,
            version=latest.version + 1,
            name_zh=scheme.name_zh,
            name_en=scheme.name_en,
        )
        SchemeItem.objects.bulk_create(
            [
                SchemeItem(
                    scheme=copy,
                    dimension=i.dimension,
                    metric=i.metric,
                    weight=i.weight,
                    direction=i.direction,
                )
                for i in scheme.items.all()
            ]
        )
    return copy


def cluster_result(cluster: Cluster, year: int | None = None) -> AssessmentResult | None:
    qs = AssessmentResult.objects.filter(
        cluster=cluster, run__status=AssessmentRun.Status.PUBLISHED
    )
    if year:
        qs = qs.filter(run__year=year)
    return qs.select_related("run").order_by("-run__year", "-run__published_at").first()
