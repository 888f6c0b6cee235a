"""Matching on hand-built cases whose best order is known."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from weft.market import matching, services
from weft.market.models import Demand, SupplierRecord

from .conftest import KEQIAO, firm_with_admin, offer_data, post_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(market):
    """Offers around a Humen buyer's cotton demand; names say what each one is."""
    w = market.world
    far_cheap, _o, far_cheap_admin = firm_with_admin(
        "绍兴柯桥平价布业有限公司", w.keqiao, loc=KEQIAO
    )
    far_dear, _o, far_dear_admin = firm_with_admin("绍兴柯桥高价布业有限公司", w.keqiao, loc=KEQIAO)
    green, _o, green_admin = firm_with_admin(
        "绍兴柯桥绿色纺织有限公司", w.keqiao, loc=KEQIAO, certs=("gots", "bluesign", "grs")
    )
    small, _o, small_admin = firm_with_admin("东莞市虎门镇小作坊布行", w.humen)
    today = timezone.localdate()
    offers = {
        "near": services.post_offer(user=market.humen_mill_admin, data=offer_data()),
        "far_cheap": services.post_offer(user=far_cheap_admin, data=offer_data()),
        "far_dear": services.post_offer(
            user=far_dear_admin, data=offer_data(price=Decimal("17.00"))
        ),
        "green": services.post_offer(user=green_admin, data=offer_data()),
        # Excluded by the hard filters:
        "too_small": services.post_offer(
            user=small_admin, data=offer_data(quantity=Decimal("100"), min_order=0)
        ),
        "wrong_category": services.post_offer(
            user=market.keqiao_admin, data=offer_data(categories=["denim"])
        ),
        "too_late": services.post_offer(
            user=market.keqiao_admin,
            data=offer_data(
                available_from=today + datetime.timedelta(days=70),
                available_until=today + datetime.timedelta(days=120),
            ),
        ),
        "min_order_too_big": services.post_offer(
            user=market.keqiao_admin,
            data=offer_data(min_order=Decimal("10000"), title="大单专线"),
        ),
    }
    return offers


def order(matches):
    return [m.offer.pk for m in matches]


def test_best_order_and_hard_filters(market, cast):
    demand = post_open(market.buyer_admin)
    with translation.override("en"):
        got = matching.matches_for_demand(demand)
    names = {o.pk: n for n, o in cast.items()}
    # Near and in the buyer's cluster beats far; green credentials beat none at the same price;
    # 36 % over the target price is last.
    assert [names[pk] for pk in order(got)] == ["near", "green", "far_cheap", "far_dear"]
    near = got[0]
    assert near.parts["cluster"] == 1.0 and near.parts["distance"] > 0.95
    assert got[-1].parts["price"] == pytest.approx(3 - 2 * 17 / 12.5)
    assert any("36%" in r for r in got[-1].reasons)


def test_database_score_equals_python_score_and_naive_scan(market, cast):
    demand = post_open(market.buyer_admin)
    got = matching.matches_for_demand(demand)
    ctx = matching.Context.of(demand)
    annotated = {
        o.pk: o.score
        for o in matching.candidate_offers(demand, ctx).annotate(
            score=matching.score_expression(ctx)
        )
    }
    sql, params = matching.match_sql(demand, ctx, 20)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        hand_written = cursor.fetchall()
    # The hand-written statement, the ORM expression and Python agree on rows and scores.
    assert [pk for pk, _s in hand_written] == order(got)
    assert set(annotated) == set(order(got))
    for (pk, db_score), m in zip(hand_written, got, strict=True):
        assert annotated[pk] == pytest.approx(m.score, abs=1e-9)
        assert db_score == pytest.approx(m.score, abs=1e-9)
    assert [key for _s, key in matching.naive_matches(demand)] == [m.key for m in got]
    assert all(m.offer is not None for m in got)  # every firm of the cast has an open offer


def test_every_visibility_and_certification_shape_agrees_with_the_orm(market, cast):
    """The hand-written query against the ORM reference for invited, cluster and certified."""
    cases = [
        post_open(market.buyer_admin, title="邀请", visibility="invited", spec="一"),
        post_open(market.buyer_admin, title="本集群", visibility="cluster", spec="二"),
        post_open(market.buyer_admin, title="认证", certifications=["gots", "grs"], spec="三"),
        post_open(market.buyer_admin, title="无目标价", target_price=None, spec="四"),
    ]
    services.invite(user=market.buyer_admin, demand=cases[0], enterprise=cast["green"].supplier)
    for demand in cases:
        ctx = matching.Context.of(demand)
        reference = [
            o.pk
            for o in matching.candidate_offers(demand, ctx)
            .annotate(score=matching.score_expression(ctx))
            .order_by("-score", "id")
        ]
        assert [m.offer.pk for m in matching.matches_for_demand(demand)] == reference, demand


def test_required_certifications_filter(market, cast):
    demand = post_open(market.buyer_admin, certifications=["gots"])
    assert order(matching.matches_for_demand(demand)) == [cast["green"].pk]


def test_cluster_only_demand_matches_only_its_cluster(market, cast):
    demand = post_open(market.buyer_admin, visibility="cluster")
    assert order(matching.matches_for_demand(demand)) == [cast["near"].pk]
    assert [key for _s, key in matching.naive_matches(demand)] == [("offer", cast["near"].pk)]


def _history(offer, *, ratings, on_time, quality_sum):
    record = SupplierRecord.objects.create(
        enterprise=offer.supplier, ratings=ratings, on_time=on_time, quality_sum=quality_sum
    )
    type(offer).objects.filter(supplier=offer.supplier).update(
        history_score=services.history_score(record)
    )


def test_ratings_move_a_supplier_up(market, cast):
    demand = post_open(market.buyer_admin)
    before = [m.offer.pk for m in matching.matches_for_demand(demand)]
    assert before.index(cast["far_cheap"].pk) < before.index(cast["far_dear"].pk)
    # Thirty late, poor deliveries against thirty on-time, excellent ones outweigh a 36 % price gap.
    _history(cast["far_cheap"], ratings=30, on_time=0, quality_sum=30)
    _history(cast["far_dear"], ratings=30, on_time=30, quality_sum=150)
    with translation.override("en"):
        after = matching.matches_for_demand(demand)
    pks = [m.offer.pk for m in after]
    assert pks.index(cast["far_dear"].pk) < pks.index(cast["far_cheap"].pk)
    dear = next(m for m in after if m.offer.pk == cast["far_dear"].pk)
    assert "good on-time and quality ratings on Weft" in dear.reasons


def test_reverse_demands_for_an_offer(market, cast):
    fits = post_open(market.buyer_admin)
    post_open(market.buyer_admin, title="采购牛仔布", category="denim")  # another category
    post_open(market.buyer_admin, title="虎门内部采购", visibility="cluster")  # not for Keqiao
    post_open(market.buyer_admin, title="采购大货", quantity=Decimal("900000"), spec="大货")
    offer = cast["far_cheap"]
    got = matching.matches_for_offer(offer, offer.created_by)
    assert [m.demand.pk for m in got] == [fits.pk]
    assert Demand.objects.filter(status="open").count() == 4
