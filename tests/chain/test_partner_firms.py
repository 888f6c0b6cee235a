"""The firm partner query over StageFirm: what the recompute copies, and what one query finds."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weft.chain.models import StageFirm
from weft.chain.partners import recommend_firms
from weft.chain.services import recompute_profiles
from weft.registry.models import Certification, ClusterMembership

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


def _weaver(world, name, employees, *, lat=None, lon=None, certs=(), cluster=None, **extra):
    firm = make_enterprise(
        name_zh=name,
        cluster=cluster or world.keqiao,
        stages=("weaving",),
        employees=employees,
        adcode="330603",
        province="浙江省",
        latitude=lat,
        longitude=lon,
        **extra,
    )
    for code in certs:
        firm.certifications.add(Certification.objects.get(code=code))
    return firm


def test_recompute_copies_each_approved_member_per_stage(world, links):
    both = make_enterprise(
        name_zh="柯桥织染一体有限公司",
        cluster=world.keqiao,
        stages=("weaving", "dyeing_finishing"),
        employees=90,
        capacity_quantity=Decimal("1000"),
        capacity_unit="metres",
        capacity_period="month",
    )
    both.certifications.add(*Certification.objects.filter(code__in=["oeko_tex_100", "gots"]))
    pending = make_enterprise(name_zh="柯桥待审纺织有限公司", stages=("weaving",))
    ClusterMembership.objects.create(
        enterprise=pending, cluster=world.keqiao, status=ClusterMembership.Status.PENDING
    )
    recompute_profiles()
    rows = {r.stage.code: r for r in StageFirm.objects.filter(enterprise=both)}
    assert set(rows) == {"weaving", "dyeing_finishing"}
    assert rows["weaving"].cluster_id == world.keqiao.pk and rows["weaving"].employees == 90
    assert sorted(rows["weaving"].certifications.strip(",").split(",")) == ["gots", "oeko_tex_100"]
    # A month's metres are a year's worth ×12 where metres are the stage's unit.
    units = {code: r.stage.capacity_unit for code, r in rows.items()}
    for code, row in rows.items():
        expected = Decimal("12000") if units[code] == "metres" else None
        assert row.capacity_per_year == expected, code
    assert not StageFirm.objects.filter(enterprise=pending).exists()
    # The next recompute replaces the copy: a firm that left is gone.
    ClusterMembership.objects.filter(enterprise=both).delete()
    recompute_profiles()
    assert not StageFirm.objects.filter(enterprise=both).exists()


def test_firm_query_is_one_statement_over_candidate_clusters(world, links):
    for i in range(3):
        make_enterprise(name_zh=f"虎门制衣{i}有限公司", cluster=world.humen, employees=200)
    _weaver(world, "柯桥大纺织有限公司", 900, certs=["oeko_tex_100"])
    _weaver(world, "柯桥小纺织有限公司", 40, certs=["oeko_tex_100"])
    _weaver(world, "柯桥无证纺织有限公司", 2000)
    # "oeko_tex_100" must match as a whole code: "_" is no wildcard here.
    _weaver(world, "柯桥近似纺织有限公司", 3000, certs=["oeko_tex_step"])
    recompute_profiles()
    with CaptureQueriesContext(connection) as ctx:
        found = recommend_firms(stage="weaving", near=world.humen, certifications=["oeko_tex_100"])
    assert [m.enterprise.name_zh for m in found] == ["柯桥大纺织有限公司", "柯桥小纺织有限公司"]
    assert "holds oeko_tex_100" in found[0].reason_en
    reads = [q["sql"] for q in ctx.captured_queries if "chain_stagefirm" in q["sql"]]
    assert len(reads) == 1 and "UNION ALL" in reads[0]


def test_distance_is_each_firms_own_point(world, links):
    make_enterprise(name_zh="虎门制衣有限公司", cluster=world.humen, employees=200)
    klat, klon = float(world.keqiao.latitude), float(world.keqiao.longitude)
    # Two Keqiao weavers: one at the cluster's point, one registered there but 2° further north.
    _weaver(world, "柯桥本地纺织有限公司", 100, lat=klat, lon=klon)
    _weaver(world, "柯桥北迁纺织有限公司", 5000, lat=klat + 2, lon=klon)
    recompute_profiles()
    everywhere = recommend_firms(stage="weaving", near=world.humen)
    by_name = {m.enterprise.name_zh: m.km for m in everywhere}
    assert by_name["柯桥北迁纺织有限公司"] > by_name["柯桥本地纺织有限公司"] + 150
    cluster_km = by_name["柯桥本地纺织有限公司"]
    # Keqiao's point is in range, its northern firm is not: the firm's own point decides.
    near = recommend_firms(stage="weaving", near=world.humen, max_km=cluster_km + 50)
    names = [m.enterprise.name_zh for m in near]
    assert "柯桥本地纺织有限公司" in names and "柯桥北迁纺织有限公司" not in names
