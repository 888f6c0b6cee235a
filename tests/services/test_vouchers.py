"""Voucher programmes end to end: eligibility, grant, redeem, cancel, confirm, settle, expire."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from weft.audit.models import AuditRecord
from weft.services import ledger, orders, vouchers
from weft.services.errors import Refused
from weft.services.models import Account, Redemption, Settlement, Voucher, VoucherApplication

from .conftest import accepted_order, grant, make_programme

pytestmark = pytest.mark.django_db
K = Account.Kind


def books(m):
    return ledger.programme_balances(m.programme)


def test_grant_creates_voucher_and_entitlement(market):
    v = grant(market, "300.00")
    assert v.amount == Decimal("300.00") and v.firm == market.w.firm_org
    assert v.expires_on == datetime.date.today() + datetime.timedelta(days=90)
    assert ledger.balance(v.account) == Decimal("300.00")
    assert books(market)[K.ENTITLEMENT] == Decimal("300.00")
    assert books(market)[K.BUDGET] == Decimal("1000.00")  # budget is spent on redemption only
    assert AuditRecord.objects.filter(object_type="services.voucher", object_id=str(v.pk)).exists()


def test_redeem_subsidy_is_ratio_of_order(market):
    v = grant(market, "300.00")
    order = accepted_order(market)  # 400.00 at 30% → 120.00
    data, replayed = vouchers.redeem(user=market.w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    assert not replayed
    assert data["subsidy"] == "120.00" and data["firm_pays"] == "280.00"
    assert ledger.balance(v.account) == Decimal("180.00")
    b = books(market)
    assert b[K.BUDGET] == Decimal("880.00") and b[K.COMMITTED] == Decimal("120.00")
    assert ledger.verify() == []


def test_redeem_is_limited_by_voucher_balance(market):
    v = grant(market, "50.00")
    order = accepted_order(market)
    data, _ = vouchers.redeem(user=market.w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    assert data["subsidy"] == "50.00"
    order2 = accepted_order(market)
    with pytest.raises(Refused) as e:
        vouchers.redeem(user=market.w.firm_admin, voucher_id=v.pk, order_id=order2.pk)
    assert e.value.code == "voucher_used_up"


def test_redeem_is_limited_by_budget_left(market):
    w = market.w
    programme = make_programme(w.humen_office, market.programme.issuer, budget="100.00", ratio="1")
    market.programme = programme
    v = grant(market, "300.00")
    data, _ = vouchers.redeem(
        user=w.firm_admin, voucher_id=v.pk, order_id=accepted_order(market).pk
    )
    assert data["subsidy"] == "100.00"
    with pytest.raises(Refused) as e:
        vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=accepted_order(market).pk)
    assert e.value.code == "budget_exhausted"
    assert ledger.programme_balances(programme)[K.BUDGET] == Decimal("0.00")


def test_subsidy_rounds_down_to_the_fen(market):
    p = market.programme
    assert vouchers.subsidy_for(p, Decimal("33.33"), Decimal("999"), Decimal("999")) == Decimal(
        "9.99"
    )


def test_refusals_change_nothing(market):
    w = market.w
    v = grant(market)
    order = orders.request_service(user=w.firm_admin, service=market.testing, firm=w.firm_org)
    entries = ledger.programme_balances(market.programme)
    with pytest.raises(Refused) as e:  # quoted, not yet accepted
        vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    assert e.value.code == "order_not_accepted"
    design = accepted_order(market, service=market.design)
    with pytest.raises(Refused) as e:
        vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=design.pk)
    assert e.value.code == "category_not_eligible"
    with pytest.raises(Refused) as e:
        vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=999999)
    assert e.value.code == "not_found"
    with pytest.raises(Refused) as e:  # another firm's voucher is not even visible
        vouchers.redeem(user=w.other_firm_admin, voucher_id=v.pk, order_id=order.pk)
    assert e.value.code == "not_found"
    with pytest.raises(PermissionDenied):  # a plain member may look, not pay
        vouchers.redeem(user=w.firm_member, voucher_id=v.pk, order_id=order.pk)
    assert ledger.programme_balances(market.programme) == entries
    assert not Redemption.objects.exists()


def test_one_redemption_per_order(market):
    v = grant(market)
    order = accepted_order(market)
    vouchers.redeem(user=market.w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    with pytest.raises(Refused) as e:
        vouchers.redeem(user=market.w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    assert e.value.code == "already_redeemed"


def test_idempotency_key_replays_the_first_answer(market):
    w = market.w
    v = grant(market)
    order = accepted_order(market)
    first, r1 = vouchers.redeem(
        user=w.firm_admin, voucher_id=v.pk, order_id=order.pk, idempotency_key="k-1"
    )
    again, r2 = vouchers.redeem(
        user=w.firm_admin, voucher_id=v.pk, order_id=order.pk, idempotency_key="k-1"
    )
    assert (r1, r2) == (False, True) and first == again
    assert Redemption.objects.count() == 1
    assert ledger.balance(v.account) == Decimal("180.00")
    with pytest.raises(Refused) as e:
        vouchers.redeem(
            user=w.firm_admin,
            voucher_id=v.pk,
            order_id=accepted_order(market).pk,
            idempotency_key="k-1",
        )
    assert e.value.code == "idempotency_key_reused"


def test_cancel_before_confirmation_returns_the_subsidy(market):
    w = market.w
    v = grant(market)
    order = accepted_order(market)
    vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    orders.transition(user=w.firm_admin, order_id=order.pk, name="cancel")
    assert ledger.balance(v.account) == Decimal("300.00")
    b = books(market)
    assert b[K.BUDGET] == Decimal("1000.00") and b[K.COMMITTED] == 0
    assert Redemption.objects.get().status == Redemption.Status.REVERSED
    assert ledger.verify() == []


def test_confirm_claim_approve_pay(market):
    w = market.w
    v = grant(market)
    order = accepted_order(market)
    vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    orders.transition(user=market.lab_admin, order_id=order.pk, name="deliver", note="报告编号 A-1")
    orders.transition(user=w.firm_admin, order_id=order.pk, name="confirm")
    assert books(market)[K.RECEIVABLE] == Decimal("120.00")
    with pytest.raises(PermissionDenied):  # another provider cannot claim for the lab
        vouchers.claim_settlement(
            user=market.studio_admin, provider_id=market.lab.pk, programme_id=market.programme.pk
        )
    data, _ = vouchers.claim_settlement(
        user=market.lab_admin,
        provider_id=market.lab.pk,
        programme_id=market.programme.pk,
        idempotency_key="s1",
    )
    assert data["amount"] == "120.00" and data["orders"] == [order.pk]
    with pytest.raises(Refused) as e:
        vouchers.claim_settlement(
            user=market.lab_admin, provider_id=market.lab.pk, programme_id=market.programme.pk
        )
    assert e.value.code == "nothing_to_claim"
    s = Settlement.objects.get()
    with pytest.raises(Refused):  # must be approved before paid
        vouchers.decide_settlement(user=w.humen_office, settlement=s, action="pay")
    with pytest.raises(PermissionDenied):
        vouchers.decide_settlement(user=w.keqiao_office, settlement=s, action="approve")
    vouchers.decide_settlement(user=w.humen_office, settlement=s, action="approve")
    vouchers.decide_settlement(
        user=w.humen_office, settlement=s, action="pay", reference="银行流水 001"
    )
    b = books(market)
    assert b[K.PAID] == Decimal("120.00") and b[K.CLAIMED] == b[K.RECEIVABLE] == 0
    assert b[K.BUDGET] == Decimal("880.00")
    assert ledger.verify() == []


def test_rejected_settlement_can_be_claimed_again(market):
    w = market.w
    v = grant(market)
    order = accepted_order(market)
    vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    orders.transition(user=market.lab_admin, order_id=order.pk, name="deliver", note="ok")
    orders.transition(user=w.firm_admin, order_id=order.pk, name="confirm")
    vouchers.claim_settlement(
        user=market.lab_admin, provider_id=market.lab.pk, programme_id=market.programme.pk
    )
    vouchers.decide_settlement(
        user=w.humen_office, settlement=Settlement.objects.get(), action="reject"
    )
    assert books(market)[K.RECEIVABLE] == Decimal("120.00")
    data, _ = vouchers.claim_settlement(
        user=market.lab_admin, provider_id=market.lab.pk, programme_id=market.programme.pk
    )
    assert data["amount"] == "120.00"
    assert ledger.verify() == []


def test_expiry_returns_unused_amount(market):
    w = market.w
    v = grant(market)
    order = accepted_order(market)
    vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    later = v.expires_on + datetime.timedelta(days=1)
    assert vouchers.expire_vouchers(later) == 1
    assert vouchers.expire_vouchers(later) == 0
    v.refresh_from_db()
    assert v.status == Voucher.Status.EXPIRED
    assert ledger.balance(v.account) == 0
    assert books(market)[K.ENTITLEMENT] == 0
    # Cancelling after expiry sends the subsidy back to the budget, not to the expired voucher.
    orders.transition(user=w.firm_admin, order_id=order.pk, name="cancel")
    assert ledger.balance(v.account) == 0
    assert books(market)[K.BUDGET] == Decimal("1000.00")
    assert ledger.verify() == []


def test_eligibility_cluster_size_revenue(market):
    w = market.w
    p = make_programme(
        w.humen_office,
        market.programme.issuer,
        clusters=[w.humen],
        max_employees=20,
        max_revenue=Decimal("5000000"),
    )
    with pytest.raises(Refused) as e:  # the Keqiao firm is not a Humen member
        vouchers.apply(
            user=w.other_firm_admin,
            programme=p,
            firm=w.other_firm_admin.memberships.get().organisation,
            amount="100",
        )
    assert e.value.code == "not_eligible"
    with pytest.raises(Refused) as e:  # 50 employees, and no revenue declared
        vouchers.apply(user=w.firm_admin, programme=p, firm=w.firm_org, amount="100")
    assert len(e.value.details["reasons"]) == 2 and "50" in e.value.message
    assert not VoucherApplication.objects.filter(programme=p).exists()


def test_cap_per_firm_per_year_and_window(market):
    w = market.w
    grant(market, "400.00")
    with pytest.raises(Refused) as e:
        vouchers.apply(
            user=w.firm_admin, programme=market.programme, firm=w.firm_org, amount="100.01"
        )
    assert e.value.code == "over_cap" and "100.00" in e.value.message
    with pytest.raises(Refused) as e:
        vouchers.apply(
            user=w.firm_admin,
            programme=market.programme,
            firm=w.firm_org,
            amount="10",
            today=market.programme.apply_until + datetime.timedelta(days=1),
        )
    assert e.value.code == "outside_window"
    with pytest.raises(Refused) as e:
        vouchers.apply(
            user=w.firm_admin, programme=market.programme, firm=w.firm_org, amount="1.001"
        )
    assert e.value.code == "invalid_amount"


def test_auto_approve_by_rule(market):
    w = market.w
    p = make_programme(w.humen_office, market.programme.issuer, auto_approve=True)
    app = vouchers.apply(user=w.firm_admin, programme=p, firm=w.firm_org, amount="80")
    app.refresh_from_db()
    assert app.status == VoucherApplication.Status.APPROVED and app.voucher.amount == Decimal(
        "80.00"
    )


def test_rejection_grants_nothing(market):
    w = market.w
    app = vouchers.apply(
        user=w.firm_admin, programme=market.programme, firm=w.firm_org, amount="80"
    )
    vouchers.decide(user=w.humen_office, application=app, approve=False, note="材料不全")
    app.refresh_from_db()
    assert app.status == "rejected" and not Voucher.objects.exists()
    with pytest.raises(Refused):
        vouchers.decide(user=w.humen_office, application=app, approve=True)
