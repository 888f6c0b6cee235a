"""Property: any sequence of grant, redeem, cancel, confirm, expire, claim and pay keeps the books.

After every step: each transaction balances, cached balances equal the entries, no account is
negative, the subsidies never exceed the budget nor any voucher's amount, and the budget left is
exactly the budget minus the subsidies still live.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import OrganisationFactory, make_enterprise, member_of
from weft.accounts.models import Membership, Organisation
from weft.services import ledger, orders, vouchers
from weft.services.errors import Refused
from weft.services.models import Account, Redemption, Settlement, Voucher

from .conftest import make_programme

pytestmark = pytest.mark.django_db
K = Account.Kind
ONE_DAY = datetime.timedelta(days=1)

cents = st.integers(min_value=1, max_value=60000).map(lambda c: Decimal(c) / 100)
step = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 1), cents),
    st.tuples(st.just("redeem"), st.integers(0, 9), cents),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("confirm"), st.integers(0, 9)),
    st.tuples(st.just("expire")),
    st.tuples(st.just("claim")),
    st.tuples(st.just("pay"), st.booleans()),
)


def _check(programme):
    assert ledger.verify(programme) == []
    live = Redemption.objects.filter(programme=programme).exclude(status="reversed")
    spent = sum(live.values_list("subsidy", flat=True), Decimal("0"))
    assert spent <= programme.budget
    assert ledger.programme_balances(programme)[K.BUDGET] == programme.budget - spent
    for v in Voucher.objects.filter(programme=programme):
        used = sum(live.filter(voucher=v).values_list("subsidy", flat=True), Decimal("0"))
        assert used <= v.amount
        left = ledger.balance(v.account)
        assert left == (0 if v.status == "expired" else v.amount - used)


@pytest.fixture
def second_firm(world):
    firm = make_enterprise(name_zh="东莞市虎门镇第二制衣有限公司", cluster=world.humen)
    org = OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, name_zh=firm.name_zh, enterprise=firm
    )
    return org, member_of(org, Membership.Role.OWNER)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    budget=st.integers(min_value=1, max_value=200000).map(lambda c: Decimal(c) / 100),
    ratio=st.sampled_from(["0.3", "0.5", "1", "0.3333"]),
    steps=st.lists(step, min_size=1, max_size=14),
)
def test_random_sequences_keep_the_books(market, second_firm, budget, ratio, steps):
    w = market.w
    firms = [(w.firm_org, w.firm_admin), second_firm]
    with transaction.atomic():
        programme = make_programme(
            w.humen_office, market.programme.issuer, budget=str(budget), ratio=ratio, cap="5000.00"
        )
        held: list[Voucher] = []
        paid_orders: list[int] = []
        for op in steps:
            try:
                if op[0] == "grant":
                    org, user = firms[op[1]]
                    app = vouchers.apply(user=user, programme=programme, firm=org, amount=op[2])
                    vouchers.decide(user=w.humen_office, application=app, approve=True)
                    held.append(Voucher.objects.get(application=app))
                elif op[0] == "redeem" and held:
                    voucher = held[op[1] % len(held)]
                    user = firms[0][1] if voucher.firm_id == w.firm_org.pk else firms[1][1]
                    order = orders.request_service(
                        user=user, service=market.quoted, firm=voucher.firm
                    )
                    orders.transition(
                        user=market.lab_admin, order_id=order.pk, name="quote", amount=op[2]
                    )
                    orders.transition(user=user, order_id=order.pk, name="accept")
                    vouchers.redeem(user=user, voucher_id=voucher.pk, order_id=order.pk)
                    paid_orders.append(order.pk)
                elif op[0] in ("cancel", "confirm") and paid_orders:
                    order_id = paid_orders[op[1] % len(paid_orders)]
                    order = Redemption.objects.filter(order_id=order_id).first().order
                    firm_user = firms[0][1] if order.firm_id == w.firm_org.pk else firms[1][1]
                    if op[0] == "confirm":
                        orders.transition(
                            user=market.lab_admin, order_id=order_id, name="deliver", note="报告"
                        )
                    orders.transition(user=firm_user, order_id=order_id, name=op[0])
                elif op[0] == "expire":
                    vouchers.expire_vouchers(
                        max(v.expires_on for v in held) + ONE_DAY if held else None
                    )
                    for v in held:
                        v.refresh_from_db()
                elif op[0] == "claim":
                    vouchers.claim_settlement(
                        user=market.lab_admin, provider_id=market.lab.pk, programme_id=programme.pk
                    )
                elif op[0] == "pay":
                    s = Settlement.objects.filter(programme=programme, status="claimed").first()
                    if s is not None:
                        vouchers.decide_settlement(
                            user=w.humen_office, settlement=s, action="approve"
                        )
                        action = "pay" if op[1] else "reject"
                        vouchers.decide_settlement(user=w.humen_office, settlement=s, action=action)
            except Refused:
                pass  # a refusal is a legitimate outcome; the books must still hold
            _check(programme)
        transaction.set_rollback(True)
