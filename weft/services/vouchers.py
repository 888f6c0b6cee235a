"""Voucher programmes, applications, grants, redemptions, expiry and settlements.

Every function that moves money locks the programme row first (then the voucher, then the
order: always in that order), so the checks it makes — budget left, voucher balance, the order
not yet paid — still hold when it writes. See `ledger.lock` for how that works on each database.
"""

import datetime
import hashlib
import json
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.accounts.models import Organisation
from weft.accounts.permissions import can, share_members
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot
from weft.core.text import join_list
from weft.registry.models import ClusterMembership

from . import ledger
from .errors import Refused
from .models import (
    FEN,
    Account,
    IdempotencyRecord,
    LedgerTransaction,
    Redemption,
    ServiceOrder,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherProgramme,
)
from .selectors import unclaimed_subsidies

K = Account.Kind
T = LedgerTransaction.Kind
ZERO = Decimal("0.00")


def _require(user, action, obj):
    if not can(user, action, obj):
        raise PermissionDenied


def _today() -> datetime.date:
    return timezone.localdate()


# --- programmes --------------------------------------------------------------------------------


@transaction.atomic
def create_programme(*, user, issuer: Organisation, data: dict, providers=(), clusters=()):
    """Create a programme and fund its budget in the ledger."""
    _require(user, "services.issue_programme", issuer)
    programme = VoucherProgramme(issuer=issuer, **data)
    programme.full_clean()
    if programme.apply_until < programme.apply_from:
        raise Refused(422, "invalid_window", _("The application window ends before it starts."))
    programme.save()
    programme.providers.set(providers)
    programme.clusters.set(clusters)
    ledger.post(
        T.FUND,
        programme,
        [
            (ledger.account(K.BUDGET, programme), programme.budget),
            (ledger.account(K.FUNDING, programme), -programme.budget),
        ],
        actor=user,
        memo="programme funded",
        reference=f"programme:{programme.pk}",
    )
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=programme, after=snapshot(programme)
    )
    return programme


# --- eligibility and applications -------------------------------------------------------------


def ineligibility(programme: VoucherProgramme, firm: Organisation, declared_revenue=None):
    """Why `firm` may not have a voucher of `programme` (empty when it may)."""
    reasons = []
    enterprise = firm.enterprise if firm.kind == Organisation.Kind.ENTERPRISE else None
    if enterprise is None:
        return [_("Only enterprises registered in Weft can hold vouchers.")]
    cluster_ids = set(programme.clusters.values_list("id", flat=True))
    if cluster_ids:
        member_of = set(
            ClusterMembership.objects.filter(
                enterprise=enterprise, status=ClusterMembership.Status.APPROVED
            ).values_list("cluster_id", flat=True)
        )
        if not cluster_ids & member_of:
            names = join_list(c.name for c in programme.clusters.all())
            reasons.append(
                _("The firm is not an approved member of an eligible cluster (%(names)s).")
                % {"names": names}
            )
    if programme.max_employees is not None:
        if enterprise.employees is None:
            reasons.append(_("The firm's number of employees is not on record."))
        elif enterprise.employees > programme.max_employees:
            reasons.append(
                _("The firm has %(n)d employees; the programme is for firms with at most %(max)d.")
                % {"n": enterprise.employees, "max": programme.max_employees}
            )
    if programme.max_revenue is not None:
        if declared_revenue is None:
            reasons.append(_("Declare last year's revenue: the programme has a revenue limit."))
        elif declared_revenue > programme.max_revenue:
            reasons.append(
                _("Declared revenue ¥%(r)s is above the programme's limit of ¥%(max)s.")
                % {"r": declared_revenue, "max": programme.max_revenue}
            )
    return reasons


def granted_this_year(programme, firm, year: int) -> Decimal:
    amounts = Voucher.objects.filter(programme=programme, firm=firm, granted_at__year=year)
    return sum(amounts.values_list("amount", flat=True), ZERO)


