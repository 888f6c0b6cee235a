"""Permissions of the market app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Organisation
from .foundation import ADMIN_ROLES, Actor, _is_enterprise_admin, _offices_enterprise, actor_for

# Who sees a demand is decided by `demand_visibility_q` alone: lists, search, matches and pages by
# id all filter through it (`can(user, "market.view_demand", d)` asks the same question).


def _firm_enterprise_ids(actor: Actor, *, admin: bool = False) -> set[int]:
    return {
        m.organisation.enterprise_id
        for m in actor.memberships
        if m.organisation.kind == Organisation.Kind.ENTERPRISE
        and m.organisation.enterprise_id
        and (not admin or m.is_admin)
    }


def firm_cluster_ids(actor: Actor) -> set[int]:
    """Clusters the actor's firms are approved members of."""
    from weft.registry.models import ClusterMembership

    firms = _firm_enterprise_ids(actor)
    if not firms:
        return set()
    return set(
        ClusterMembership.objects.filter(
            enterprise_id__in=firms, status=ClusterMembership.Status.APPROVED
        ).values_list("cluster_id", flat=True)
    )


def demand_visibility_q(user) -> Q:
    """The demands `user` may see, as a filter on Demand."""
    from weft.market.models import Demand, Invitation, Quote, Visibility

    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    listed = ~Q(status=Demand.Status.DRAFT) & Q(hidden_at__isnull=True)
    rule = listed & Q(visibility=Visibility.PUBLIC)
    if not actor.is_authenticated:
        return rule
    through = Demand.clusters.through
    firms = _firm_enterprise_ids(actor)
    my_clusters = firm_cluster_ids(actor)
    if my_clusters:
        in_my_cluster = through.objects.filter(cluster_id__in=my_clusters).values("demand_id")
        rule |= listed & Q(visibility=Visibility.CLUSTER, pk__in=in_my_cluster)
    if firms:
        invited = Invitation.objects.filter(enterprise_id__in=firms).values("demand_id")
        quoted = Quote.objects.filter(supplier_id__in=firms).values("demand_id")
        rule |= listed & Q(visibility=Visibility.INVITED, pk__in=invited)
        rule |= ~Q(status=Demand.Status.DRAFT) & Q(pk__in=quoted)
    offices = actor.office_cluster_ids()
    if offices:
        office_q = through.objects.filter(cluster_id__in=offices).values("demand_id")
        rule |= ~Q(status=Demand.Status.DRAFT) & Q(pk__in=office_q)
    return rule | Q(buyer_org_id__in=actor.org_ids())


def offer_visibility_q(user) -> Q:
    """The capacity offers `user` may see: all but hidden ones, which stay with their firm, the
    offices of its clusters and the operator."""
    from weft.registry.models import ClusterMembership

    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    rule = Q(hidden_at__isnull=True)
    if actor.is_authenticated:
        rule |= Q(supplier_org_id__in=actor.org_ids())
        offices = actor.office_cluster_ids()
        if offices:
            members = ClusterMembership.objects.filter(
                cluster_id__in=offices, status=ClusterMembership.Status.APPROVED
            ).values("enterprise_id")
            rule |= Q(supplier_id__in=members)
    return rule


def quote_visibility_q(user) -> Q:
    """A quote is seen by its supplier's and its buyer's people (and the operator) only."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    if not actor.is_authenticated:
        return Q(pk__in=[])
    orgs = actor.org_ids()
    return Q(supplier_org_id__in=orgs) | Q(demand__buyer_org_id__in=orgs)


def view_demand(actor: Actor, demand) -> bool:
    from weft.market.models import Demand

    return Demand.objects.filter(demand_visibility_q(actor.user), pk=demand.pk).exists()


def post_for_firm(actor: Actor, enterprise) -> bool:
    """Post a demand or a capacity offer, or quote, on behalf of the firm: its admins."""
    return _is_enterprise_admin(actor, enterprise)


def firms_to_post_for(user) -> list[Organisation]:
    """The user's firms (their organisations) for which `market.post` holds: those a form lets
    them post or quote for. The operator and the offices post for nobody."""
    actor = actor_for(user)
    return [
        m.organisation
        for m in actor.memberships
        if m.organisation.kind == Organisation.Kind.ENTERPRISE
        and m.organisation.enterprise_id
        and post_for_firm(actor, m.organisation.enterprise)
    ]


def manage_demand(actor: Actor, demand) -> bool:
    """Publish, cancel, move along, invite, award: the buyer's admins, nobody else."""
    return actor.role_in(demand.buyer_org_id) in ADMIN_ROLES


