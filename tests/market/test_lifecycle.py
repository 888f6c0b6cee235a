"""The demand lifecycle: one state machine, every step recorded, refusals change nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from weft.audit.models import AuditRecord
from weft.market import services
from weft.market.models import Demand, Quote, Rating, SupplierRecord, Transition
from weft.market.services import Refused

from .conftest import demand_data, offer_data, post_open

pytestmark = pytest.mark.django_db
S = Demand.Status


def quote_data(**over):
    data = {
        "unit_price": Decimal("12.00"),
        "quantity": Decimal("5000"),
        "lead_time_days": 30,
        "valid_until": timezone.localdate() + datetime.timedelta(days=20),
        "notes": "现货坯布",
    }
    data.update(over)
    return data


def test_full_path_is_recorded_and_audited(market):
    demand = services.post_demand(user=market.buyer_admin, data=demand_data())
    assert demand.status == S.DRAFT
    services.act(market.buyer_admin, demand, "publish")
    quote = services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    services.award(user=market.buyer_admin, quote=quote)
    for action in ("start_production", "deliver", "close"):
        services.act(market.buyer_admin, demand, action)
    demand.refresh_from_db()
    assert demand.status == S.CLOSED
    path = list(Transition.objects.filter(demand=demand).values_list("to_status", flat=True))
    assert path == ["draft", "open", "awarded", "in_production", "delivered", "closed"]
    audited = AuditRecord.objects.filter(object_type="market.demand", object_id=str(demand.pk))
    assert {r.after.get("status") for r in audited if r.after} >= {"open", "awarded", "closed"}


def test_no_award_on_a_cancelled_demand(market):
    demand = post_open(market.buyer_admin)
    quote = services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    services.act(market.buyer_admin, demand, "cancel")
    with pytest.raises(Refused) as exc:
        services.award(user=market.buyer_admin, quote=quote)
    assert exc.value.code == "not_awardable"
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SUBMITTED
    assert not demand.awards.exists()


def test_no_quote_after_the_deadline(market):
    demand = post_open(market.buyer_admin)
    Demand.objects.filter(pk=demand.pk).update(
        quote_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(Refused) as exc:
        services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    assert exc.value.code == "deadline_passed"
    assert not Quote.objects.exists()


def test_no_award_by_anyone_but_the_buyers_admins(market):
    demand = post_open(market.buyer_admin)
    quote = services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    w = market.world
    for outsider in (market.buyer_member, market.keqiao_admin, w.humen_office, w.operator):
        with pytest.raises(PermissionDenied):
            services.award(user=outsider, quote=quote)
    assert not demand.awards.exists()
    services.award(user=w.firm_owner, quote=quote)  # an owner is an admin too
    demand.refresh_from_db()
    assert demand.status == S.AWARDED


def test_illegal_jumps_are_refused(market):
    demand = services.post_demand(user=market.buyer_admin, data=demand_data())
    for action in ("start_production", "deliver", "close"):
        with pytest.raises(Refused) as exc:
            services.act(market.buyer_admin, demand, action)
        assert exc.value.code == "invalid_transition"
    with pytest.raises(Refused):
        services.transition(demand, S.AWARDED, user=market.buyer_admin)  # only through award()
    demand.refresh_from_db()
    assert demand.status == S.DRAFT
    assert Transition.objects.filter(demand=demand).count() == 1


def test_only_the_system_expires_and_only_overdue_ones(market):
    late = post_open(market.buyer_admin)
    fresh = post_open(market.buyer_admin, title="采购涤纶里布", category="polyester_woven")
    Demand.objects.filter(pk=late.pk).update(
        quote_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    with pytest.raises(PermissionDenied):
        services.transition(late, S.EXPIRED, user=market.buyer_admin)
    assert services.expire_overdue() == 1
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert (late.status, fresh.status) == (S.EXPIRED, S.OPEN)


def test_awarding_several_quotes_up_to_the_quantity(market):
    demand = post_open(market.buyer_admin)
    q1 = services.submit_quote(
        user=market.keqiao_admin, demand=demand, data=quote_data(quantity=Decimal("3000"))
    )
    q2 = services.submit_quote(
        user=market.humen_mill_admin, demand=demand, data=quote_data(quantity=Decimal("3000"))
    )
    services.award(user=market.buyer_admin, quote=q1)
    with pytest.raises(Refused) as exc:
        services.award(user=market.buyer_admin, quote=q2)
    assert exc.value.code == "over_awarded"
    services.award(user=market.buyer_admin, quote=q2, quantity=Decimal("2000"))
    assert sum(a.quantity for a in demand.awards.all()) == Decimal("5000")
    services.act(market.buyer_admin, demand, "start_production")


def test_losing_quotes_close_when_production_starts(market):
    demand = post_open(market.buyer_admin)
    win = services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    lose = services.submit_quote(user=market.humen_mill_admin, demand=demand, data=quote_data())
    services.award(user=market.buyer_admin, quote=win)
    services.act(market.buyer_admin, demand, "start_production")
    lose.refresh_from_db()
    assert lose.status == Quote.Status.NOT_AWARDED


def test_quote_rules(market):
    demand = post_open(market.buyer_admin)
    with pytest.raises(PermissionDenied):  # the buyer cannot quote on its own demand
        services.submit_quote(user=market.buyer_admin, demand=demand, data=quote_data())
    with pytest.raises(ValidationError) as exc:
        services.submit_quote(
            user=market.keqiao_admin, demand=demand, data=quote_data(quantity=Decimal("9000"))
        )
    assert "quantity" in exc.value.message_dict
    services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    with pytest.raises(Refused) as exc:
        services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    assert exc.value.code == "already_quoted"
    draft = services.post_demand(
        user=market.buyer_admin, data=demand_data(title="采购真丝", category="silk_woven")
    )
    with pytest.raises(PermissionDenied):  # a draft is invisible to suppliers
        services.submit_quote(user=market.keqiao_admin, demand=draft, data=quote_data())


def test_ratings_after_delivery_feed_the_offer_score(market):
    offer = services.post_offer(user=market.keqiao_admin, data=offer_data())
    assert offer.history_score == pytest.approx(0.6)
    demand = post_open(market.buyer_admin)
    quote = services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    award = services.award(user=market.buyer_admin, quote=quote)
    with pytest.raises(Refused) as exc:
        services.rate(user=market.buyer_admin, award=award, on_time=True, quality=5)
    assert exc.value.code == "not_delivered"
    services.act(market.buyer_admin, demand, "start_production")
    services.act(market.buyer_admin, demand, "deliver")
    services.rate(user=market.buyer_admin, award=award, on_time=True, quality=5)
    services.rate(user=market.keqiao_admin, award=award, on_time=True, quality=4)
    with pytest.raises(Refused):
        services.rate(user=market.buyer_admin, award=award, on_time=False, quality=1)
    sides = dict(Rating.objects.values_list("side", "ratee_id"))
    assert sides == {"of_supplier": market.keqiao_mill.pk, "of_buyer": market.buyer.pk}
    record = SupplierRecord.objects.get(enterprise=market.keqiao_mill)
    assert (record.ratings, record.on_time, record.quality_sum) == (1, 1, 5)
    offer.refresh_from_db()
    assert offer.history_score == pytest.approx((0.6 * 3 + 1.0) / 4)


def test_posting_rate_limit_and_duplicates(market, settings):
    post_open(market.buyer_admin)
    with pytest.raises(Refused) as exc:
        post_open(market.buyer_admin, title="采购 全棉府绸面料", quantity=Decimal("5200"))
    assert exc.value.code == "duplicate_post"
    # Different enough: another quantity.
    post_open(market.buyer_admin, quantity=Decimal("20000"))
    settings.WEFT_MARKET_POSTS_PER_DAY = 2
    with pytest.raises(Refused) as exc:
        post_open(market.buyer_admin, title="采购牛仔布", category="denim")
    assert exc.value.code == "rate_limited" and exc.value.status == 429
    assert Demand.objects.count() == 2


def test_bad_input_is_refused_with_the_field(market):
    cases = [
        ({"stage": "nonsense"}, "stage"),
        ({"category": "zippers"}, "category"),  # a category of another stage
        ({"unit": "furlongs"}, "unit"),
        ({"quantity": Decimal("0")}, "quantity"),
        ({"certifications": ["gots", "made_up"]}, "certifications"),
        ({"visibility": "friends"}, "visibility"),
        (
            {"quote_deadline": timezone.now() + datetime.timedelta(days=90)},
            "quote_deadline",
        ),
    ]
    for over, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.post_demand(user=market.buyer_admin, data=demand_data(**over))
        assert field in exc.value.message_dict, (over, exc.value.message_dict)
    assert not Demand.objects.exists()
    with pytest.raises(PermissionDenied):  # a plain member cannot post for the firm
        services.post_demand(user=market.buyer_member, data=demand_data())


def test_delivery_place_is_geocoded(market):
    demand = services.post_demand(user=market.buyer_admin, data=demand_data())
    assert demand.delivery_adcode == "441900"
    assert demand.delivery_lat == pytest.approx(23.0, abs=0.5)
    assert list(demand.clusters.values_list("slug", flat=True)) == ["humen"]


def test_expire_demands_command(market):
    from io import StringIO

    from django.core.management import call_command

    late = post_open(market.buyer_admin)
    Demand.objects.filter(pk=late.pk).update(
        quote_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    out = StringIO()
    call_command("expire_demands", stdout=out)
    assert out.getvalue().strip() == "1 demands expired."
    late.refresh_from_db()
    assert late.status == S.EXPIRED
    assert late.transitions.last().note == "quote deadline passed"