@transaction.atomic
def apply(*, user, programme, firm, amount, declared_revenue=None, note="", today=None):
    _require(user, "services.apply_voucher", firm)
    today = today or _today()
    amount = _amount(amount)
    if not (programme.apply_from <= today <= programme.apply_until):
        raise Refused(
            409,
            "outside_window",
            _("Applications are taken from %(a)s to %(b)s.")
            % {"a": programme.apply_from, "b": programme.apply_until},
        )
    reasons = ineligibility(programme, firm, declared_revenue)
    if reasons:
        raise Refused(409, "not_eligible", " ".join(str(r) for r in reasons), {"reasons": reasons})
    left = programme.cap_per_firm_year - granted_this_year(programme, firm, today.year)
    if amount > left:
        raise Refused(
            409,
            "over_cap",
            _("At most ¥%(left)s more can be granted to this firm this year (cap ¥%(cap)s).")
            % {"left": left, "cap": programme.cap_per_firm_year},
        )
    if VoucherApplication.objects.filter(
        programme=programme, firm=firm, status=VoucherApplication.Status.PENDING
    ).exists():
        raise Refused(409, "already_pending", _("The firm already has an application waiting."))
    application = VoucherApplication.objects.create(
        programme=programme,
        firm=firm,
        amount=amount,
        declared_revenue=declared_revenue,
        note=note,
        applied_by=user,
    )
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=application, after=snapshot(application)
    )
    if programme.auto_approve:
        _grant(application, actor=None, note="approved by rule")
    return application


def _amount(value) -> Decimal:
    try:
        amount = ledger.money(value)
    except (ValueError, ArithmeticError):
        raise Refused(
            422, "invalid_amount", _("Amounts are in yuan to the fen (two decimal places).")
        ) from None
    if amount <= 0:
        raise Refused(422, "invalid_amount", _("The amount must be more than zero."))
    return amount


@transaction.atomic
def decide(*, user, application, approve: bool, note="", amount=None):
    _require(user, "services.manage_programme", application.programme)
    ledger.lock(VoucherProgramme.objects.filter(pk=application.programme_id))
    application = ledger.lock(VoucherApplication.objects.filter(pk=application.pk))
    if application.status != VoucherApplication.Status.PENDING:
        raise Refused(409, "already_decided", _("This application has been decided already."))
    if amount is not None:
        application.amount = _amount(amount)
    if not approve:
        before = snapshot(application)
        application.status = VoucherApplication.Status.REJECTED
        application.decided_by, application.decided_at = user, timezone.now()
        application.decision_note = note[:300]
        application.save()
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=application,
            before=before,
            after=snapshot(application),
        )
        return application
    return _grant(application, actor=user, note=note)


def _grant(application, *, actor, note):
    programme = application.programme
    left = programme.cap_per_firm_year - granted_this_year(
        programme, application.firm, _today().year
    )
    if application.amount > left:
        raise Refused(
            409,
            "over_cap",
            _("At most ¥%(left)s more can be granted to this firm this year (cap ¥%(cap)s).")
            % {"left": left, "cap": programme.cap_per_firm_year},
        )
    before = snapshot(application)
    application.status = VoucherApplication.Status.APPROVED
    application.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    application.decided_at = timezone.now()
    application.decision_note = note[:300]
    application.save()
    voucher = Voucher.objects.create(
        programme=programme,
        firm=application.firm,
        application=application,
        amount=application.amount,
        expires_on=_today() + datetime.timedelta(days=programme.validity_days),
    )
    ledger.post(
        T.GRANT,
        programme,
        [
            (ledger.account(K.VOUCHER, programme, voucher=voucher), voucher.amount),
            (ledger.account(K.ENTITLEMENT, programme), -voucher.amount),
        ],
        actor=actor,
        reference=f"voucher:{voucher.pk}",
    )
    record_change(
        actor=actor,
        action=AuditRecord.Action.UPDATE,
        obj=application,
        before=before,
        after=snapshot(application),
        reason=note,
    )
    record_change(
        actor=actor, action=AuditRecord.Action.CREATE, obj=voucher, after=snapshot(voucher)
    )
    return application


# --- idempotency -------------------------------------------------------------------------------


def _fingerprint(**args) -> str:
    return hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()


def _replay(user, scope, key, fingerprint):
    """The first answer under `key`, or None. Call with the programme locked."""
    if not key:
        return None
    record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
    if record is not None and record.fingerprint != fingerprint:
        raise Refused(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was used for a different request."),
        )
    return record


def _remember(user, scope, key, fingerprint, status, response):
    if key:
        IdempotencyRecord.objects.create(
            user=user,
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            status_code=status,
            response=response,
        )


def _check_key(key):
    if key is not None and not (1 <= len(key) <= 100):
        raise Refused(
            422, "invalid_idempotency_key", _("An Idempotency-Key has 1 to 100 characters.")
        )


