"""The demo generator and demo setup: synthetic firms that look right where a reader would look."""

import math
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from weft.accounts.models import Membership, Organisation, User
from weft.audit.models import AuditRecord
from weft.registry.demo import vocabulary
from weft.registry.demo.accounts import DEMO_PASSWORD, LOGINS
from weft.registry.demo.generator import (
    FirmMaker,
    allocate,
    cluster_plans,
    delete_demo_enterprises,
    firm_stream,
    generate,
)
from weft.registry.geocoding import geocode_many
from weft.registry.identifiers import validate_uscc
from weft.registry.models import Cluster, ClusterMembership, Enterprise
from weft.registry.naming import match_key, sort_key
from weft.registry.selectors import EnterpriseFilters, enterprise_directory
from weft.registry.taxonomy import load_clusters, stage_data

pytestmark = pytest.mark.django_db

N = 480
SEED = 7
MILLS = {"weaving", "knitting", "spinning", "dyeing_finishing"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """N demo firms generated once for the module, removed afterwards."""
    with django_db_blocker.unblock():
        had_clusters = Cluster.objects.exists()
        last_audit = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        load_clusters()
        result = generate(N, SEED, batch_size=200, progress=False)
        firms = list(
            Enterprise.objects.filter(is_demo=True)
            .order_by("id")
            .prefetch_related("stages", "industry_codes", "certifications", "cluster_memberships")
        )
        result.last_audit_before = last_audit
        yield result, firms
        delete_demo_enterprises()
        AuditRecord.objects.filter(id__gt=last_audit).delete()
        if not had_clusters:
            Cluster.objects.all().delete()


def _cluster_of(firm):
    return firm.cluster_memberships.all()[0].cluster_id


@pytest.fixture
def by_slug(db, demo):
    return {c.slug: c for c in Cluster.objects.prefetch_related("stages")}


def _firms_in(firms, cluster):
    return [f for f in firms if _cluster_of(f) == cluster.pk]


def test_generates_the_number_asked_all_flagged_demo_with_one_approved_cluster(demo, db):
    result, firms = demo
    assert result.created == len(firms) == N
    assert Enterprise.objects.filter(is_demo=True, source=Enterprise.Source.DEMO).count() == N
    for firm in firms:
        memberships = firm.cluster_memberships.all()
        assert [m.status for m in memberships] == [ClusterMembership.Status.APPROVED]
    # One audit record sums up the run instead of one per firm.
    record = AuditRecord.objects.filter(
        reason__contains="generate_demo", id__gt=result.last_audit_before
    ).get()
    assert record.actor is None and record.after["demo_enterprises"] == N


def test_every_uscc_is_valid_unique_and_registered_in_the_clusters_county(demo, by_slug):
    _, firms = demo
    adcodes = {c.pk: c.adcode for c in by_slug.values()}
    assert len({f.uscc for f in firms}) == N
    for firm in firms:
        result = validate_uscc(firm.uscc)
        assert result.valid, (firm.uscc, result.errors)
        assert firm.uscc[2:8] == firm.adcode == adcodes[_cluster_of(firm)]
        # Individual businesses (个体工商户) are type 2 of market regulation, companies type 1.
        assert firm.uscc[:2] == ("92" if firm.legal_form == "individual" else "91")


def test_addresses_geocode_to_the_stored_county(demo, by_slug):
    _, firms = demo
    sample = firms[::8]
    places = geocode_many([f.address for f in sample])
    for firm, place in zip(sample, places, strict=True):
        assert place.adcode == firm.adcode, firm.address
        assert firm.geocode_precision == place.precision
    # Tianmen is its own prefecture: its name appears once in an address.
    tianmen = _firms_in(firms, by_slug["tianmen"])
    assert tianmen and all("天门市天门市" not in f.address for f in tianmen)


def test_coordinates_are_within_five_km_of_the_cluster(demo, by_slug):
    _, firms = demo
    clusters = {c.pk: c for c in by_slug.values()}
    for firm in firms:
        c = clusters[_cluster_of(firm)]
        dy = (float(firm.latitude) - float(c.latitude)) * 111.0
        dx = (
            (float(firm.longitude) - float(c.longitude))
            * 111.0
            * math.cos(math.radians(float(c.latitude)))
        )
        assert math.hypot(dx, dy) <= 5.0


def test_every_road_geocodes_to_every_clusters_county(by_slug):
    """Road names must not contain a place name that would pull an address elsewhere."""
    plans = cluster_plans(by_slug.values())
    addresses, expected = [], []
    for plan in plans:
        for road in vocabulary.ROADS:
            addresses.append(f"{plan.address_prefix}{road}18号")
            expected.append(plan.adcode)
    got = [p.adcode for p in geocode_many(addresses)]
    wrong = [a for a, e, g in zip(addresses, expected, got, strict=True) if e != g]
    assert wrong == []


def test_firms_spread_over_clusters_by_size(demo, by_slug):
    _, firms = demo
    per_cluster = {c.slug: len(_firms_in(firms, c)) for c in by_slug.values()}
    assert per_cluster["zhili"] > per_cluster["keqiao"] > per_cluster["gaoqing"]
    assert per_cluster["zhili"] >= 5 * per_cluster["gaoqing"]
    assert min(per_cluster.values()) >= 1  # with enough firms, no cluster is left empty


def test_allocation_is_proportional_and_exact():
    assert allocate(3, [1, 2]) == [1, 2]
    assert allocate(1000, [1, 3]) == [251, 749]  # one each first, then 998 split 1:3
    assert sum(allocate(997, [5, 7, 11, 13])) == 997
    assert allocate(3, [1, 1, 1, 1000]) == [0, 0, 0, 3]  # too few firms for one per cluster
    assert allocate(0, [1, 2]) == [0, 0]


def test_stages_come_from_the_cluster_mostly_its_primary_ones(demo, by_slug):
    _, firms = demo
    clusters = {c.pk: c for c in by_slug.values()}
    primary_count = 0
    stage_codes = {s["code"]: set(s["industry_codes"]) for s in stage_data()}
    for firm in firms:
        cluster = clusters[_cluster_of(firm)]
        stages = {s.code for s in firm.stages.all()}
        assert stages and stages <= {s.code for s in cluster.stages.all()}
        primary_count += bool(stages & set(cluster.primary_stages))
        # Industry codes belong to the firm's stages.
        allowed = set().union(*(stage_codes[s] for s in stages))
        assert {i.code for i in firm.industry_codes.all()} <= allowed
    assert primary_count > 0.6 * N


def test_dalian_has_no_mills_and_xiping_no_trims(demo, by_slug):
    _, firms = demo
    dalian, xiping = by_slug["dalian"], by_slug["xiping"]
    assert not {s.code for s in dalian.stages.all()} & MILLS
    for firm in _firms_in(firms, dalian):
        assert not {s.code for s in firm.stages.all()} & MILLS
    for firm in _firms_in(firms, xiping):
        assert "accessories" not in {s.code for s in firm.stages.all()}
    # Many more draws than the database sample, without writing them.
    plans = {p.slug: p for p in cluster_plans(by_slug.values())}
    maker = FirmMaker(99)
    for _ in range(800):
        assert not set(maker.make(plans["dalian"]).stages) & MILLS
        assert "accessories" not in maker.make(plans["xiping"]).stages


def test_names_unique_plausible_and_sorted_by_pinyin(demo):
    _, firms = demo
    assert len({f.name_zh for f in firms}) == N
    suffixes = {
        "limited": ("有限公司", "有限责任公司"),
        "joint_stock": ("股份有限公司",),
        "sole_proprietorship": ("厂",),
        "individual": ("经营部", "商行", "工作室"),
    }
    for firm in firms:
        assert firm.name_zh.endswith(suffixes[firm.legal_form]), firm.name_zh
        assert firm.name_sort == sort_key(firm.name_zh)
        assert firm.match_key == match_key(firm.name_zh, firm.adcode) != ""
        assert firm.name_en and firm.name_en.isascii()
        assert firm.search_text and firm.search_tokens


def test_name_clashes_get_a_disambiguator(by_slug):
    plans = cluster_plans([by_slug["gaoqing"]])
    maker = FirmMaker(3)
    names = [maker.make(plans[0]).enterprise.name_zh for _ in range(3000)]
    assert len(set(names)) == len(names)


def test_size_is_skewed_to_small_firms_and_fields_are_filled(demo):
    _, firms = demo
    bands = [f.size_band for f in firms]
    assert bands.count("micro") + bands.count("small") > 0.85 * N
    assert bands.count("large") < 0.03 * N
    assert all(1980 <= f.founded_year <= 2024 for f in firms)
    assert all(f.main_products and f.contact_name and f.contact_phone for f in firms)
    visibilities = {v for f in firms for v in f.contact_visibility.values()}
    assert visibilities == {"public", "registered", "private"}
    with_capacity = [f for f in firms if f.capacity_quantity is not None]
    assert with_capacity and all(f.capacity_unit and f.capacity_period for f in with_capacity)
    assert any(f.ecommerce_channels for f in firms)
    assert any(f.certifications.all() for f in firms)
    humen_phone = [f.contact_phone for f in firms if f.city == "东莞市"]
    assert humen_phone and all(p.startswith("0769-") for p in humen_phone)


def test_directory_search_finds_humen_firms_by_town(demo, by_slug):
    _, firms = demo
    humen = {f.pk for f in _firms_in(firms, by_slug["humen"])}
    found = set(enterprise_directory(EnterpriseFilters(q="虎门")).values_list("pk", flat=True))
    assert found == humen and humen
    weaving_in_keqiao = {
        f.pk
        for f in _firms_in(firms, by_slug["keqiao"])
        if "weaving" in {s.code for s in f.stages.all()}
    }
    faceted = enterprise_directory(
        EnterpriseFilters(cluster=by_slug["keqiao"].pk, stage="weaving")
    ).values_list("pk", flat=True)
    assert set(faceted) == weaving_in_keqiao


def test_same_seed_same_firms(demo, by_slug):
    _, firms = demo
    plans = cluster_plans(Cluster.objects.prefetch_related("stages"))
    again = list(firm_stream(plans, N, FirmMaker(SEED)))
    assert [(f.enterprise.name_zh, f.enterprise.uscc, f.enterprise.address) for f in again] == [
        (f.name_zh, f.uscc, f.address) for f in firms
    ]
    other = [f.enterprise.name_zh for f in firm_stream(plans, 50, FirmMaker(SEED + 1))]
    assert other != [f.name_zh for f in firms[:50]]


def test_generate_demo_command_replaces_and_rejects_bad_input(demo, db):
    out, err = StringIO(), StringIO()
    call_command(
        "generate_demo",
        "--enterprises",
        "40",
        "--seed",
        "3",
        "--replace",
        "--no-progress",
        stdout=out,
        stderr=err,
    )
    assert Enterprise.objects.filter(is_demo=True).count() == 40
    assert "Generated 40 demo enterprises" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate_demo", "--enterprises", "-5", stdout=out)
    with pytest.raises(CommandError):
        call_command("generate_demo", "--enterprises", "5", "--batch", "0", stdout=out)


def _counts():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        Enterprise.objects.count(),
        ClusterMembership.objects.count(),
    )


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_setup_demo_is_idempotent_and_gives_each_login_its_place(demo, db, fast_hasher):
    delete_demo_enterprises()  # start as a fresh database would (rolled back after the test)
    call_command("setup_demo", "--enterprises", "150", stdout=StringIO(), stderr=StringIO())
    first = _counts()
    call_command("setup_demo", "--enterprises", "150", stdout=StringIO(), stderr=StringIO())
    assert _counts() == first
    assert Enterprise.objects.filter(is_demo=True, source=Enterprise.Source.DEMO).count() == 150

    for login in LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(DEMO_PASSWORD)
        membership = Membership.objects.get(user=user)
        assert membership.role == login.membership_role and membership.organisation.is_demo
    role = {
        m.user.username: m.organisation for m in Membership.objects.select_related("organisation")
    }
    assert role["operator"].kind == Organisation.Kind.OPERATOR
    assert role["provider_lab"].kind == Organisation.Kind.SERVICE_PROVIDER
    clusters = {c.slug: c for c in Cluster.objects.all()}
    assert all(c.office_id for c in clusters.values())
    assert role["office_humen"].pk == clusters["humen"].office_id
    assert role["office_keqiao"].pk == clusters["keqiao"].office_id

    humen_firm = role["firm_humen"].enterprise
    assert humen_firm.is_demo and humen_firm.stages.filter(code="garment_making").exists()
    assert humen_firm.cluster_memberships.get().cluster.slug == "humen"
    keqiao_firm = role["firm_keqiao"].enterprise
    assert keqiao_firm.stages.filter(code="weaving").exists()
    assert keqiao_firm.cluster_memberships.get().cluster.slug == "keqiao"
    pending = ClusterMembership.objects.get(status=ClusterMembership.Status.PENDING)
    assert (
        pending.cluster.slug == "humen" and pending.enterprise == role["firm_applicant"].enterprise
    )


def test_demo_logins_prints_every_login(demo, db, fast_hasher):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "setup_demo" in out.getvalue()  # nothing set up yet: says how
    call_command("setup_demo", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for login in LOGINS:
        assert login.username in text
    assert DEMO_PASSWORD in text and "虎门女装产业集群管理办公室" in text and "http://" in text
