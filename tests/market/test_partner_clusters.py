"""Partner clusters: clusters whose firms met at a docking event score between own and stranger."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone, translation

from weft.chain.models import DockingEvent, DockingSlot, Meeting, MeetingOutcome, Registration
from weft.market import firm_index, matching, partners, services
from weft.registry.models import Cluster

from .conftest import KEQIAO, firm_with_admin, offer_data, post_open

pytestmark = pytest.mark.django_db


def meet(first, second, *, host, days_ago=10, status=Meeting.Status.ACCEPTED, contact=None):
    """A docking event `days_ago` (negative: to come) where firms `first` and `second` met."""
    starts = timezone.localdate() - datetime.timedelta(days=days_ago)
    event = DockingEvent.objects.create(
        host=host,
        title_zh=f"{host.name_zh}面料对接会{starts:%m%d}",
        title_en=f"{host.name_en} fabric docking {starts:%m-%d}",
        place="会展中心",
        starts_on=starts,
        ends_on=starts,
    )
    at = timezone.make_aware(datetime.datetime.combine(starts, datetime.time(9)))
    slot = DockingSlot.objects.create(
        event=event, starts_at=at, ends_at=at + datetime.timedelta(minutes=30)
    )
    r1 = Registration.objects.create(event=event, enterprise=first)
    r2 = Registration.objects.create(event=event, enterprise=second)
    meeting = Meeting.objects.create(
        event=event, first=r1, second=r2, slot=slot, table=1, score=1.0, status=status
    )
    if contact is not None:
        MeetingOutcome.objects.create(meeting=meeting, contact_made=contact)
    return event


@pytest.fixture
def pair(market):
    """Two weaving firms alike in all but their cluster, both far from the Humen buyer."""
    others = list(
        Cluster.objects.exclude(pk__in=[market.world.humen.pk, market.world.keqiao.pk]).order_by(
            "pk"
        )[:2]
    )
    stranger, _o, stranger_admin = firm_with_admin(
        "绍兴某某织造有限公司", others[0], loc=KEQIAO, products="棉布"
    )
    partner, _o, partner_admin = firm_with_admin(
        "绍兴伙伴织造有限公司", others[1], loc=KEQIAO, products="棉布"
    )
    return {
        "stranger": (stranger, stranger_admin, others[0]),
        "partner": (partner, partner_admin, others[1]),
    }


def _agree(demand, got):
    """The hand-written statements, the ORM expression, the index and the naive scan agree."""
    ctx = matching.Context.of(demand)
    sql, params = matching.match_sql(demand, ctx, 20)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        offers = cursor.fetchall()
    annotated = {
        o.pk: o.score
        for o in matching.candidate_offers(demand, ctx).annotate(
            score=matching.score_expression(ctx)
        )
    }
    by_key = {m.key: m for m in got}
    for pk, score in offers:
        assert score == pytest.approx(by_key["offer", pk].score, abs=1e-9)
        assert annotated[pk] == pytest.approx(score, abs=1e-9)
    sql, params = matching.firm_sql(demand, ctx, 20)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        firms = cursor.fetchall()
    for pk, score in firms:
        assert score == pytest.approx(by_key["firm", pk].score, abs=1e-9)
    indexed = [(row.enterprise_id, s) for s, row, _p in firm_index.top_firms(demand, ctx, 20)]
    assert [pk for pk, _s in indexed] == [pk for pk, _s in firms]
    assert [k for _s, k in matching.naive_matches(demand)] == [m.key for m in got]


def test_partner_cluster_offer_outranks_an_equal_stranger(market, pair):
    stranger, stranger_admin, _c = pair["stranger"]
    partner, partner_admin, partner_cluster = pair["partner"]
    # Created first: with nothing else between them the stranger wins the tie on id.
    o_stranger = services.post_offer(user=stranger_admin, data=offer_data())
    o_partner = services.post_offer(user=partner_admin, data=offer_data())
    o_own = services.post_offer(user=market.humen_mill_admin, data=offer_data())
    demand = post_open(market.buyer_admin)
    before = [m.offer.pk for m in matching.matches_for_demand(demand)]
    assert before.index(o_stranger.pk) < before.index(o_partner.pk)

    # The buyer met the partner firm at a docking event last week, hosted by Keqiao.
    event = meet(market.buyer, partner, host=market.world.keqiao)
    with translation.override("en"):
        got = matching.matches_for_demand(demand)
    keys = [m.key for m in got]
    assert keys.index(("offer", o_partner.pk)) < keys.index(("offer", o_stranger.pk))
    p = next(m for m in got if m.key == ("offer", o_partner.pk))
    s = next(m for m in got if m.key == ("offer", o_stranger.pk))
    assert p.parts["cluster"] == matching.CLUSTER_PARTNER and s.parts["cluster"] == 0.0
    assert p.score - s.score == pytest.approx(
        matching.CLUSTER_PARTNER * matching.WEIGHTS["cluster"]
    )
    assert f"in a partner cluster (met at {event.title_en})" in p.reasons
    assert not any("partner" in r for r in s.reasons)
    with translation.override("zh-hans"):
        zh = matching.matches_for_demand(demand)
    p_zh = next(m for m in zh if m.key == ("offer", o_partner.pk))
    assert f"合作集群（在{event.title_zh}结识）" in p_zh.reasons
    _agree(demand, got)
    # The buyer's own cluster still beats a partner cluster.
    assert keys.index(("offer", o_own.pk)) < keys.index(("offer", o_partner.pk))
    assert got[keys.index(("offer", o_own.pk))].parts["cluster"] == matching.CLUSTER_OWN
    assert partner_cluster.pk not in {c.pk for c in demand.clusters.all()}


def test_partner_cluster_firm_without_offer_outranks_an_equal_stranger(market, pair):
    """The in-memory firm index with its bound, the firm statement and the naive scan agree."""
    stranger, partner = pair["stranger"][0], pair["partner"][0]
    services.refresh_capabilities([stranger.pk, partner.pk])
    demand = post_open(market.buyer_admin)
    firms = [m.supplier_id for m in matching.matches_for_demand(demand) if m.offer is None]
    assert firms.index(stranger.pk) < firms.index(partner.pk)
    meet(
        partner, market.buyer, host=market.world.humen, status=Meeting.Status.PROPOSED, contact=True
    )
    got = matching.matches_for_demand(demand)  # the index's arrays hold no partner data
    firms = [m.supplier_id for m in got if m.offer is None]
    assert firms.index(partner.pk) < firms.index(stranger.pk)
    _agree(demand, got)
    # Only the cluster part differs between the two, by the partner share of its weight.
    p = next(m for m in got if m.supplier_id == partner.pk)
    s = next(m for m in got if m.supplier_id == stranger.pk)
    assert p.score - s.score == pytest.approx(
        matching.CLUSTER_PARTNER * matching.WEIGHTS["cluster"]
    )


def test_which_meetings_make_partners(market, pair):
    """Declined, or proposed for an event to come, or met without contact: no partners."""
    partner, p_cluster = pair["partner"][0], pair["partner"][2]
    stranger, s_cluster = pair["stranger"][0], pair["stranger"][2]
    humen = market.world.humen.pk
    today = timezone.localdate()
    meet(market.buyer, partner, host=market.world.humen, status=Meeting.Status.DECLINED)
    meet(market.buyer, partner, host=market.world.humen, days_ago=-5)  # accepted, still to come
    meet(market.buyer, stranger, host=market.world.humen, status=Meeting.Status.PROPOSED)
    meet(
        stranger,
        market.buyer,
        host=market.world.humen,
        status=Meeting.Status.PROPOSED,
        contact=False,
    )
    assert partners.partner_edges([humen], today) == {}
    # Contact recorded after a proposed meeting, and the event's title is the latest one.
    meet(
        market.buyer,
        stranger,
        host=market.world.humen,
        status=Meeting.Status.PROPOSED,
        contact=True,
    )
    latest = meet(market.buyer, stranger, host=market.world.keqiao, days_ago=2)
    edges = partners.partner_edges([humen], today)
    assert set(edges[humen]) == {s_cluster.pk}
    assert edges[humen][s_cluster.pk].event_id == latest.pk
    # Symmetric: the stranger's cluster sees Humen as its partner; Keqiao has none.
    assert set(partners.partner_edges([s_cluster.pk], today)[s_cluster.pk]) == {humen}
    assert partners.partner_edges([market.world.keqiao.pk], today) == {}
    # A buyer's own clusters are never its partners.
    assert partners.partners_of([humen, s_cluster.pk], edges) == {}
    assert p_cluster.pk not in edges[humen]


def test_partner_cluster_in_the_reverse_matches(market, pair):
    """An offer's list of demands scores a partner-cluster demand the same way."""
    partner, partner_admin, _c = pair["partner"]
    offer = services.post_offer(user=partner_admin, data=offer_data())
    demand = post_open(market.buyer_admin)
    meet(market.buyer, partner, host=market.world.keqiao)
    with translation.override("en"):
        got = matching.matches_for_offer(offer, partner_admin)
    found = next(m for m in got if m.demand.pk == demand.pk)
    assert found.parts["cluster"] == matching.CLUSTER_PARTNER
    assert any(r.startswith("in a partner cluster (met at ") for r in found.reasons)
    ctx = matching.Context.of(demand)
    assert found.score == pytest.approx(matching.total(matching.score_parts(ctx, offer)))