# --- redemption --------------------------------------------------------------------------------


def redemption_data(r: Redemption) -> dict:
    return {
        "id": r.pk,
        "voucher_id": r.voucher_id,
        "order_id": r.order_id,
        "order_amount": str(r.order_amount),
        "subsidy": str(r.subsidy),
        "firm_pays": str(r.order_amount - r.subsidy),
        "status": r.status,
    }


def subsidy_for(programme, order_amount: Decimal, voucher_left: Decimal, budget_left: Decimal):
    """min(ratio × order amount, voucher balance, budget remaining), rounded down to the fen."""
    by_ratio = (programme.subsidy_ratio * order_amount).quantize(FEN, rounding=ROUND_DOWN)
    return min(by_ratio, voucher_left, budget_left)


def redeem(*, user, voucher_id: int, order_id: int, idempotency_key: str | None = None):
    """Pay part of an accepted order with a voucher. Returns (data, replayed)."""
    _check_key(idempotency_key)
    fingerprint = _fingerprint(voucher=voucher_id, order=order_id)
    try:
        with transaction.atomic():
            return _redeem(user, voucher_id, order_id, idempotency_key, fingerprint)
    except IntegrityError:
        # A concurrent request with the same key won the race (possible only where the key's
        # first use and this one raced on different programmes): answer with its result.
        record = _replay(user, "redeem", idempotency_key, fingerprint)
        if record is None:
            raise
        return record.response, True


def _redeem(user, voucher_id, order_id, key, fingerprint):
    voucher = Voucher.objects.filter(pk=voucher_id).select_related("programme").first()
    if voucher is None or not can(user, "services.view_voucher", voucher):
        raise Refused(404, "not_found", _("No voucher has id %(id)s.") % {"id": voucher_id})
    _require(user, "services.redeem_voucher", voucher)
    programme = ledger.lock(VoucherProgramme.objects.filter(pk=voucher.programme_id))
    record = _replay(user, "redeem", key, fingerprint)
    if record is not None:
        return record.response, True
    voucher = ledger.lock(Voucher.objects.filter(pk=voucher_id))
    order = ServiceOrder.objects.filter(pk=order_id).select_related("service").first()
    if order is None or order.firm_id != voucher.firm_id:
        raise Refused(
            404, "not_found", _("The firm has no service order with id %(id)s.") % {"id": order_id}
        )
    # Checked again here, not only when ordering: members may have joined since.
    if share_members(order.firm_id, order.provider_id):
        raise Refused(
            403,
            "self_dealing",
            _(
                "The firm and the provider of this order share members: a voucher does not pay "
                "for a firm's own services."
            ),
        )
    order = ledger.lock(ServiceOrder.objects.filter(pk=order_id).select_related("service"))
    if order.status != ServiceOrder.Status.ACCEPTED:
        raise Refused(
            409,
            "order_not_accepted",
            _("A voucher pays for an order once its quote is accepted and before delivery."),
        )
    if Redemption.objects.filter(order=order).exclude(status=Redemption.Status.REVERSED).exists():
        raise Refused(409, "already_redeemed", _("A voucher already pays part of this order."))
    if voucher.status != Voucher.Status.ACTIVE or voucher.expires_on < _today():
        raise Refused(
            409, "voucher_expired", _("The voucher expired on %(d)s.") % {"d": voucher.expires_on}
        )
    if programme.categories and order.service.category not in programme.categories:
        raise Refused(
            409, "category_not_eligible", _("The programme does not cover this kind of service.")
        )
    providers = set(programme.providers.values_list("id", flat=True))
    if providers and order.provider_id not in providers:
        raise Refused(
            409, "provider_not_eligible", _("The programme does not cover this provider.")
        )
    budget, voucher_acc, committed, entitlement = ledger.accounts(
        programme,
        (K.BUDGET, None, None),
        (K.VOUCHER, None, voucher),
        (K.COMMITTED, None, None),
        (K.ENTITLEMENT, None, None),
    )
    # Read just now, under the programme lock: current.
    voucher_left, budget_left = voucher_acc.natural_balance, budget.natural_balance
    if voucher_left <= 0:
        raise Refused(409, "voucher_used_up", _("The voucher has no balance left."))
    if budget_left <= 0:
        raise Refused(
            409, "budget_exhausted", _("The programme's budget is used up; no subsidy is left.")
        )
    subsidy = subsidy_for(programme, order.quote_amount, voucher_left, budget_left)
    if subsidy <= 0:
        raise Refused(409, "no_subsidy", _("The order is too small to subsidise."))
    ledger.post(
        T.REDEEM,
        programme,
        [
            (committed, subsidy),
            (budget, -subsidy),
            (entitlement, subsidy),
            (voucher_acc, -subsidy),
        ],
        actor=user,
        reference=f"order:{order.pk}",
    )
    redemption = Redemption.objects.create(
        voucher=voucher,
        programme=programme,
        order=order,
        provider_id=order.provider_id,
        order_amount=order.quote_amount,
        subsidy=subsidy,
        created_by=user,
    )
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=redemption, after=snapshot(redemption)
    )
    data = redemption_data(redemption)
    _remember(user, "redeem", key, fingerprint, 201, data)
    return data, False


