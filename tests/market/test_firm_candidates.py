"""Firms that make what a demand needs but have no open capacity offer are ranked too."""

import pytest
from django.db import connection
from django.utils import translation

from weft.market import firm_index, matching, services
from weft.market.models import SupplierCapability

from .conftest import KEQIAO, firm_with_admin, offer_data, post_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def makers(market):
    """Weaving firms around a Humen buyer's cotton demand; names say what each one is."""
    w = market.world
    firms = {
        "near": firm_with_admin("东莞市虎门镇棉布织造厂", w.humen, products="棉布、牛仔布"),
        "far_green": firm_with_admin(
            "绍兴柯桥绿色棉布厂",
            w.keqiao,
            loc=KEQIAO,
            products="棉布",
            certs=("gots", "bluesign", "grs"),
        ),
        "far": firm_with_admin(
            "绍兴柯桥普通织造厂", w.keqiao, loc=KEQIAO, products="Cotton woven fabric"
        ),
        # Not candidates: another category, another stage, and one with an open offer.
        "denim_only": firm_with_admin("东莞市虎门镇牛仔布厂", w.humen, products="牛仔布"),
        "garment": firm_with_admin(
            "东莞市虎门镇棉布服装厂", w.humen, stages=("garment_making",), products="棉布"
        ),
        "offering": firm_with_admin("东莞市虎门镇有产能棉布厂", w.humen, products="棉布"),
    }
    offer = services.post_offer(user=firms["offering"][2], data=offer_data())
    # What the registry's signals do once the transaction commits (tests never commit; the
    # signals themselves are tested in test_registry_changes_reach_the_ranking).
    services.refresh_capabilities(f[0].pk for f in firms.values())
    return {name: f[0] for name, f in firms.items()}, offer


def _firm_sql(demand):
    ctx = matching.Context.of(demand)
    sql, params = matching.firm_sql(demand, ctx, 20)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_firms_without_offers_rank_beside_offers_with_reasons(market, makers):
    firms, offer = makers
    demand = post_open(market.buyer_admin)
    with translation.override("en"):
        got = matching.matches_for_demand(demand)
    keys = [m.key for m in got]
    # The offer (price and lead time known and good) first; then the firms: near and in the
    # buyer's cluster before far; far with green credentials before far without.
    assert keys == [
        ("offer", offer.pk),
        ("firm", firms["near"].pk),
        ("firm", firms["far_green"].pk),
        ("firm", firms["far"].pk),
    ]
    near = got[1]
    assert near.offer is None and near.supplier.pk == firms["near"].pk
    assert near.supplier.name_zh == firms["near"].name_zh
    assert near.parts["price"] == near.parts["lead"] == matching.NEUTRAL
    assert near.reasons[1] == (
        "makes this category but has no open capacity offer: price and lead time unknown"
    )
    assert "in the buyer's own cluster" in near.reasons
    assert got[0].score > near.score
    # The in-memory ranking, the SQL statement and the naive scan agree, scores included.
    firm_rows = [(pk, score) for pk, score in _firm_sql(demand)]
    assert [("firm", pk) for pk, _s in firm_rows] == keys[1:]
    for (_pk, score), m in zip(firm_rows, got[1:], strict=True):
        assert score == pytest.approx(m.score, abs=1e-9)
    assert [k for _s, k in matching.naive_matches(demand)] == keys
    assert [m.key for m in matching.matches_for_demand(demand, firms=False)] == keys[:1]


def test_firm_candidates_follow_visibility_and_certifications(market, makers):
    firms, _offer = makers
    cluster_only = post_open(market.buyer_admin, visibility="cluster", spec="本集群")
    assert ("firm", firms["far"].pk) not in [
        m.key for m in matching.matches_for_demand(cluster_only)
    ]
    assert [m.key for m in matching.matches_for_demand(cluster_only) if m.offer is None] == [
        ("firm", firms["near"].pk)
    ]
    certified = post_open(market.buyer_admin, certifications=["gots"], spec="认证")
    assert [m.key for m in matching.matches_for_demand(certified)] == [
        ("firm", firms["far_green"].pk)
    ]
    invited = post_open(market.buyer_admin, visibility="invited", spec="邀请")
    assert matching.matches_for_demand(invited) == []
    services.invite(user=market.buyer_admin, demand=invited, enterprise=firms["far"])
    assert [m.key for m in matching.matches_for_demand(invited)] == [("firm", firms["far"].pk)]
    for demand in (cluster_only, certified, invited):
        assert [("firm", pk) for pk, _s in _firm_sql(demand)] == [
            m.key for m in matching.matches_for_demand(demand) if m.offer is None
        ]
        assert [k for _s, k in matching.naive_matches(demand)] == [
            m.key for m in matching.matches_for_demand(demand)
        ]


@pytest.mark.django_db(transaction=True)
def test_registry_changes_reach_the_ranking(market):
    """Committed registry edits rebuild the firm's capabilities; the ranking sees them."""
    demand = post_open(market.buyer_admin)
    denim, _org, _admin = firm_with_admin(
        "东莞市虎门镇牛仔布厂", market.world.humen, products="牛仔布"
    )
    assert ("firm", denim.pk) not in [m.key for m in matching.matches_for_demand(demand)]
    before = firm_index.category("weaving", "cotton_woven").stamp
    denim.main_products = "牛仔布、棉布"
    denim.save()
    assert SupplierCapability.objects.filter(enterprise=denim, category="cotton_woven").exists()
    assert firm_index.category("weaving", "cotton_woven").stamp != before
    assert ("firm", denim.pk) in [m.key for m in matching.matches_for_demand(demand)]
    denim.stages.clear()  # no longer weaves: gone from the ranking
    assert ("firm", denim.pk) not in [m.key for m in matching.matches_for_demand(demand)]


def test_api_lists_firm_candidates(market, makers, client):
    firms, offer = makers
    demand = post_open(market.buyer_admin)
    client.force_login(market.buyer_admin)
    r = client.get(f"/api/v1/demands/{demand.pk}/matches")
    assert r.status_code == 200
    rows = r.json()
    assert [(row["kind"], row["offer_id"], row["supplier_id"]) for row in rows] == [
        ("offer", offer.pk, offer.supplier_id),
        ("firm", None, firms["near"].pk),
        ("firm", None, firms["far_green"].pk),
        ("firm", None, firms["far"].pk),
    ]
    page = client.get(f"/market/demands/{demand.pk}/")
    assert firms["far_green"].name_zh in page.content.decode()
