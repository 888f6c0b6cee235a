"""A firm and a provider that share a member do not deal with each other.

Anyone may start a service provider organisation. Without this rule a firm's admin could start
one, list a service, order it for their own firm, pay part with the firm's voucher (public
subsidy), confirm it, give it five stars and claim the subsidy as the provider. Each step is
refused here, through the services, the API and the pages, and a refusal writes nothing.
"""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import OrganisationFactory, member_of
from weft.accounts import services as accounts
from weft.accounts.models import Membership, Organisation
from weft.accounts.permissions import can, forget_actor, share_members
from weft.services import ledger, orders, services, vouchers
from weft.services.errors import Refused
from weft.services.models import (
    Category,
    OrderEvent,
    Redemption,
    Service,
    ServiceOrder,
    Settlement,
)
from weft.services.signals_review import review

from ..matrix import row_counts
from .conftest import grant, make_programme

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _client(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def _post(c, path, data=None):
    return c.post(API + path, json.dumps(data or {}), content_type="application/json")


def _own_provider(w, name="丽人检测服务部"):
    """The firm's admin starts a provider organisation (they own it) and lists a testing service."""
    provider = accounts.create_organisation(
        user=w.firm_admin, kind=Organisation.Kind.SERVICE_PROVIDER, name_zh=name
    )
    forget_actor(w.firm_admin)
    service = services.create_service(
        user=w.firm_admin,
        provider=provider,
        data={"category": Category.TESTING, "title_zh": "面料检测", "price": Decimal("400.00")},
    )
    return provider, service


def _voucher_for_any_service(market):
    """A voucher of the firm from a Humen programme open to every category of service."""
    w = market.w
    programme = make_programme(
        w.humen_office,
        Organisation.objects.get(pk=w.humen.office_id),
        clusters=[w.humen],
        categories=[],
    )
    return grant(market, programme=programme)


def _order_from_before_the_rule(w, service):
    """An accepted order of the firm from its own provider, as the old code let it be placed."""
    order = ServiceOrder.objects.create(
        service=service,
        provider_id=service.provider_id,
        firm=w.firm_org,
        quote_amount=service.price,
        status=ServiceOrder.Status.QUOTED,
    )
    return orders.transition(user=w.firm_admin, order_id=order.pk, name="accept")


# --- the helper ----------------------------------------------------------------------------------


def test_share_members_counts_any_role_and_nothing_else(market):
    w = market.w
    assert not share_members(w.firm_org.pk, market.lab.pk)
    member_of(market.lab, Membership.Role.MEMBER, user=w.firm_member)  # plain member of both
    assert share_members(w.firm_org.pk, market.lab.pk)
    assert share_members(market.lab.pk, w.firm_org.pk)
    assert not share_members(w.firm_org.pk, market.studio.pk)


# --- ordering -------------------------------------------------------------------------------------


def test_a_firm_cannot_order_from_a_provider_its_admin_runs(market, english):
    w = market.w
    _provider, service = _own_provider(w)
    before = row_counts()
    with pytest.raises(Refused) as e:
        orders.request_service(user=w.firm_admin, service=service, firm=w.firm_org)
    assert (e.value.status, e.value.code) == (403, "self_dealing")
    assert "share members" in e.value.message and "its own services" in e.value.message
    assert row_counts() == before
    # Another firm that shares nobody with that provider orders as usual.
    other_org = w.other_firm_admin.memberships.get().organisation
    order = orders.request_service(user=w.other_firm_admin, service=service, firm=other_org)
    assert order.status == ServiceOrder.Status.QUOTED


def test_sharing_a_plain_member_is_enough(market):
    """Not only the ordering admin: any person in both organisations, in any role."""
    w = market.w
    member_of(market.lab, Membership.Role.MEMBER, user=w.firm_member)
    before = row_counts()
    with pytest.raises(Refused) as e:
        orders.request_service(user=w.firm_admin, service=market.testing, firm=w.firm_org)
    assert e.value.code == "self_dealing" and row_counts() == before
    orders.request_service(user=w.firm_admin, service=market.design, firm=w.firm_org)


def test_the_refusal_is_in_the_firms_language(market):
    w = market.w
    _provider, service = _own_provider(w)
    with translation.override("zh-hans"), pytest.raises(Refused) as e:
        orders.request_service(user=w.firm_admin, service=service, firm=w.firm_org)
    assert "share members" not in e.value.message and "成员" in e.value.message


# --- paying with a voucher, reviewing ----------------------------------------------------------------


def test_a_voucher_does_not_pay_for_the_firms_own_services(market):
    """Defence in depth: an order from before the rule, or members who joined since."""
    w = market.w
    _provider, service = _own_provider(w)
    voucher = _voucher_for_any_service(market)
    programme = voucher.programme
    order = _order_from_before_the_rule(w, service)
    balances, before = ledger.programme_balances(programme), row_counts()
    with pytest.raises(Refused) as e:
        vouchers.redeem(user=w.firm_admin, voucher_id=voucher.pk, order_id=order.pk)
    assert (e.value.status, e.value.code) == (403, "self_dealing")
    assert ledger.programme_balances(programme) == balances and row_counts() == before
    assert not Redemption.objects.exists()
    assert can(w.firm_admin, "services.act_as_firm", order)
    assert not can(w.firm_admin, "services.pay_with_voucher", order)


def test_a_member_who_joins_the_provider_later_stops_the_voucher(market):
    w = market.w
    voucher = grant(market)
    order = orders.request_service(user=w.firm_admin, service=market.testing, firm=w.firm_org)
    orders.transition(user=w.firm_admin, order_id=order.pk, name="accept")
    member_of(market.lab, Membership.Role.ADMIN, user=w.firm_owner)
    with pytest.raises(Refused) as e:
        vouchers.redeem(user=w.firm_admin, voucher_id=voucher.pk, order_id=order.pk)
    assert e.value.code == "self_dealing" and not Redemption.objects.exists()


def test_nobody_reviews_their_own_services(market, english):
    w = market.w
    _provider, service = _own_provider(w)
    order = _order_from_before_the_rule(w, service)
    orders.transition(user=w.firm_admin, order_id=order.pk, name="deliver", note="ok")
    orders.transition(user=w.firm_admin, order_id=order.pk, name="confirm")
    before = row_counts()
    with pytest.raises(Refused) as e:
        orders.review(user=w.firm_admin, order_id=order.pk, rating=5, text="非常专业")
    assert (e.value.status, e.value.code) == (403, "self_dealing")
    assert "review its own services" in e.value.message
    assert row_counts() == before
    order.refresh_from_db()
    assert order.rating is None and not OrderEvent.objects.filter(action="review").exists()
    assert not can(w.firm_admin, "services.review_order", order)


# --- settlements ------------------------------------------------------------------------------------


def _paid_and_confirmed(user, service, firm, voucher, provider_user):
    order = orders.request_service(user=user, service=service, firm=firm)
    orders.transition(user=user, order_id=order.pk, name="accept")
    vouchers.redeem(user=user, voucher_id=voucher.pk, order_id=order.pk)
    orders.transition(user=provider_user, order_id=order.pk, name="deliver", note="ok")
    orders.transition(user=user, order_id=order.pk, name="confirm")
    return order


@pytest.fixture
def two_customers(market):
    """A provider with one confirmed, subsidised order from each of two firms; then the Humen
    firm's admin joins the provider (after the subsidy was earned)."""
    w = market.w
    provider = OrganisationFactory(kind=Organisation.Kind.SERVICE_PROVIDER, name_zh="第三方检测")
    provider_admin = member_of(provider, Membership.Role.OWNER)
    service = Service.objects.create(
        provider=provider, category=Category.TESTING, title_zh="检测", price=Decimal("400.00")
    )
    office = Organisation.objects.get(pk=w.humen.office_id)
    programme = make_programme(w.humen_office, office, clusters=[])  # open to every firm
    other_org = w.other_firm_admin.memberships.get().organisation
    own_voucher = grant(market, programme=programme)
    other_voucher = grant(market, programme=programme, firm=other_org, user=w.other_firm_admin)
    own = _paid_and_confirmed(w.firm_admin, service, w.firm_org, own_voucher, provider_admin)
    other = _paid_and_confirmed(
        w.other_firm_admin, service, other_org, other_voucher, provider_admin
    )
    member_of(provider, Membership.Role.ADMIN, user=w.firm_admin)
    return provider, provider_admin, programme, own, other


def test_a_claim_leaves_out_the_orders_of_firms_sharing_members(market, two_customers, english):
    """Held rather than refusing the whole claim: the provider's honest orders are paid, the
    firm's own ones stay earned but unclaimed, and the issuer's review queue names them."""
    provider, provider_admin, programme, own, other = two_customers
    data, _replayed = vouchers.claim_settlement(
        user=provider_admin, provider_id=provider.pk, programme_id=programme.pk
    )
    assert data["orders"] == [other.pk] and Decimal(data["amount"]) == Decimal("120.00")
    held = Redemption.objects.get(order=own)
    assert held.status == Redemption.Status.EARNED and held.settlement is None
    # Only the firm's own order is left: the claim is refused, saying why, and writes nothing.
    before = row_counts()
    with pytest.raises(Refused) as e:
        vouchers.claim_settlement(
            user=provider_admin, provider_id=provider.pk, programme_id=programme.pk
        )
    assert (e.value.status, e.value.code) == (409, "self_dealing")
    assert e.value.details == {"held_orders": [own.pk]}
    assert row_counts() == before
    assert [f.orders for f in review(programme) if f.kind == "shared_people"] == [[own.pk]]
    assert ledger.verify() == []


def test_claims_through_the_api_and_the_page(market, two_customers):
    provider, provider_admin, programme, own, other = two_customers
    c = _client(provider_admin)
    r = c.get(reverse("services:order_list"))
    assert f'name="programme" value="{programme.pk}"' in r.content.decode()
    r = c.post(
        reverse("services:claim"),
        {"provider": provider.pk, "programme": programme.pk},
        follow=True,
    )
    page = r.content.decode()
    assert r.status_code == 200 and "Settlement of ¥120.00 claimed" in page
    assert "The subsidy on 1 order was not claimed" in page
    assert list(Settlement.objects.get().redemptions.values_list("order_id", flat=True)) == [
        other.pk
    ]
    # Nothing honest is left to claim: the page no longer offers a claim.
    r = c.get(reverse("services:order_list"))
    assert f'name="programme" value="{programme.pk}"' not in r.content.decode()
    before = row_counts()
    r = _post(c, "/settlements", {"provider_id": provider.pk, "programme_id": programme.pk})
    body = r.json()
    assert r.status_code == 409 and body["code"] == "self_dealing"
    assert "cannot claim subsidies for its own firms' orders" in body["message"]
    assert body["details"] == {"held_orders": [own.pk]}
    r = c.post(
        reverse("services:claim"), {"provider": provider.pk, "programme": programme.pk}, follow=True
    )
    assert r.status_code == 200 and "claim subsidies for its own firms" in r.content.decode()
    assert row_counts() == before


# --- the whole attempt, through the pages and the API ------------------------------------------------


def test_the_attempt_through_the_pages(market):
    """The firm's admin starts a provider on its page, lists a service and tries each step."""
    w = market.w
    c = _client(w.firm_admin)
    c.post(reverse("accounts:organisation_new"), {"name_zh": "丽人检测服务部"})
    provider = Organisation.objects.get(name_zh="丽人检测服务部")
    assert provider.memberships.get().user == w.firm_admin
    c.post(
        reverse("services:service_add"),
        {"provider": provider.pk, "category": "testing", "title_zh": "面料检测", "price": "400"},
    )
    service = Service.objects.get(provider=provider)
    # The service's page does not offer the firm, and says why.
    page = c.get(reverse("services:service_detail", kwargs={"pk": service.pk})).content.decode()
    assert 'id="self-dealing"' in page and "cannot buy its own services" in page
    assert reverse("services:request_service", kwargs={"pk": service.pk}) not in page
    before = row_counts()
    r = c.post(
        reverse("services:request_service", kwargs={"pk": service.pk}),
        {"firm": w.firm_org.pk},
        follow=True,
    )
    assert r.status_code == 200 and "a firm cannot buy its own services" in r.content.decode()
    assert row_counts() == before and not ServiceOrder.objects.exists()
    # An order from before the rule: no voucher offered, paying is refused; no review either.
    voucher = _voucher_for_any_service(market)
    order = _order_from_before_the_rule(w, service)
    detail = reverse("services:order_detail", kwargs={"pk": order.pk})
    page = c.get(detail).content.decode()
    assert 'id="self-dealing"' in page
    assert reverse("services:order_pay", kwargs={"pk": order.pk}) not in page
    before = row_counts()
    r = c.post(
        reverse("services:order_pay", kwargs={"pk": order.pk}),
        {"voucher": voucher.pk},
        follow=True,
        HTTP_REFERER=detail,
    )
    assert r.status_code == 200 and "a voucher does not pay" in r.content.decode()
    assert row_counts() == before
    orders.transition(user=w.firm_admin, order_id=order.pk, name="deliver", note="ok")
    orders.transition(user=w.firm_admin, order_id=order.pk, name="confirm")
    page = c.get(detail).content.decode()
    assert reverse("services:order_review", kwargs={"pk": order.pk}) not in page
    before = row_counts()
    r = c.post(
        reverse("services:order_review", kwargs={"pk": order.pk}),
        {"rating": "5"},
        follow=True,
        HTTP_REFERER=detail,
    )
    assert r.status_code == 200 and "cannot review its own services" in r.content.decode()
    assert row_counts() == before


def test_the_attempt_through_the_api(market):
    w = market.w
    provider = accounts.create_organisation(
        user=w.firm_admin, kind=Organisation.Kind.SERVICE_PROVIDER, name_zh="丽人检测服务部"
    )
    c = _client(w.firm_admin)
    r = _post(
        c,
        "/services",
        {"provider_id": provider.pk, "category": "testing", "title_zh": "面料检测", "price": "400"},
    )
    assert r.status_code == 201
    service = Service.objects.get(pk=r.json()["id"])
    before = row_counts()
    r = _post(c, "/service-orders", {"service_id": service.pk, "firm_id": w.firm_org.pk})
    body = r.json()
    assert r.status_code == 403 and body["code"] == "self_dealing"
    assert "a firm cannot buy its own services" in body["message"] and "details" in body
    assert row_counts() == before
    voucher = _voucher_for_any_service(market)
    order = _order_from_before_the_rule(w, service)
    before = row_counts()
    r = _post(c, f"/vouchers/{voucher.pk}/redeem", {"order_id": order.pk})
    assert r.status_code == 403 and r.json()["code"] == "self_dealing"
    assert row_counts() == before
    for step in ("deliver", "confirm"):
        assert _post(c, f"/service-orders/{order.pk}/{step}", {"note": "ok"}).status_code == 200
    before = row_counts()
    r = _post(c, f"/service-orders/{order.pk}/review", {"rating": 5})
    assert r.status_code == 403 and r.json()["code"] == "self_dealing"
    assert row_counts() == before
    assert c.get(f"{API}/service-orders/{order.pk}").json()["rating"] is None