def live_redemption(order) -> Redemption | None:
    return order.redemptions.exclude(status=Redemption.Status.REVERSED).first()


def return_subsidy(redemption: Redemption, *, actor, reason: str) -> None:
    """The order was cancelled before confirmation: reverse the redemption. Call inside a
    transaction holding the programme lock. If the voucher has expired meanwhile, the returned
    amount goes on to the budget's side as expired entitlement, not back to the firm."""
    txn = LedgerTransaction.objects.get(
        programme=redemption.programme,
        kind=T.REDEEM,
        reference=f"order:{redemption.order_id}",
        reversed_by__isnull=True,
    )
    ledger.reverse(txn, actor=actor, memo=reason)
    redemption.status = Redemption.Status.REVERSED
    redemption.save(update_fields=["status"])
    voucher = ledger.lock(Voucher.objects.filter(pk=redemption.voucher_id))
    if voucher.status == Voucher.Status.EXPIRED:
        _expire_balance(voucher, actor=actor)


def earn_subsidy(redemption: Redemption, *, actor) -> None:
    """The firm confirmed delivery: the held subsidy becomes the provider's receivable."""
    programme = redemption.programme
    ledger.post(
        T.EARN,
        programme,
        [
            (
                ledger.account(K.RECEIVABLE, programme, organisation=redemption.provider),
                redemption.subsidy,
            ),
            (ledger.account(K.COMMITTED, programme), -redemption.subsidy),
        ],
        actor=actor,
        reference=f"order:{redemption.order_id}",
    )
    redemption.status = Redemption.Status.EARNED
    redemption.save(update_fields=["status"])


# --- expiry ------------------------------------------------------------------------------------


def _expire_balance(voucher: Voucher, *, actor=None) -> Decimal:
    programme = voucher.programme
    acc = ledger.account(K.VOUCHER, programme, voucher=voucher)
    left = ledger.balance(acc)
    if left > 0:
        ledger.post(
            T.EXPIRE,
            programme,
            [(ledger.account(K.ENTITLEMENT, programme), left), (acc, -left)],
            actor=actor,
            reference=f"voucher:{voucher.pk}",
        )
    return left


def expire_vouchers(today: datetime.date | None = None) -> int:
    """Expire every voucher past its last day; their unused balance goes back to the programme."""
    today = today or _today()
    done = 0
    due = Voucher.objects.filter(status=Voucher.Status.ACTIVE, expires_on__lt=today)
    for voucher_id, programme_id in due.values_list("pk", "programme_id"):
        with transaction.atomic():
            ledger.lock(VoucherProgramme.objects.filter(pk=programme_id))
            voucher = ledger.lock(Voucher.objects.filter(pk=voucher_id).select_related("programme"))
            if voucher.status != Voucher.Status.ACTIVE:
                continue
            left = _expire_balance(voucher)
            voucher.status = Voucher.Status.EXPIRED
            voucher.save(update_fields=["status"])
            record_change(
                actor=None,
                action=AuditRecord.Action.UPDATE,
                obj=voucher,
                before={"status": "active"},
                after={"status": "expired"},
                reason=f"expired; ¥{left} unused returned",
            )
            done += 1
    return done


# --- settlements -------------------------------------------------------------------------------


def settlement_data(s: Settlement) -> dict:
    return {
        "id": s.pk,
        "programme_id": s.programme_id,
        "provider_id": s.provider_id,
        "amount": str(s.amount),
        "status": s.status,
        "orders": sorted(s.redemptions.values_list("order_id", flat=True)),
    }


