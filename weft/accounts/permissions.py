"""Every permission in Weft is decided here, from (user, organisation, role, object).

Views, API handlers and templates ask `can(user, action, obj)`; they never test roles themselves.
"""

from collections.abc import Callable

from django.db.models import Q

from .models import Membership, Organisation

ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


class Actor:
    """A user's memberships, loaded once and cached on the user object for the request."""

    def __init__(self, user):
        self.user = user
        self.memberships: list[Membership] = []
        if user is not None and user.is_authenticated and user.is_active:
            self.memberships = list(
                Membership.objects.filter(user=user).select_related("organisation")
            )

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @property
    def is_operator(self) -> bool:
        return any(m.organisation.kind == Organisation.Kind.OPERATOR for m in self.memberships) or (
            self.is_authenticated and self.user.is_superuser
        )

    def org_ids(self, *, kind=None, admin=False) -> set[int]:
        return {
            m.organisation_id
            for m in self.memberships
            if (kind is None or m.organisation.kind == kind) and (not admin or m.is_admin)
        }

    def role_in(self, org_id) -> str | None:
        return next((m.role for m in self.memberships if m.organisation_id == org_id), None)

    def office_cluster_ids(self, *, admin=False) -> set[int]:
        from weft.registry.models import Cluster

        offices = self.org_ids(kind=Organisation.Kind.CLUSTER_OFFICE, admin=admin)
        if not offices:
            return set()
        return set(Cluster.objects.filter(office_id__in=offices).values_list("id", flat=True))


def actor_for(user) -> Actor:
    if user is None:
        return Actor(None)
    cached = getattr(user, "_weft_actor", None)
    if cached is None:
        cached = Actor(user)
        if user.is_authenticated:
            user._weft_actor = cached
    return cached


def forget_actor(user) -> None:
    """Drop the cached memberships after a service changed them within the same request."""
    # request.user is a lazy proxy: delete through it, not from its own __dict__.
    if user is not None and getattr(user, "_weft_actor", None) is not None:
        del user._weft_actor


# --- rules -------------------------------------------------------------------------------------


def _enterprise_org_id(enterprise) -> int | None:
    org = getattr(enterprise, "organisation", None) if enterprise.pk else None
    try:
        return org.pk if org else None
    except Organisation.DoesNotExist:
        return None


def _approved_cluster_ids(enterprise) -> set[int]:
    from weft.registry.models import ClusterMembership

    return set(
        enterprise.cluster_memberships.filter(status=ClusterMembership.Status.APPROVED).values_list(
            "cluster_id", flat=True
        )
    )


def _is_enterprise_admin(actor: Actor, enterprise) -> bool:
    org_id = _enterprise_org_id(enterprise)
    return org_id is not None and actor.role_in(org_id) in ADMIN_ROLES


def _is_enterprise_member(actor: Actor, enterprise) -> bool:
    org_id = _enterprise_org_id(enterprise)
    return org_id is not None and actor.role_in(org_id) is not None


def _offices_enterprise(actor: Actor, enterprise, *, admin: bool) -> bool:
    offices = actor.office_cluster_ids(admin=admin)
    return bool(offices and offices & _approved_cluster_ids(enterprise))


def change_enterprise(actor: Actor, enterprise) -> bool:
    return (
        actor.is_operator
        or _is_enterprise_admin(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=True)
    )


def view_private_contact(actor: Actor, enterprise) -> bool:
    return (
        actor.is_operator
        or _is_enterprise_member(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=False)
    )


def create_enterprise(actor: Actor, cluster=None) -> bool:
    """Anyone signed in may register their own firm; adding a firm to a cluster's roll directly
    is for that cluster's office (or the operator)."""
    if not actor.is_authenticated:
        return False
    if cluster is None:
        return True
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def request_membership(actor: Actor, enterprise) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, enterprise)


def decide_membership(actor: Actor, membership) -> bool:
    return actor.is_operator or membership.cluster_id in actor.office_cluster_ids(admin=True)


