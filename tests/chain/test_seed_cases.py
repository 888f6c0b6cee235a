"""The seeds' round table comes out of the demo data alone: no cluster is special-cased."""

import pytest

from weft.audit.models import AuditRecord
from weft.chain.models import ChainGap, RecomputeRun, StageProfile
from weft.chain.partners import recommend_clusters
from weft.chain.services import recompute_profiles
from weft.registry.demo.generator import generate
from weft.registry.models import Cluster

pytestmark = pytest.mark.django_db

FABRIC_CLUSTERS = {"keqiao", "shengze", "xiqiao"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from weft.registry.taxonomy import load_clusters

        last_audit = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        load_clusters()
        generate(12000, seed=1, progress=False)
        recompute_profiles()
    yield
    with django_db_blocker.unblock():
        from weft.registry.demo.generator import delete_demo_enterprises

        # Committed outside any test's transaction: leave the database as the module found it.
        delete_demo_enterprises()
        ChainGap.objects.all().delete()
        StageProfile.objects.all().delete()
        RecomputeRun.objects.all().delete()
        AuditRecord.objects.filter(id__gt=last_audit).delete()


def gaps(slug):
    return list(ChainGap.objects.filter(cluster__slug=slug).order_by("-severity", "group"))


def test_dalian_top_gap_is_fabric_with_dyeing(demo):
    found = gaps("dalian")
    assert found[0].group == "fabric"
    assert set(found[0].stages) == {"weaving", "knitting"}
    assert found[0].level == "missing"
    assert "dyeing_finishing" in {g.group for g in found}
    assert "local fabric (weaving, knitting): none" in found[0].evidence_en
    assert "本地面料（织造、针织）：无" in found[0].evidence_zh


def test_dalian_fabric_partners_are_real_fabric_clusters(demo):
    dalian = Cluster.objects.get(slug="dalian")
    recs = recommend_clusters(dalian, ["weaving", "knitting"], limit=5)
    top = [r.cluster.slug for r in recs]
    assert FABRIC_CLUSTERS & set(top[:3]), top
    assert "dalian" not in top
    for r in recs:
        assert r.cluster.primary_stages and {"weaving", "knitting"} & set(
            r.cluster.stages.values_list("code", flat=True)
        )
        assert "km" in r.reason_en and "公里" in r.reason_zh
    assert recs == sorted(recs, key=lambda r: -r.score)


def test_xiping_lacks_accessories(demo):
    assert "accessories" in {g.group for g in gaps("xiping")}


def test_dalang_lacks_design(demo):
    design = [g for g in gaps("dalang") if g.group == "design"]
    assert design and design[0].level in ("weak", "missing")
    assert design[0].coverage < 0.5


def test_fabric_clusters_have_no_fabric_gap(demo):
    for slug in FABRIC_CLUSTERS:
        assert "fabric" not in {g.group for g in gaps(slug)}