def edit_demand(actor: Actor, demand) -> bool:
    """Edit a draft or open demand: the buyer's admins. Which fields may still change (once
    quotes are in) is the lifecycle's business: services.edit_demand."""
    return manage_demand(actor, demand)


def view_demand_history(actor: Actor, demand) -> bool:
    """Who moved a demand along and the notes they left: the buyer's people, the offices of the
    buyer's clusters and the operator. Whoever sees the demand sees its statuses and times; the
    names and notes are the buyer's own business (a cancellation's reason, a supplier's name)."""
    return (
        actor.is_operator
        or actor.role_in(demand.buyer_org_id) is not None
        or _offices_enterprise(actor, demand.buyer, admin=False)
    )


def view_demand_quotes(actor: Actor, demand) -> bool:
    return actor.is_operator or actor.role_in(demand.buyer_org_id) is not None


def quote_on(actor: Actor, demand) -> bool:
    """An admin of a firm other than the buyer, to whom the demand is visible."""
    firms = _firm_enterprise_ids(actor, admin=True) - {demand.buyer_id}
    return bool(firms) and view_demand(actor, demand)


def view_quote(actor: Actor, quote) -> bool:
    from weft.market.models import Quote

    return Quote.objects.filter(quote_visibility_q(actor.user), pk=quote.pk).exists()


def manage_quote(actor: Actor, quote) -> bool:
    return actor.role_in(quote.supplier_org_id) in ADMIN_ROLES


def quote_files(actor: Actor, quote) -> bool:
    """A quote's attachments: the supplier's and the buyer's people only. Not the operator nor a
    cluster office: drawings and price sheets are the two firms' business."""
    return (
        actor.role_in(quote.supplier_org_id) is not None
        or actor.role_in(quote.demand.buyer_org_id) is not None
    )


def download_attachment(actor: Actor, attachment) -> bool:
    """A demand's files go with the demand; a quote's with `quote_files`."""
    if attachment.quote_id is not None:
        return quote_files(actor, attachment.quote)
    return view_demand(actor, attachment.demand)


def view_offer(actor: Actor, offer) -> bool:
    from weft.market.models import CapacityOffer

    return CapacityOffer.objects.filter(offer_visibility_q(actor.user), pk=offer.pk).exists()


def manage_offer(actor: Actor, offer) -> bool:
    return actor.role_in(offer.supplier_org_id) in ADMIN_ROLES


def rate_award(actor: Actor, award) -> bool:
    return (
        actor.role_in(award.demand.buyer_org_id) in ADMIN_ROLES
        or actor.role_in(award.quote.supplier_org_id) in ADMIN_ROLES
    )


def report_post(actor: Actor, post) -> bool:
    from weft.market.models import Demand

    if not actor.is_authenticated:
        return False
    return view_demand(actor, post) if isinstance(post, Demand) else view_offer(actor, post)


def moderate_post(actor: Actor, post) -> bool:
    """Hide or restore a post: the operator, or an office admin of a cluster of the poster."""
    from weft.market.models import Demand

    firm = post.buyer if isinstance(post, Demand) else post.supplier
    return actor.is_operator or _offices_enterprise(actor, firm, admin=True)


def view_reports(actor: Actor, obj=None) -> bool:
    """Open the queue of reported posts: whoever moderates somewhere (an office admin, the
    operator); the queue shows each of them only the posts `moderate_post` lets them decide."""
    return actor.is_operator or bool(actor.office_cluster_ids(admin=True))


RULES: dict[str, Callable[..., bool]] = {
    "market.view_demand": view_demand,
    "market.post": post_for_firm,
    "market.manage_demand": manage_demand,
    "market.edit_demand": edit_demand,
    "market.view_demand_history": view_demand_history,
    "market.view_demand_quotes": view_demand_quotes,
    "market.quote": quote_on,
    "market.view_quote": view_quote,
    "market.manage_quote": manage_quote,
    "market.quote_files": quote_files,
    "market.download_attachment": download_attachment,
    "market.view_offer": view_offer,
    "market.manage_offer": manage_offer,
    "market.rate": rate_award,
    "market.report": report_post,
    "market.moderate": moderate_post,
    "market.view_reports": view_reports,
}
NO_OBJECT_ACTIONS = frozenset({"market.view_reports"})