def claim_settlement(*, user, provider_id: int, programme_id: int, idempotency_key=None):
    """Claim every earned, unclaimed subsidy of `provider` under `programme`, except those on
    orders of firms sharing members with it (see `selectors.unclaimed_subsidies`).
    (data, replayed)"""
    _check_key(idempotency_key)
    fingerprint = _fingerprint(provider=provider_id, programme=programme_id)
    provider = Organisation.objects.filter(pk=provider_id).first()
    if provider is None or not can(user, "services.claim_settlement", provider):
        raise PermissionDenied
    if not VoucherProgramme.objects.filter(pk=programme_id).exists():
        raise Refused(
            404, "not_found", _("No voucher programme has id %(id)s.") % {"id": programme_id}
        )
    with transaction.atomic():
        programme = ledger.lock(VoucherProgramme.objects.filter(pk=programme_id))
        record = _replay(user, "settlement", idempotency_key, fingerprint)
        if record is not None:
            return record.response, True
        earned, held = unclaimed_subsidies(provider, programme)
        # Read once: what is summed is exactly what the settlement takes.
        earned = dict(earned.values_list("pk", "subsidy"))
        amount = sum(earned.values(), ZERO)
        if amount <= 0 and held.exists():
            raise Refused(
                409,
                "self_dealing",
                _(
                    "The subsidies left to claim are on orders of firms that share members with "
                    "your organisation: a provider cannot claim subsidies for its own firms' "
                    "orders."
                ),
                {"held_orders": sorted(held.values_list("order_id", flat=True))},
            )
        if amount <= 0:
            raise Refused(
                409, "nothing_to_claim", _("There are no confirmed, unclaimed subsidies to claim.")
            )
        settlement = Settlement.objects.create(
            programme=programme, provider=provider, amount=amount, claimed_by=user
        )
        Redemption.objects.filter(pk__in=earned).update(settlement=settlement)
        ledger.post(
            T.CLAIM,
            programme,
            [
                (ledger.account(K.CLAIMED, programme, organisation=provider), amount),
                (ledger.account(K.RECEIVABLE, programme, organisation=provider), -amount),
            ],
            actor=user,
            reference=f"settlement:{settlement.pk}",
        )
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=settlement, after=snapshot(settlement)
        )
        data = settlement_data(settlement)
        _remember(user, "settlement", idempotency_key, fingerprint, 201, data)
        return data, False


@transaction.atomic
def decide_settlement(*, user, settlement: Settlement, action: str, reference: str = ""):
    """The issuer approves, rejects (the claim is reversed) or marks an approved claim paid."""
    _require(user, "services.decide_settlement", settlement)
    programme = ledger.lock(VoucherProgramme.objects.filter(pk=settlement.programme_id))
    settlement = ledger.lock(Settlement.objects.filter(pk=settlement.pk))
    before = snapshot(settlement)
    S = Settlement.Status
    allowed = {"approve": (S.CLAIMED,), "reject": (S.CLAIMED, S.APPROVED), "pay": (S.APPROVED,)}
    if action not in allowed:
        raise Refused(422, "invalid_action", _("Say approve, reject or pay."))
    if settlement.status not in allowed[action]:
        raise Refused(
            409,
            "wrong_status",
            _("A settlement that is %(status)s cannot be changed that way.")
            % {"status": settlement.get_status_display()},
        )
    now = timezone.now()
    if action == "approve":
        settlement.status, settlement.decided_by, settlement.decided_at = S.APPROVED, user, now
    elif action == "reject":
        claim = LedgerTransaction.objects.get(
            programme=programme, kind=T.CLAIM, reference=f"settlement:{settlement.pk}"
        )
        ledger.reverse(claim, actor=user, memo="settlement rejected")
        settlement.redemptions.update(settlement=None)
        settlement.status, settlement.decided_by, settlement.decided_at = S.REJECTED, user, now
    else:
        ledger.post(
            T.PAY,
            programme,
            [
                (
                    ledger.account(K.PAID, programme, organisation=settlement.provider),
                    settlement.amount,
                ),
                (
                    ledger.account(K.CLAIMED, programme, organisation=settlement.provider),
                    -settlement.amount,
                ),
            ],
            actor=user,
            reference=f"settlement:{settlement.pk}",
            memo=reference,
        )
        settlement.status, settlement.paid_at = S.PAID, now
        settlement.payment_reference = reference[:100]
    settlement.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=settlement,
        before=before,
        after=snapshot(settlement),
    )
    return settlement
