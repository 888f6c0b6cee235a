"""Barometer, early warnings, the recompute task, assessment and the annual report PDF."""

import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from pypdf import PdfReader

from weft.stats import aggregation, assessment, monitoring, services
from weft.stats.models import (
    Aggregate,
    AssessmentResult,
    ClusterWarning,
    Notice,
    ObservationPoint,
    Value,
)
from weft.stats.tasks import recompute_aggregates

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


def monthly(user, firm, year, month, **figures):
    services.submit_figures(
        user,
        firm,
        services.period_for("month", year, month),
        {k: str(v) for k, v in figures.items()},
        confirmed=set(figures),
        reasons=dict.fromkeys(figures, "测试"),
    )


def test_barometer_is_the_weighted_panel_growth(world):
    ObservationPoint.objects.create(cluster=world.humen, enterprise=world.firm)
    monthly(world.firm_member, world.firm, 2024, 6, output_value=100, revenue=100)
    monthly(world.firm_member, world.firm, 2025, 6, output_value=110, revenue=80)
    rows = monitoring.barometer(world.humen, months=1)
    assert rows[0]["period"] == "2025-06"
    assert rows[0]["components"]["output_value"] == D(110)
    assert rows[0]["components"]["revenue"] == D(80)
    # Only output and revenue could be computed, weights 0.3 each: (110 + 80) / 2.
    assert rows[0]["index"] == D(95)


def test_revenue_down_three_months_running_raises_one_warning_and_tells_the_office(world):
    for month in (4, 5, 6):
        monthly(world.firm_member, world.firm, 2024, month, revenue=1000, profit=100)
        monthly(world.firm_member, world.firm, 2025, month, revenue=700, profit=70)
    raised = monitoring.evaluate_warnings(world.humen)
    codes = {w.rule.code for w in raised}
    assert "revenue_down_3m" in codes
    warning = ClusterWarning.objects.get(cluster=world.humen, rule__code="revenue_down_3m")
    assert (
        warning.period.code == "2025-06" and "下降超过 20%（最近一个月 -30%）" in warning.message_zh
    )
    assert Notice.objects.filter(organisation=world.humen.office).exists()
    # Evaluating again raises nothing new.
    assert not [
        w for w in monitoring.evaluate_warnings(world.humen) if w.rule.code == "revenue_down_3m"
    ]
    # Two months down and the third recovering: no warning for Keqiao's firm.
    for month, now in ((4, 700), (5, 700), (6, 990)):
        monthly(world.other_firm_admin, world.other_firm, 2024, month, revenue=1000)
        monthly(world.other_firm_admin, world.other_firm, 2025, month, revenue=now)
    assert not ClusterWarning.objects.filter(cluster=world.keqiao, rule__code="revenue_down_3m")


def test_acknowledging_needs_a_note_and_the_right_office(world):
    for month in (4, 5, 6):
        monthly(world.firm_member, world.firm, 2024, month, revenue=1000, profit=100)
        monthly(world.firm_member, world.firm, 2025, month, revenue=700, profit=5)
    monitoring.evaluate_warnings(world.humen)
    warning = ClusterWarning.objects.filter(cluster=world.humen).first()
    with pytest.raises(ValidationError):
        services.acknowledge_warning(world.humen_office, warning, "  ")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.acknowledge_warning(world.keqiao_office, warning, "不是我们的")
    services.acknowledge_warning(world.humen_office, warning, "已走访企业")
    warning.refresh_from_db()
    assert warning.note == "已走访企业" and warning.acknowledged_by == world.humen_office


