"""Profiles and gaps from registry figures; the graph is data: editing it changes the diagnosis."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from weft.audit.models import AuditRecord
from weft.chain.models import ChainGap, RecomputeRun, StageLink, StageProfile
from weft.chain.services import declare_gap, recompute_profiles, withdraw_gap
from weft.chain.tasks import recompute_chain

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def humen_garments(world, links):
    make_enterprise(
        name_zh="虎门产能制衣有限公司",
        cluster=world.humen,
        employees=300,
        capacity_quantity=Decimal("50000"),
        capacity_unit="pieces",
        capacity_period="month",
    )
    make_enterprise(
        name_zh="虎门周产能制衣有限公司",
        cluster=world.humen,
        employees=100,
        capacity_quantity=Decimal("1000"),
        capacity_unit="pieces",
        capacity_period="week",
    )
    # Capacity in another unit than the stage's does not count as garment capacity.
    make_enterprise(
        name_zh="虎门吨位制衣有限公司",
        cluster=world.humen,
        employees=100,
        capacity_quantity=Decimal("7"),
        capacity_unit="tonnes",
        capacity_period="year",
    )
    # Suppliers elsewhere set the national norm that Humen is measured against.
    for stage in ("accessories", "printing"):
        make_enterprise(
            name_zh=f"柯桥{stage}有限公司",
            cluster=world.keqiao,
            stages=(stage,),
            employees=80,
            adcode="330603",
            province="浙江省",
        )
    return world


def test_profile_sums_firms_employees_and_yearly_capacity(humen_garments):
    w = humen_garments
    recompute_profiles()
    p = StageProfile.objects.get(cluster=w.humen, stage__code="garment_making")
    assert p.firms == 4  # the world fixture's firm too
    assert p.employees == 550
    assert p.capacity_per_year == Decimal("650000")  # 50,000 × 12 + 1,000 × 50
    assert p.capacity_unit == "pieces"
    assert p.level == "strong"
    assert p.share_firms == 1.0
    weaving = StageProfile.objects.get(cluster=w.keqiao, stage__code="weaving")
    assert weaving.firms == 1 and weaving.share_firms == 1.0
    run = RecomputeRun.objects.first()
    assert run.status == "done" and run.profiles == StageProfile.objects.count()


def test_gap_evidence_names_capacity(humen_garments):
    recompute_profiles()
    gap = ChainGap.objects.get(cluster=humen_garments.humen, group="fabric")
    assert "capacity 650,000 pieces a year" in gap.evidence_en
    assert "年产能65.0万件" in gap.evidence_zh


def test_editing_the_graph_changes_the_diagnosis(humen_garments):
    recompute_profiles()
    assert ChainGap.objects.filter(cluster=humen_garments.humen, group="accessories").exists()
    StageLink.objects.filter(supplier__code="accessories", consumer__code="garment_making").delete()
    link = StageLink.objects.get(supplier__code="printing", consumer__code="garment_making")
    link.weight = Decimal("0.90")
    link.save()
    recompute_profiles()
    gaps = {g.group: g for g in ChainGap.objects.filter(cluster=humen_garments.humen)}
    assert "accessories" not in gaps
    assert gaps["printing"].severity == pytest.approx(0.9)


def test_a_local_supplier_closes_the_gap(humen_garments):
    w = humen_garments
    make_enterprise(
        name_zh="虎门本地针织有限公司", cluster=w.humen, stages=("knitting",), employees=900
    )
    recompute_profiles()
    assert not ChainGap.objects.filter(cluster=w.humen, group="fabric").exists()


def test_recompute_runs_as_a_background_task(humen_garments, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = recompute_chain.enqueue()
    assert result.return_value["profiles"] == StageProfile.objects.count() > 0


def test_declared_gap_is_checked_and_audited(humen_garments):
    w = humen_garments
    with pytest.raises(PermissionDenied):
        declare_gap(w.keqiao_office, w.humen, stage="accessories", note="x")
    with pytest.raises(ValidationError) as err:
        declare_gap(w.humen_office, w.humen, stage="accessories", note="x", quantity=Decimal(5))
    assert "quantity_unit" in err.value.message_dict
    with pytest.raises(ValidationError):
        declare_gap(w.humen_office, w.humen, stage="accessories", note="  ")
    with pytest.raises(ValidationError):
        declare_gap(w.humen_office, w.humen, stage="accessories", note="x", certifications=["nope"])
    assert not ChainGap.objects.filter(source="declared").exists()
    gap = declare_gap(
        w.humen_office, w.humen, stage="accessories", note="拉链", certifications=["oeko_tex_100"]
    )
    assert gap.required_certifications == ["oeko_tex_100"]
    computed = ChainGap.objects.filter(source="computed").first() or gap
    if computed.source == "computed":
        with pytest.raises(ValidationError):
            withdraw_gap(w.humen_office, computed)
    withdraw_gap(w.humen_office, gap)
    assert AuditRecord.objects.filter(object_type="chain.chaingap", action="delete").exists()


def test_a_design_talent_shortage_becomes_a_design_gap(humen_garments):
    from ..talent.conftest import make_job, make_profile

    w = humen_garments
    recompute_profiles()
    assert not ChainGap.objects.filter(cluster=w.humen, group="design").exists()
    make_job(w.firm, w.humen, openings=6)
    make_profile(w.firm_member, cluster=w.humen)  # one designer for six posts
    recompute_profiles()
    gap = ChainGap.objects.get(cluster=w.humen, group="design", source="computed")
    assert gap.level == "weak"
    assert gap.severity == pytest.approx(0.6 * (1 - 1 / 6), abs=1e-4)  # link weight × shortfall
    assert "6 designer posts open, designers available in the cluster: 1" in gap.evidence_en
    assert "6个设计师岗位在招，集群内可用设计师1人" in gap.evidence_zh


def test_a_few_open_design_posts_are_no_gap(humen_garments):
    from ..talent.conftest import make_job, make_profile

    w = humen_garments
    make_job(w.firm, w.humen, openings=2)
    make_profile(w.firm_member, cluster=w.humen)
    recompute_profiles()
    assert not ChainGap.objects.filter(cluster=w.humen, group="design").exists()


def test_reported_output_value_shows_beside_capacity(humen_garments):
    """The stage profile carries the output value the cluster's firms reported to statistics."""
    from weft.stats import services as stats

    w = humen_garments
    y2025 = stats.period_for("year", 2025)
    second = make_enterprise(name_zh="东莞市虎门镇产值服饰有限公司", cluster=w.humen)
    stats.submit_figures(w.firm_member, w.firm, y2025, {"output_value": "1200000.00"})
    stats.submit_figures(w.humen_office, second, y2025, {"output_value": "300000.50"})
    recompute_profiles()
    garments = StageProfile.objects.get(cluster=w.humen, stage__code="garment_making")
    assert garments.output_per_year == Decimal("1500000.50")
    # Stages no Humen firm reported for show no output, not zero.
    assert StageProfile.objects.get(cluster=w.keqiao, stage__code="weaving").output_per_year is None


def test_no_statistics_source_means_no_output(humen_garments, settings):
    settings.WEFT_STAGE_OUTPUT = ""
    recompute_profiles()
    assert not StageProfile.objects.exclude(output_per_year=None).exists()


def test_recompute_command_for_cron(humen_garments):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("recompute_chain", stdout=out)
    run = RecomputeRun.objects.get()
    assert f"{run.profiles:,} stage profiles" in out.getvalue() and run.profiles > 0
    assert StageProfile.objects.filter(cluster=humen_garments.humen).exists()