def change_cluster(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def view_organisation(actor: Actor, org) -> bool:
    return actor.is_operator or actor.role_in(org.pk) is not None


def manage_organisation(actor: Actor, org) -> bool:
    return actor.is_operator or actor.role_in(org.pk) in ADMIN_ROLES


def change_owner_role(actor: Actor, org) -> bool:
    """Only an owner (or the operator) may make or unmake owners."""
    return actor.is_operator or actor.role_in(org.pk) == Membership.Role.OWNER


def view_audit(actor: Actor, obj=None) -> bool:
    return actor.is_operator


# --- chain ---------------------------------------------------------------------------------------
# Chain profiles, gaps and partners are public; cluster offices declare their own cluster's needs;
# docking events belong to the host cluster's office; firms act for their own registrations.


def chain_declare_gap(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def chain_recompute(actor: Actor, obj=None) -> bool:
    return actor.is_operator


def docking_create_event(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def docking_manage_event(actor: Actor, event) -> bool:
    return actor.is_operator or event.host_id in actor.office_cluster_ids(admin=True)


def docking_register(actor: Actor, enterprise) -> bool:
    """A firm's admins register it for an event (so may its cluster office, as for its profile)."""
    return change_enterprise(actor, enterprise)


def docking_act_for(actor: Actor, registration) -> bool:
    """Ask for meetings, accept or decline them, record outcomes: the firm's admins, the event's
    organiser."""
    return change_enterprise(actor, registration.enterprise) or docking_manage_event(
        actor, registration.event
    )


def docking_view_registration(actor: Actor, registration) -> bool:
    return (
        actor.is_operator
        or _is_enterprise_member(actor, registration.enterprise)
        or _offices_enterprise(actor, registration.enterprise, admin=False)
        or registration.event.host_id in actor.office_cluster_ids(admin=False)
    )


# --- market ------------------------------------------------------------------------------------
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


def manage_demand(actor: Actor, demand) -> bool:
    """Publish, cancel, move along, invite, award: the buyer's admins, nobody else."""
    return actor.role_in(demand.buyer_org_id) in ADMIN_ROLES


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
# --- services ---------------------------------------------------------------------------------
# Service catalogue, orders, voucher programmes, vouchers, settlements and the ledger.
# Money-moving and order-changing steps need an owner/admin of the organisation concerned; any
# member may look. Issuers (operator or cluster office) see only their own programmes' books.


def _in_org(actor: Actor, org_id, *, admin=False) -> bool:
    role = actor.role_in(org_id)
    return role is not None and (not admin or role in ADMIN_ROLES)


def offer_services(actor: Actor, org) -> bool:
    return org.kind == Organisation.Kind.SERVICE_PROVIDER and (
        actor.is_operator or _in_org(actor, org.pk, admin=True)
    )


def manage_service(actor: Actor, service) -> bool:
    return actor.is_operator or _in_org(actor, service.provider_id, admin=True)


def order_for(actor: Actor, firm_org) -> bool:
    return firm_org.kind == Organisation.Kind.ENTERPRISE and _in_org(actor, firm_org.pk, admin=True)


def _order_offices(actor: Actor, order) -> bool:
    enterprise = order.firm.enterprise
    return enterprise is not None and _offices_enterprise(actor, enterprise, admin=True)


def view_order(actor: Actor, order) -> bool:
    return (
        actor.is_operator
        or _in_org(actor, order.firm_id)
        or _in_org(actor, order.provider_id)
        or (order.status == "disputed" and _order_offices(actor, order))
    )


def act_as_firm(actor: Actor, order) -> bool:
    return _in_org(actor, order.firm_id, admin=True)


def act_as_provider(actor: Actor, order) -> bool:
    return _in_org(actor, order.provider_id, admin=True)


def act_on_order(actor: Actor, order) -> bool:
    return act_as_firm(actor, order) or act_as_provider(actor, order)


def resolve_dispute(actor: Actor, order) -> bool:
    return actor.is_operator or _order_offices(actor, order)


def issue_programme(actor: Actor, org) -> bool:
    return org.kind in (
        Organisation.Kind.OPERATOR,
        Organisation.Kind.CLUSTER_OFFICE,
    ) and _in_org(actor, org.pk, admin=True)


def manage_programme(actor: Actor, programme) -> bool:
    return actor.is_operator or _in_org(actor, programme.issuer_id, admin=True)


def view_programme_books(actor: Actor, programme) -> bool:
    return actor.is_operator or _in_org(actor, programme.issuer_id)


def apply_voucher(actor: Actor, firm_org) -> bool:
    return order_for(actor, firm_org)


def view_voucher(actor: Actor, voucher) -> bool:
    return (
        actor.is_operator
        or _in_org(actor, voucher.firm_id)
        or _in_org(actor, voucher.programme.issuer_id)
    )


def redeem_voucher(actor: Actor, voucher) -> bool:
    return _in_org(actor, voucher.firm_id, admin=True)


def claim_settlement(actor: Actor, provider_org) -> bool:
    return provider_org.kind == Organisation.Kind.SERVICE_PROVIDER and _in_org(
        actor, provider_org.pk, admin=True
    )


def view_settlement(actor: Actor, settlement) -> bool:
    return (
        actor.is_operator
        or _in_org(actor, settlement.provider_id)
        or _in_org(actor, settlement.programme.issuer_id)
    )


def decide_settlement(actor: Actor, settlement) -> bool:
    return manage_programme(actor, settlement.programme)


def service_orders_q(user) -> Q:
    """Orders the user may see: own firm's, own provider's; disputes of the offices' firms."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    orgs = actor.org_ids()
    q = Q(firm_id__in=orgs) | Q(provider_id__in=orgs)
    clusters = actor.office_cluster_ids(admin=True)
    if clusters:
        q |= Q(
            status="disputed",
            firm__enterprise__cluster_memberships__cluster_id__in=clusters,
            firm__enterprise__cluster_memberships__status="approved",
        )
    return q


def programme_books_q(user) -> Q:
    """Programmes whose books the user may read (issuer members; the operator: all)."""
    actor = actor_for(user)
    return Q() if actor.is_operator else Q(issuer_id__in=actor.org_ids())


def vouchers_q(user, prefix: str = "") -> Q:
    """Vouchers (or, with prefix "voucher__"/"" on applications, by firm) the user may see."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    orgs = actor.org_ids()
    return Q(**{f"{prefix}firm_id__in": orgs}) | Q(**{f"{prefix}programme__issuer_id__in": orgs})


def settlements_q(user) -> Q:
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    orgs = actor.org_ids()
    return Q(provider_id__in=orgs) | Q(programme__issuer_id__in=orgs)


RULES: dict[str, Callable[..., bool]] = {
    "registry.change_enterprise": change_enterprise,
    "registry.view_private_contact": view_private_contact,
    "registry.create_enterprise": create_enterprise,
    "registry.request_membership": request_membership,
    "registry.decide_membership": decide_membership,
    "registry.change_cluster": change_cluster,
    "accounts.view_organisation": view_organisation,
    "accounts.manage_organisation": manage_organisation,
    "accounts.change_owner_role": change_owner_role,
    "audit.view": view_audit,
    "chain.declare_gap": chain_declare_gap,
    "chain.recompute": chain_recompute,
    "docking.create_event": docking_create_event,
    "docking.manage_event": docking_manage_event,
    "docking.register": docking_register,
    "docking.act_for": docking_act_for,
    "docking.view_registration": docking_view_registration,
    "market.view_demand": view_demand,
    "market.post": post_for_firm,
    "market.manage_demand": manage_demand,
    "market.view_demand_quotes": view_demand_quotes,
    "market.quote": quote_on,
    "market.view_quote": view_quote,
    "market.manage_quote": manage_quote,
    "market.view_offer": view_offer,
    "market.manage_offer": manage_offer,
    "market.rate": rate_award,
    "market.report": report_post,
    "market.moderate": moderate_post,
    "services.offer_services": offer_services,
    "services.manage_service": manage_service,
    "services.order_for": order_for,
    "services.view_order": view_order,
    "services.act_as_firm": act_as_firm,
    "services.act_as_provider": act_as_provider,
    "services.act_on_order": act_on_order,
    "services.resolve_dispute": resolve_dispute,
    "services.issue_programme": issue_programme,
    "services.manage_programme": manage_programme,
    "services.view_programme_books": view_programme_books,
    "services.apply_voucher": apply_voucher,
    "services.view_voucher": view_voucher,
    "services.redeem_voucher": redeem_voucher,
    "services.claim_settlement": claim_settlement,
    "services.view_settlement": view_settlement,
    "services.decide_settlement": decide_settlement,
}


def can(user, action: str, obj=None) -> bool:
    rule = RULES[action]  # an unknown action is a programming error, not a denial
    actor = actor_for(user)
    if obj is None:
        return (
            rule(actor)
            if action in ("registry.create_enterprise", "audit.view", "chain.recompute")
            else False
        )
    return rule(actor, obj)


def pending_memberships_q(user) -> Q:
    """Which membership requests the user may decide (for list pages)."""
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    return Q(cluster_id__in=actor.office_cluster_ids(admin=True))


# --- talent ------------------------------------------------------------------------------------
# Profiles are visible only as the person chose: public, to the firms and office of their cluster,
# or hidden. Applying to a job shares the profile, and its contact data, with that firm. The
# operator sees public and cluster profiles but, like everyone else, not hidden ones.

PUBLISHER_KINDS = (
    Organisation.Kind.CLUSTER_OFFICE,
    Organisation.Kind.ENTERPRISE,
    Organisation.Kind.SERVICE_PROVIDER,
)


def actor_cluster_ids(actor: Actor) -> set[int]:
    """Clusters the actor works in: as their office, or as a member of an approved firm there."""
    from weft.registry.models import ClusterMembership

    ids = set(actor.office_cluster_ids())
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    if firm_orgs:
        ids |= set(
            ClusterMembership.objects.filter(
                enterprise__organisation__in=firm_orgs,
                status=ClusterMembership.Status.APPROVED,
            ).values_list("cluster_id", flat=True)
        )
    return ids


def publish_course(actor: Actor, org) -> bool:
    return actor.is_operator or (
        org.kind in PUBLISHER_KINDS and actor.role_in(org.pk) in ADMIN_ROLES
    )


def manage_course(actor: Actor, course) -> bool:
    return actor.is_operator or actor.role_in(course.provider_id) in ADMIN_ROLES


def enrol(actor: Actor, course) -> bool:
    return actor.is_authenticated


def post_job(actor: Actor, enterprise) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, enterprise)


def manage_job(actor: Actor, job) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, job.enterprise)


def apply_to_job(actor: Actor, job) -> bool:
    # A firm's own people do not apply to its openings.
    return actor.is_authenticated and not _is_enterprise_member(actor, job.enterprise)


def _applied_to_actors_firm(actor: Actor, profile) -> bool:
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    return (
        bool(firm_orgs)
        and profile.applications.filter(job__enterprise__organisation__in=firm_orgs).exists()
    )


def view_talent_profile(actor: Actor, profile) -> bool:
    if actor.is_authenticated and profile.user_id == actor.user.pk:
        return True
    vis = profile.visibility
    if vis == "public":
        return True
    if vis == "cluster" and (
        actor.is_operator or (profile.cluster_id and profile.cluster_id in actor_cluster_ids(actor))
    ):
        return True
    return _applied_to_actors_firm(actor, profile)


def view_talent_personal_data(actor: Actor, profile) -> bool:
    if actor.is_authenticated and profile.user_id == actor.user.pk:
        return True
    return _applied_to_actors_firm(actor, profile)


def search_talent(actor: Actor, cluster) -> bool:
    """Firms and offices search the talent pool of their own clusters (and the operator any)."""
    return actor.is_operator or cluster.pk in actor_cluster_ids(actor)


def visible_profiles_q(user) -> Q:
    """Which talent profiles the user may see in lists (personal fields are never listed)."""
    actor = actor_for(user)
    q = Q(visibility="public")
    if not actor.is_authenticated:
        return q
    q |= Q(user_id=actor.user.pk)
    if actor.is_operator:
        q |= Q(visibility="cluster")
    else:
        clusters = actor_cluster_ids(actor)
        if clusters:
            q |= Q(visibility="cluster", cluster_id__in=clusters)
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    if firm_orgs:
        from weft.talent.models import Application

        q |= Q(
            pk__in=Application.objects.filter(job__enterprise__organisation__in=firm_orgs).values(
                "profile_id"
            )
        )
    return q


RULES.update(
    {
        "talent.publish_course": publish_course,
        "talent.manage_course": manage_course,
        "talent.enrol": enrol,
        "talent.post_job": post_job,
        "talent.manage_job": manage_job,
        "talent.apply": apply_to_job,
        "talent.view_profile": view_talent_profile,
        "talent.view_personal_data": view_talent_personal_data,
        "talent.search": search_talent,
    }
)


# --- csr ---------------------------------------------------------------------------------------
# A firm's answers and evidence are seen only by the firm, the offices of its clusters, the
# operator and the auditor organisation it invited. Only the firm's admins edit; offices and the
# invited auditor review. The verified level itself is public (that is what a badge is for).


def _is_auditor(actor: Actor, assessment, *, admin: bool) -> bool:
    if not assessment.auditor_id:
        return False
    role = actor.role_in(assessment.auditor_id)
    return role in ADMIN_ROLES if admin else role is not None


def start_csr(actor: Actor, enterprise) -> bool:
    return actor.is_operator or _is_enterprise_admin(actor, enterprise)


def view_csr(actor: Actor, assessment) -> bool:
    firm = assessment.enterprise
    return (
        actor.is_operator
        or _is_enterprise_member(actor, firm)
        or _offices_enterprise(actor, firm, admin=False)
        or _is_auditor(actor, assessment, admin=False)
    )


def edit_csr(actor: Actor, assessment) -> bool:
    return _is_enterprise_admin(actor, assessment.enterprise) or actor.is_operator


def review_csr(actor: Actor, assessment) -> bool:
    return (
        actor.is_operator
        or _offices_enterprise(actor, assessment.enterprise, admin=True)
        or _is_auditor(actor, assessment, admin=True)
    )


def manage_permits(actor: Actor, enterprise) -> bool:
    return actor.is_operator or change_enterprise(actor, enterprise)


def view_permits(actor: Actor, enterprise) -> bool:
    return view_private_contact(actor, enterprise)


def view_green_firms(actor: Actor, cluster) -> bool:
    """Firm-by-firm green figures of a cluster: its office and the operator; others see totals."""
    return actor.is_operator or cluster.pk in actor.office_cluster_ids()


def visible_assessments_q(user) -> Q:
    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    if not actor.is_authenticated:
        return Q(pk__in=[])
    from weft.registry.models import ClusterMembership

    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    offices = actor.office_cluster_ids()
    office_firms = ClusterMembership.objects.filter(
        cluster_id__in=offices, status=ClusterMembership.Status.APPROVED
    ).values("enterprise_id")
    return (
        Q(enterprise__organisation__in=firm_orgs)
        | Q(enterprise_id__in=office_firms)
        | Q(auditor_id__in=actor.org_ids())
    )


RULES.update(
    {
        "csr.start": start_csr,
        "csr.view": view_csr,
        "csr.edit": edit_csr,
        "csr.review": review_csr,
        "csr.manage_permits": manage_permits,
        "csr.view_permits": view_permits,
        "csr.view_green_firms": view_green_firms,
    }
)


# --- events ------------------------------------------------------------------------------------
# Cluster offices run their cluster's calendar, news and regional brand; the operator runs
# national ones. Competition judges score entries; results are public once published.


def publish_events(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.pk in actor.office_cluster_ids(admin=True)


def manage_event(actor: Actor, event) -> bool:
    if event.cluster_id is None:
        return actor.is_operator
    return actor.is_operator or event.cluster_id in actor.office_cluster_ids(admin=True)


def enter_competition(actor: Actor, event) -> bool:
    return actor.is_authenticated and event.kind == "competition"


def judge_event(actor: Actor, event) -> bool:
    return actor.is_authenticated and event.judges.filter(pk=actor.user.pk).exists()


def view_entry(actor: Actor, entry) -> bool:
    """A competition entry is public once results are out; before, only its entrant, the judges
    and the organiser see it (designs are not shown to rivals while entries are open)."""
    event = entry.event
    return (
        event.results_published
        or (actor.is_authenticated and entry.entrant_id == actor.user.pk)
        or judge_event(actor, event)
        or manage_event(actor, event)
    )


def post_news(actor: Actor, org) -> bool:
    return actor.is_operator or (
        org.kind == Organisation.Kind.CLUSTER_OFFICE and actor.role_in(org.pk) in ADMIN_ROLES
    )


RULES.update(
    {
        "events.publish": publish_events,
        "events.manage": manage_event,
        "events.enter": enter_competition,
        "events.judge": judge_event,
        "events.view_entry": view_entry,
        "events.post_news": post_news,
        "events.manage_brand": change_cluster,
    }
)
