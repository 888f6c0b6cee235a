"""Reads of the marketplace. Every list, search, match and page by id starts from these
querysets, so who sees what is decided once (weft/accounts/permissions/market.py)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.accounts.permissions import (
    can,
    demand_visibility_q,
    offer_visibility_q,
    quote_visibility_q,
)
from weft.registry import divisions
from weft.registry import selectors as registry_selectors
from weft.registry.search import normalise, search_terms

from . import vocabulary
from .models import CapacityOffer, Demand, Notification, Quote, SavedSearch


def visible_demands(user) -> QuerySet[Demand]:
    return Demand.objects.filter(demand_visibility_q(user))


def visible_offers(user) -> QuerySet[CapacityOffer]:
    return CapacityOffer.objects.filter(offer_visibility_q(user))


def visible_quotes(user) -> QuerySet[Quote]:
    return Quote.objects.filter(quote_visibility_q(user))


def demand_for(user, pk: int) -> Demand:
    """One demand by id, or Demand.DoesNotExist when it does not exist *or* is not visible."""
    return visible_demands(user).select_related("buyer", "buyer_org").get(pk=pk)


@dataclass
class HistoryEntry:
    """One status change of a demand as `user` may see it: `actor` and `note` are None where
    `market.view_demand_history` does not allow them."""

    from_status: str
    to_status: str
    at: object
    actor: object = None
    note: str | None = None


def demand_history(user, demand: Demand) -> list[HistoryEntry]:
    details = can(user, "market.view_demand_history", demand)
    return [
        HistoryEntry(
            t.from_status,
            t.to_status,
            t.at,
            actor=t.actor if details else None,
            note=t.note if details else None,
        )
        for t in (
            demand.transitions.select_related("actor") if details else demand.transitions.all()
        )
    ]


def offer_for(user, pk: int) -> CapacityOffer:
    return visible_offers(user).select_related("supplier").get(pk=pk)


def quote_for(user, pk: int) -> Quote:
    return visible_quotes(user).select_related("demand", "supplier").get(pk=pk)


@dataclass
class PostFilters:
    q: str = ""
    stage: str = ""
    category: str = ""
    cluster: int | None = None
    province: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}

    def check(self) -> "PostFilters":
        """These filters, or a 422 naming the first one whose value names nothing, as the
        directory's: an empty list would not tell a typo from a search without results."""
        registry_selectors.refuse_unknown_filters(self.unknown())
        return self

    def unknown(self) -> list[tuple[str, object, str]]:
        """(parameter, value, message) for each filter whose value names nothing."""
        unknown = registry_selectors.unknown_filters(
            cluster=self.cluster, province=self.province, stage=self.stage
        )
        if self.category and self.category not in vocabulary.category_codes():
            codes = sorted(vocabulary.category_codes(self.stage))
            if codes:
                message = _(
                    "Unknown product category “%(value)s” (parameter category): the categories "
                    "of this stage are %(codes)s."
                ) % {"value": self.category, "codes": ", ".join(codes)}
            else:
                message = _(
                    "Unknown product category “%(value)s” (parameter category): give a code such "
                    "as cotton_woven or womenswear."
                ) % {"value": self.category}
            unknown.append(("category", self.category, message))
        return unknown


def _province_prefix(province: str) -> str:
    code = divisions.province_code(province)
    return code or "none"  # an unknown province matches nothing rather than everything


def search_demands(user, f: PostFilters, *, open_only: bool = True) -> QuerySet[Demand]:
    """Chinese substring search over title, spec, fibre, colour, category and place."""
    qs = visible_demands(user)
    if open_only:
        qs = qs.filter(status=Demand.Status.OPEN, quote_deadline__gt=timezone.now())
    for term in search_terms(f.q):
        qs = qs.filter(search_text__contains=normalise(term))
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.cluster:
        qs = qs.filter(clusters__id=f.cluster)
    if f.province:
        qs = qs.filter(delivery_adcode__startswith=_province_prefix(f.province))
    return qs.select_related("buyer").order_by("-published_at", "-id")


def search_offers(user, f: PostFilters, *, open_only: bool = True) -> QuerySet[CapacityOffer]:
    qs = visible_offers(user)
    if open_only:
        qs = qs.filter(
            status=CapacityOffer.Status.OPEN, end_day__gte=timezone.localdate().toordinal()
        )
    for term in search_terms(f.q):
        qs = qs.filter(search_text__contains=normalise(term))
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.category:
        qs = qs.filter(category_tokens__contains=f" {f.category} ")
    if f.cluster:
        qs = qs.filter(cluster_tokens__contains=f" c:{f.cluster} ")
    if f.province:
        qs = qs.filter(province_code=_province_prefix(f.province))
    return qs.select_related("supplier").order_by("-created_at", "-id")


def saved_search_hits(search: SavedSearch, since) -> QuerySet:
    f = PostFilters(**{k: v for k, v in search.filters.items() if k in PostFilters.__annotations__})
    if search.kind == SavedSearch.Kind.DEMANDS:
        return search_demands(search.user, f).filter(published_at__gte=since)
    return search_offers(search.user, f).filter(created_at__gte=since)


def my_firm_offers(user) -> QuerySet[CapacityOffer]:
    from weft.accounts.permissions import actor_for

    orgs = actor_for(user).org_ids()
    return CapacityOffer.objects.filter(supplier_org_id__in=orgs).select_related("supplier")


def my_firm_demands(user) -> QuerySet[Demand]:
    from weft.accounts.permissions import actor_for

    orgs = actor_for(user).org_ids()
    return Demand.objects.filter(buyer_org_id__in=orgs).order_by("-created_at", "-id")


def supplier_feed(user, limit: int = 50):
    """Demands that fit any open offer of the user's firms: strong and new first, each once."""
    from .matching import matches_for_offer

    best = {}
    today = timezone.localdate().toordinal()
    for offer in my_firm_offers(user).filter(status=CapacityOffer.Status.OPEN, end_day__gte=today):
        for m in matches_for_offer(offer, user, limit=limit):
            if m.demand.pk not in best or best[m.demand.pk].score < m.score:
                best[m.demand.pk] = m
    rows = sorted(
        best.values(), key=lambda m: (-round(m.score, 1), -m.demand.published_at.timestamp())
    )
    return rows[:limit]


def unread_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)
