"""Yearly assessment of clusters: metrics from the aggregates, min–max scores per metric, weighted
dimension scores, ranking, and written feedback naming each cluster's weakest dimensions.

A published run is frozen: running a scheme again makes a new run, and changing a published
scheme makes a new version of it.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
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

METRIC_NAMES = {
    "output_value": ("工业总产值", "Industrial output value"),
    "output_growth": ("产值同比增长", "Output growth year on year"),
    "revenue_growth": ("营业收入同比增长", "Revenue growth year on year"),
    "rd_intensity": ("研发投入强度（研发支出/营业收入）", "R&D intensity (R&D spending / revenue)"),
    "patents_per_firm": ("平均每家填报企业专利授权数", "Patents granted per reporting firm"),
    "energy_per_10k": ("万元产值能耗", "Energy per 10,000 yuan of output"),
    "water_per_10k": ("万元产值用水", "Water per 10,000 yuan of output"),
    "output_per_employee": ("人均产值", "Output per employee"),
    "reporting_coverage": ("统计填报覆盖率", "Share of member firms reporting"),
    "export_share": ("出口交货值占比", "Export share of output"),
    "ecommerce_share": ("电商销售占营业收入比重", "E-commerce share of revenue"),
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
        f"{DIMENSIONS[d][0]}得分 {dimensions[d]:.0f}，低于中位数 {medians[d]:.0f}：{DIMENSIONS[d][2].rstrip('。')}"
        for d in weakest
    )
    en = "; ".join(
        f"{DIMENSIONS[d][1]} scores {dimensions[d]:.0f}, below the median of {medians[d]:.0f}: {DIMENSIONS[d][3].rstrip('.')}"
        for d in weakest
    )
    return "最弱维度——" + zh + "。", "Weakest dimensions — " + en + "."


def _score(item: SchemeItem, value, bounds: dict, metrics: dict) -> Decimal | None:
    higher = item.direction == SchemeItem.Direction.HIGHER
    if item.normalisation == SchemeItem.Normalisation.PERCENTILE:
        values = [m.get(item.metric) for m in metrics.values()]
        return f.percentile_score(value, values, higher_is_better=higher)
    return f.min_max_score(value, *bounds[item.metric], higher_is_better=higher)


def run(user, scheme: AssessmentScheme, year: int) -> AssessmentRun:
    if not can(user, "stats.manage_assessment"):
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
            score = _score(item, m.get(item.metric), bounds, metrics)
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
    if not can(user, "stats.manage_assessment"):
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
    if not can(user, "stats.manage_assessment"):
        raise PermissionDenied
    latest = AssessmentScheme.objects.filter(code=scheme.code).order_by("-version").first()
    with transaction.atomic():
        copy = AssessmentScheme.objects.create(
            code=scheme.code,
            version=latest.version + 1,
            name_zh=scheme.name_zh,
            name_en=scheme.name_en,
        )
        _copy_items(scheme, copy)
        record_change(
            actor=user,
            action=AuditRecord.Action.CREATE,
            obj=copy,
            after={"code": copy.code, "version": copy.version, "from_version": scheme.version},
        )
    return copy


def _copy_items(source: AssessmentScheme, target: AssessmentScheme) -> None:
    SchemeItem.objects.bulk_create(
        [
            SchemeItem(
                scheme=target,
                dimension=i.dimension,
                metric=i.metric,
                weight=i.weight,
                direction=i.direction,
                normalisation=i.normalisation,
            )
            for i in source.items.all()
        ]
    )


def cluster_result(cluster: Cluster, year: int | None = None) -> AssessmentResult | None:
    qs = AssessmentResult.objects.filter(
        cluster=cluster, run__status=AssessmentRun.Status.PUBLISHED
    )
    if year:
        qs = qs.filter(run__year=year)
    return qs.select_related("run").order_by("-run__year", "-run__published_at").first()


# --- defining schemes ---------------------------------------------------------------------------


def create_scheme(user, code: str, name_zh: str, name_en: str) -> AssessmentScheme:
    """A new scheme (version 1, draft) with the shipped measures to start from."""
    if not can(user, "stats.manage_assessment"):
        raise PermissionDenied
    code = slugify(code or "")
    errors = {}
    if not code:
        errors["code"] = [_("Give the scheme a code of Latin letters, digits and hyphens.")]
    elif AssessmentScheme.objects.filter(code=code).exists():
        errors["code"] = [_("A scheme with the code “%(code)s” exists.") % {"code": code}]
    if not (name_zh or "").strip():
        errors["name_zh"] = [_("Give the scheme a Chinese name.")]
    if errors:
        raise ValidationError(errors)
    template = default_scheme()
    with transaction.atomic():
        scheme = AssessmentScheme.objects.create(
            code=code, version=1, name_zh=name_zh.strip(), name_en=(name_en or "").strip()
        )
        _copy_items(template, scheme)
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=scheme, after={"code": code}
        )
    return scheme


def save_items(user, scheme: AssessmentScheme, rows: list[dict]) -> int:
    """Replace a draft scheme's measures. Each row: dimension, metric, weight, direction,
    normalisation; a row with an empty weight is dropped. All or nothing, errors by row.
    Returns how many draft results of the scheme were discarded."""
    if not can(user, "stats.manage_assessment"):
        raise PermissionDenied
    if scheme.status == AssessmentScheme.Status.PUBLISHED:
        raise ValidationError(
            {
                "__all__": [
                    _("This scheme is published and frozen: make a new version to change it.")
                ]
            }
        )
    errors, items, seen = {}, [], set()
    for n, row in enumerate(rows, start=1):
        weight_text = str(row.get("weight") or "").strip()
        if not weight_text:
            continue
        problems = []
        metric, dimension = row.get("metric", ""), row.get("dimension", "")
        if metric not in METRICS:
            problems.append(_("unknown measure “%(m)s”") % {"m": metric})
        elif metric in seen:
            problems.append(_("the measure appears twice"))
        if dimension not in DIMENSIONS:
            problems.append(_("unknown dimension “%(d)s”") % {"d": dimension})
        try:
            weight = Decimal(weight_text)
            if not weight.is_finite() or weight <= 0 or weight > 100:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(_("the weight must be a number above 0 and at most 100"))
            weight = None
        if row.get("direction") not in SchemeItem.Direction.values:
            problems.append(_("choose whether higher or lower is better"))
        if row.get("normalisation") not in SchemeItem.Normalisation.values:
            problems.append(_("choose a normalisation"))
        if problems:
            errors[f"row {n}"] = [
                _("Row %(n)d: %(problems)s.") % {"n": n, "problems": "; ".join(problems)}
            ]
            continue
        seen.add(metric)
        items.append(
            SchemeItem(
                scheme=scheme,
                dimension=dimension,
                metric=metric,
                weight=weight.quantize(Decimal("0.001")),
                direction=row["direction"],
                normalisation=row["normalisation"],
            )
        )
    if not errors and not items:
        errors["__all__"] = [_("A scheme needs at least one measure with a weight.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.status == AssessmentScheme.Status.PUBLISHED:
            raise ValidationError({"__all__": [_("This scheme was published meanwhile.")]})
        before = [_item_snapshot(i) for i in scheme.items.all()]
        scheme.items.all().delete()
        SchemeItem.objects.bulk_create(items)
        # Draft results were scored with the old measures: they go, so none disagrees with its
        # scheme when published.
        _total, deleted = scheme.runs.filter(status=AssessmentRun.Status.DRAFT).delete()
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=scheme,
            before={"items": before},
            after={"items": [_item_snapshot(i) for i in items]},
        )
    return deleted.get(AssessmentRun._meta.label, 0)


def _item_snapshot(item: SchemeItem) -> dict:
    return {
        "dimension": item.dimension,
        "metric": item.metric,
        "weight": str(item.weight),
        "direction": item.direction,
        "normalisation": item.normalisation,
    }


# --- feedback for a cluster ----------------------------------------------------------------------

# Where a cluster can act on a weak dimension: (URL name, query string, label zh, label en). Links
# to apps that are not installed are left out.
ADVICE_LINKS = {
    "scale": [("chain:cluster_chain", "", "产业链缺口与补链", "Chain gaps to fill")],
    "growth": [("chain:event_list", "", "产业链对接活动", "Chain docking events")],
    "innovation": [
        ("services:catalogue", "?category=rnd", "研发服务", "R&D services"),
        ("services:catalogue", "?category=testing", "检测认证服务", "Testing and certification"),
    ],
    "green": [
        ("services:catalogue", "?category=csr_audit", "社会责任与绿色审核", "CSR and green audits"),
        ("services:voucher_list", "", "服务券", "Service vouchers"),
    ],
    "talent": [
        ("talent:course_list", "", "技能培训课程", "Training courses"),
        ("services:catalogue", "?category=training", "培训服务", "Training services"),
    ],
    "public_service": [("stats:rounds", "", "统计填报轮次", "Reporting rounds")],
    "market": [
        ("services:catalogue", "?category=ecommerce", "电商运营服务", "E-commerce services"),
        ("chain:event_list", "", "产业链对接活动", "Chain docking events"),
    ],
}


def advice_links(dimension: str, cluster: Cluster) -> list[dict]:
    english = (get_language() or "").startswith("en")
    links = []
    for name, query, zh, en in ADVICE_LINKS.get(dimension, []):
        try:
            url = reverse(
                name, kwargs={"slug": cluster.slug} if name == "chain:cluster_chain" else None
            )
        except NoReverseMatch:
            continue
        links.append({"url": url + query, "label": en if english else zh})
    return links


def feedback(result: AssessmentResult) -> dict:
    """A cluster's result read against the medians: every dimension with its gap, weakest first,
    with what to do and where in Weft to do it."""
    run = result.run
    english = (get_language() or "").startswith("en")
    rows = []
    for dim, score in result.dimensions.items():
        med = run.medians.get(dim)
        names = DIMENSIONS.get(dim, (dim, dim, "", ""))
        rows.append(
            {
                "code": dim,
                "name": names[1] if english else names[0],
                "score": score,
                "median": med,
                "gap": None if med is None else round(score - med, 2),
                "below": med is not None and score < med,
                "advice": names[3] if english else names[2],
                "links": advice_links(dim, result.cluster),
            }
        )
    rows.sort(key=lambda r: (r["gap"] is None, r["gap"] if r["gap"] is not None else 0))
    return {
        "dimensions": rows,
        "weakest": [r for r in rows if r["below"]][:2],
        "text": result.feedback_en if english else result.feedback_zh,
        "radar": {
            "indicators": [{"name": r["name"], "max": 100} for r in rows],
            "cluster": [r["score"] for r in rows],
            "median": [r["median"] for r in rows],
        },
    }


def cluster_history(cluster: Cluster, user) -> list[AssessmentResult]:
    """This cluster's results in the runs the user may see, newest first."""
    qs = AssessmentResult.objects.filter(cluster=cluster).select_related("run__scheme")
    if not can(user, "stats.manage_assessment"):
        qs = qs.filter(run__status=AssessmentRun.Status.PUBLISHED)
    return list(qs.order_by("-run__year", "-run__run_at"))
