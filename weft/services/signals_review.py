"""Fraud signals for an issuer's review queue. Each flag says why; none blocks anything.

Computed from the programme's live redemptions, on request (a programme has thousands of
orders at most, so this is read in one pass)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from weft.accounts.models import Membership
from weft.registry.models import ClusterMembership

from .models import Redemption

NEAR_CAP = Decimal("0.95")  # a subsidy of 95–100 % of the voucher: sized to the cap
BUSY_DAY = 10  # redemptions by one provider in one day
INSTANT_CONFIRM_SECONDS = 60


@dataclass
class Flag:
    kind: str
    why: str
    orders: list[int] = field(default_factory=list)


def review(programme) -> list[Flag]:
    live = list(
        Redemption.objects.filter(programme=programme)
        .exclude(status=Redemption.Status.REVERSED)
        .select_related("voucher", "order", "provider", "order__firm")
    )
    flags: list[Flag] = []
    members = defaultdict(set)
    org_ids = (
        {r.provider_id for r in live} | {r.order.firm_id for r in live} | {programme.issuer_id}
    )
    for user_id, org_id in Membership.objects.filter(organisation_id__in=org_ids).values_list(
        "user_id", "organisation_id"
    ):
        members[org_id].add(user_id)

    shared = defaultdict(list)
    for r in live:
        if members[r.provider_id] & members[r.order.firm_id]:
            shared[(r.provider, r.order.firm)].append(r.order_id)
    for (provider, firm), orders in shared.items():
        flags.append(
            Flag(
                "shared_people",
                _("%(p)s and its customer %(f)s have the same person among their members.")
                % {"p": provider.name_zh, "f": firm.name_zh},
                orders,
            )
        )

    near = [r for r in live if NEAR_CAP * r.voucher.amount <= r.subsidy < r.voucher.amount]
    if near:
        flags.append(
            Flag(
                "just_under_cap",
                _("%(n)d orders were sized so the subsidy is just under the voucher's amount.")
                % {"n": len(near)},
                [r.order_id for r in near],
            )
        )

    per_day = Counter((r.provider_id, r.created_at.date()) for r in live)
    for (provider_id, day), n in per_day.items():
        if n >= BUSY_DAY:
            provider = next(r.provider for r in live if r.provider_id == provider_id)
            flags.append(
                Flag(
                    "busy_day",
                    _("%(p)s had %(n)d subsidised orders on %(d)s.")
                    % {"p": provider.name_zh, "n": n, "d": day},
                    [
                        r.order_id
                        for r in live
                        if r.provider_id == provider_id and r.created_at.date() == day
                    ],
                )
            )

    instant = [
        r
        for r in live
        if r.order.confirmed_at
        and r.order.delivered_at
        and (r.order.confirmed_at - r.order.delivered_at).total_seconds() < INSTANT_CONFIRM_SECONDS
    ]
    if instant:
        flags.append(
            Flag(
                "instant_confirmation",
                _("%(n)d orders were confirmed within a minute of delivery.") % {"n": len(instant)},
                [r.order_id for r in instant],
            )
        )

    # A provider sharing people with the issuing office whose subsidised customers are mostly
    # firms of that office's clusters.
    office_clusters = set(programme.issuer.clusters_managed.values_list("id", flat=True))
    if office_clusters:
        in_cluster = set(
            ClusterMembership.objects.filter(
                cluster_id__in=office_clusters, status=ClusterMembership.Status.APPROVED
            ).values_list("enterprise_id", flat=True)
        )
        by_provider = defaultdict(list)
        for r in live:
            by_provider[r.provider].append(r)
        for provider, rs in by_provider.items():
            if not members[provider.pk] & members[programme.issuer_id]:
                continue
            local = [r for r in rs if r.order.firm.enterprise_id in in_cluster]
            if len(local) * 2 > len(rs):
                flags.append(
                    Flag(
                        "office_colleagues",
                        _(
                            "%(p)s shares people with the issuing office, and %(k)d of its %(n)d "
                            "subsidised orders come from that office's own cluster."
                        )
                        % {"p": provider.name_zh, "k": len(local), "n": len(rs)},
                        [r.order_id for r in local],
                    )
                )
    return flags
