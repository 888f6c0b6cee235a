"""Reads: what each user may see, and the figures of a programme's dashboard."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from weft.accounts.permissions import (
    actor_for,
    orgs_sharing_members,
    own_orgs_where,
    programme_books_q,
    service_orders_q,
    settlements_q,
    vouchers_q,
)

from . import ledger
from .models import (
    Account,
    Category,
    Entry,
    LedgerTransaction,
    Redemption,
    Service,
    ServiceOrder,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherProgramme,
)

K = Account.Kind


def catalogue(*, q: str = "", category: str = "", provider: int | None = None):
    qs = Service.objects.filter(is_active=True).select_related("provider")
    if category:
        qs = qs.filter(category=category)
    if provider:
        qs = qs.filter(provider_id=provider)
    for word in q.split():
        qs = qs.filter(
            Q(title_zh__icontains=word)
            | Q(title_en__icontains=word)
            | Q(description__icontains=word)
            | Q(provider__name_zh__icontains=word)
        )
    return qs.order_by("category", "title_zh", "id")


def orders_for(user):
    if not actor_for(user).is_authenticated:
        return ServiceOrder.objects.none()
    return (
        ServiceOrder.objects.filter(service_orders_q(user))
        .select_related("service", "provider", "firm")
        .distinct()
    )


def programmes_managed(user):
    if not actor_for(user).is_authenticated:
        return VoucherProgramme.objects.none()
    return VoucherProgramme.objects.filter(programme_books_q(user)).select_related("issuer")


def vouchers_for(user):
    if not actor_for(user).is_authenticated:
        return Voucher.objects.none()
    return Voucher.objects.filter(vouchers_q(user)).select_related("programme", "firm", "account")


def applications_for(user):
    if not actor_for(user).is_authenticated:
        return VoucherApplication.objects.none()
    return VoucherApplication.objects.filter(vouchers_q(user)).select_related("programme", "firm")


def settlements_for(user):
    if not actor_for(user).is_authenticated:
        return Settlement.objects.none()
    return Settlement.objects.filter(settlements_q(user)).select_related("programme", "provider")


def firms_to_order_for(user, provider_id) -> tuple[list, list]:
    """(may order, own): the user's firms `services.order_for` allows, split into those that may
    order from this provider and those that share members with it (not offered, said why)."""
    firms = own_orgs_where(user, "services.order_for")
    related = set(orgs_sharing_members(provider_id).values_list("organisation_id", flat=True))
    return [f for f in firms if f.pk not in related], [f for f in firms if f.pk in related]


def unclaimed_subsidies(provider, programme=None):
    """(claimable, held): the provider's earned subsidies not yet claimed. Held are those on
    orders of firms that share members with the provider (members joined after the voucher paid,
    or the order predates the rule): they stay earned but unclaimed, flagged in the issuer's
    review queue, rather than blocking the provider's honest claims."""
    earned = Redemption.objects.filter(
        provider=provider, status=Redemption.Status.EARNED, settlement__isnull=True
    )
    if programme is not None:
        earned = earned.filter(programme=programme)
    related = orgs_sharing_members(provider.pk)
    return earned.exclude(order__firm_id__in=related), earned.filter(order__firm_id__in=related)


def ledger_for(user, programme_id: int | None = None):
    programmes = programmes_managed(user)
    qs = LedgerTransaction.objects.filter(programme__in=programmes).prefetch_related(
        "entries__account"
    )
    if programme_id is not None:
        qs = qs.filter(programme_id=programme_id)
    return qs.order_by("id")


def voucher_balance(voucher: Voucher) -> Decimal:
    acc = getattr(voucher, "account", None)
    return acc.natural_balance if acc else Decimal("0.00")


def dashboard(programme: VoucherProgramme) -> dict:
    """Budget used and left, by category, cluster and provider, and by month."""
    b = ledger.programme_balances(programme)
    used = b[K.COMMITTED] + b[K.RECEIVABLE] + b[K.CLAIMED] + b[K.PAID]
    live = (
        Redemption.objects.filter(programme=programme)
        .exclude(status=Redemption.Status.REVERSED)
        .select_related("order__service", "provider", "order__firm__enterprise")
        .prefetch_related("order__firm__enterprise__clusters")
    )
    by_category, by_provider, by_cluster, by_month = (defaultdict(Decimal) for _ in range(4))
    orders = []
    labels = dict(Category.choices)
    for r in live:
        by_category[str(labels.get(r.order.service.category, r.order.service.category))] += (
            r.subsidy
        )
        by_provider[r.provider.name_zh] += r.subsidy
        enterprise = r.order.firm.enterprise
        clusters = [c.name_zh for c in enterprise.clusters.all()] if enterprise else []
        by_cluster[clusters[0] if clusters else "—"] += r.subsidy
        by_month[r.created_at.strftime("%Y-%m")] += r.subsidy
        orders.append(r)
    return {
        "budget": programme.budget,
        "used": used,
        "left": b[K.BUDGET],
        "held": b[K.COMMITTED],
        "receivable": b[K.RECEIVABLE],
        "claimed": b[K.CLAIMED],
        "paid": b[K.PAID],
        "outstanding_vouchers": b[K.VOUCHER],
        "used_pct": (used * 100 / programme.budget).quantize(Decimal("0.1"))
        if programme.budget
        else 0,
        "by_category": dict(by_category),
        "by_provider": dict(by_provider),
        "by_cluster": dict(by_cluster),
        "by_month": dict(sorted(by_month.items())),
        "redemptions": orders,
    }


def entries_of(accounts):
    return (
        Entry.objects.filter(account__in=accounts)
        .select_related("transaction", "account")
        .order_by("transaction_id", "id")
    )
