"""Fraud signals: each flag fires on its pattern, says why, and stays quiet otherwise."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests.factories import member_of
from weft.accounts.models import Membership
from weft.services import orders, vouchers
from weft.services.models import ServiceOrder
from weft.services.signals_review import review

from .conftest import accepted_order, grant

pytestmark = pytest.mark.django_db


def _paid_order(m, voucher, amount="400.00"):
    w = m.w
    order = orders.request_service(user=w.firm_admin, service=m.quoted, firm=w.firm_org)
    orders.transition(user=m.lab_admin, order_id=order.pk, name="quote", amount=amount)
    orders.transition(user=w.firm_admin, order_id=order.pk, name="accept")
    vouchers.redeem(user=w.firm_admin, voucher_id=voucher.pk, order_id=order.pk)
    return order


def test_a_plain_order_raises_nothing(market):
    v = grant(market, "300.00")
    _paid_order(market, v)
    assert review(market.programme) == []


def test_subsidy_just_under_the_voucher(market):
    v = grant(market, "300.00")
    order = _paid_order(market, v, amount="983.00")  # 30 % = 294.90, 98 % of the voucher
    with translation.override("en"):  # the reason is written in the reader's language
        flags = review(market.programme)
    assert [f.kind for f in flags] == ["just_under_cap"] and flags[0].orders == [order.pk]
    assert "just under" in flags[0].why


def test_shared_person_and_office_colleague(market):
    w = market.w
    # The Humen office admin also sits in the lab: lab and office share a person.
    Membership.objects.create(user=w.humen_office, organisation=market.lab, role="member")
    v = grant(market, "300.00")
    order = _paid_order(market, v)
    # A firm's member joins the lab after the voucher paid (before, the order would be refused).
    member_of(market.lab, Membership.Role.MEMBER, user=w.firm_member)
    kinds = {f.kind: f for f in review(market.programme)}  # in the site's language, 简体中文
    assert kinds["shared_people"].orders == [order.pk]
    assert "其 1 个补贴订单中有 1 个" in kinds["office_colleagues"].why
    with translation.override("en"):
        kinds = {f.kind: f for f in review(market.programme)}
    assert "1 of its 1" in kinds["office_colleagues"].why


def test_instant_confirmation(market):
    w = market.w
    v = grant(market, "300.00")
    order = accepted_order(market)
    vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    orders.transition(user=market.lab_admin, order_id=order.pk, name="deliver", note="ok")
    orders.transition(user=w.firm_admin, order_id=order.pk, name="confirm")
    assert [f.kind for f in review(market.programme)] == ["instant_confirmation"]
    later = timezone.now() + datetime.timedelta(hours=2)
    ServiceOrder.objects.filter(pk=order.pk).update(confirmed_at=later)
    assert review(market.programme) == []


def test_busy_day(market):
    v = grant(market, "500.00")
    for _ in range(10):
        _paid_order(market, v, amount="100.00")
    flags = review(market.programme)
    assert [f.kind for f in flags] == ["busy_day"] and len(flags[0].orders) == 10
    assert Decimal("300.00") == sum(r.subsidy for r in v.redemptions.all())