def test_index_bound_stays_exact_when_cluster_bits_coincide(market, pair):
    """A cluster whose id shares its bit with a partner's (ids 64 apart) gets the partner part in
    the index's bound but not in its exact score: the pruned top k still equals the naive one."""
    partner, partner_cluster = pair["partner"][0], pair["partner"][2]
    lookalike_cluster = Cluster.objects.create(
        pk=partner_cluster.pk + 64,
        slug="lookalike",
        name_zh="同位集群",
        name_en="Look-alike cluster",
        province="浙江省",
        prefecture="绍兴市",
        adcode="330603",
        latitude=KEQIAO["latitude"],
        longitude=KEQIAO["longitude"],
        specialty_zh="面料",
        specialty_en="fabric",
    )
    assert firm_index.cluster_bits([f" c:{lookalike_cluster.pk} "]) == firm_index.cluster_bits(
        [f" c:{partner_cluster.pk} "]
    )
    # One green certificate: a better exact score than the stranger's, a worse one than the
    # partner's (green 1/3 × 0.10 < partner 0.7 × 0.15), yet the best bound of all.
    lookalike, _o, _a = firm_with_admin(
        "绍兴同位织造有限公司", lookalike_cluster, loc=KEQIAO, products="棉布", certs=("grs",)
    )
    stranger = pair["stranger"][0]
    services.refresh_capabilities([stranger.pk, partner.pk, lookalike.pk])
    meet(market.buyer, partner, host=market.world.keqiao)
    demand = post_open(market.buyer_admin)
    ctx = matching.Context.of(demand)
    for limit in (1, 2, 3):
        indexed = [row.enterprise_id for _s, row, _p in firm_index.top_firms(demand, ctx, limit)]
        naive = [k[1] for _s, k in matching.naive_matches(demand, limit=20) if k[0] == "firm"]
        assert indexed == naive[:limit], limit
    assert naive[:3] == [partner.pk, lookalike.pk, stranger.pk]