def test_recompute_task_rebuilds_aggregates(world, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    services.submit_figures(
        world.firm_member, world.firm, services.period_for("year", 2025), {"revenue": "10"}
    )
    Aggregate.objects.update(total=D(999))  # drifted
    result = recompute_aggregates.enqueue()
    assert result.return_value["aggregates"] >= 3
    assert Aggregate.objects.get(level="nation", indicator__code="revenue").total == D(10)


def _three_clusters(world, clusters):
    """Figures for 2024 and 2025 in three clusters, three firms each."""
    extra = clusters["shengze"]
    made = {world.humen: [], world.keqiao: [], extra: []}
    for cluster in made:
        for n in range(3):
            made[cluster].append(
                make_enterprise(name_zh=f"{cluster.name_zh}评估企业{n}有限公司", cluster=cluster)
            )
    scale = {world.humen: 1, world.keqiao: 3, extra: 2}
    for cluster, firms in made.items():
        for firm in firms:
            for year, growth in ((2024, 1), (2025, 1 + scale[cluster] / 10)):
                services.submit_figures(
                    world.operator,
                    firm,
                    services.period_for("year", year),
                    {
                        "output_value": str(round(1000 * scale[cluster] * growth, 2)),
                        "revenue": str(round(900 * scale[cluster] * growth, 2)),
                        "profit": str(round(50 * growth, 2)),
                        "energy_use": str(10 * (4 - scale[cluster])),
                    },
                    confirmed={"output_value", "revenue", "profit", "energy_use"},
                    reasons=dict.fromkeys(["output_value", "revenue", "profit", "energy_use"], "t"),
                )
    return extra


def test_assessment_ranks_scores_and_freezes_when_published(world, clusters):
    _three_clusters(world, clusters)
    scheme = assessment.default_scheme()
    run = assessment.run(world.operator, scheme, 2025)
    results = list(run.results.order_by("rank"))
    assert [r.cluster.slug for r in results][
        0
    ] == "keqiao"  # largest, fastest growing, least energy
    keqiao = results[0]
    assert keqiao.dimensions["scale"] == 100 and keqiao.dimensions["green"] == 100
    humen = next(r for r in results if r.cluster_id == world.humen.pk)
    assert humen.dimensions["scale"] == 0
    # Weakest first: green (0 against a median of 77), then growth or scale (0 against 50).
    assert humen.feedback_zh.startswith("最弱维度——绿色得分 0，低于中位数 77")
    assert "Green scores 0" in humen.feedback_en
    assessment.publish(world.operator, run)
    with pytest.raises(ValidationError):
        assessment.publish(world.operator, run)
    # Running again makes a new run; the published one keeps its results.
    again = assessment.run(world.operator, scheme, 2025)
    assert again.pk != run.pk
    assert AssessmentResult.objects.filter(run=run).count() == 3
    v2 = assessment.new_version(world.operator, scheme)
    assert v2.version == 2 and v2.items.count() == scheme.items.count()


def test_annual_report_pdf_has_the_chinese_name_and_charts(world, clusters):
    _three_clusters(world, clusters)
    run = assessment.run(world.operator, assessment.default_scheme(), 2025)
    assessment.publish(world.operator, run)
    response = Client().get(f"/stats/clusters/{world.humen.slug}/report.pdf?year=2025")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert world.humen.name_zh in text and "年度统计报告" in text
    fonts, drawings = set(), 0
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
        drawings += len(resources.get("/XObject", {}))  # the SVG charts
    assert any("Noto-Sans-CJK" in f for f in fonts), fonts
    assert drawings >= 2


def test_demo_loader_is_calibrated_and_idempotent(db, clusters):
    from weft.registry.demo.accounts import setup_demo_accounts
    from weft.registry.demo.generator import generate
    from weft.stats import demo

    generate(300, 7, progress=None)
    setup_demo_accounts()
    summary = demo.load_demo()
    assert "firm figures" in summary
    pilots = [str(c.pk) for c in clusters.values() if c.is_pilot]
    for code, target in demo.PILOT_2015.items():
        total = sum(
            Value.objects.filter(
                indicator__code=code,
                period__kind="year",
                period__year=2015,
                enterprise__cluster_memberships__cluster_id__in=pilots,
            ).values_list("value", flat=True)
        )
        assert total == target, code
    count = Value.objects.count()
    assert demo.load_demo() == "" and Value.objects.count() == count
    assert ClusterWarning.objects.exists()
    aggregation.recompute()
