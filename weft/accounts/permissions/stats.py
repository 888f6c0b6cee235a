"""Permissions of the stats app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Organisation
from .foundation import Actor, _is_enterprise_member, _offices_enterprise, actor_for

# Firm-level figures are seen by the firm, the offices of its clusters and the operator; published
# aggregates are public (selectors suppress those resting on too few firms).


def stats_view_firm_figures(actor: Actor, enterprise) -> bool:
    return (
        actor.is_operator
        or _is_enterprise_member(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=False)
    )


def stats_report(actor: Actor, enterprise) -> bool:
    """Any member of the firm reports for it; an office admin may key in or upload its figures."""
    return (
        actor.is_operator
        or _is_enterprise_member(actor, enterprise)
        or _offices_enterprise(actor, enterprise, admin=True)
    )


def stats_manage_round(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.id in actor.office_cluster_ids(admin=True)


def stats_view_cluster_private(actor: Actor, cluster) -> bool:
    """Firm-level views of a cluster (top firms, who reported): its office and the operator."""
    return actor.is_operator or cluster.id in actor.office_cluster_ids()


def stats_view_round(actor: Actor, rnd) -> bool:
    if stats_view_cluster_private(actor, rnd.cluster):
        return True
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    return bool(firm_orgs) and rnd.firms.filter(organisation__in=firm_orgs).exists()


def stats_acknowledge_warning(actor: Actor, warning) -> bool:
    return actor.is_operator or warning.cluster_id in actor.office_cluster_ids(admin=True)


def stats_manage_catalogue(actor: Actor, obj=None) -> bool:
    """Indicator catalogue, observation panels, warning rules and assessment schemes."""
    return actor.is_operator


def stats_view_assessment(actor: Actor, obj) -> bool:
    """An assessment run or scheme: everyone once published, only the operator before."""
    return obj.status == "published" or actor.is_operator


def stats_manage_assessment(actor: Actor, obj=None) -> bool:
    """Define and version schemes, run them for a year, publish the results: the operator."""
    return actor.is_operator


def stats_firm_figures_q(user, field: str = "enterprise_id") -> Q:
    """Which firms' figures the user may list: own firms, own clusters' firms; all for the operator."""
    from weft.registry.models import ClusterMembership

    actor = actor_for(user)
    if actor.is_operator:
        return Q()
    firm_ids = set(
        Organisation.objects.filter(
            pk__in=actor.org_ids(kind=Organisation.Kind.ENTERPRISE), enterprise__isnull=False
        ).values_list("enterprise_id", flat=True)
    )
    clusters = actor.office_cluster_ids()
    if clusters:
        firm_ids |= set(
            ClusterMembership.objects.filter(
                cluster_id__in=clusters, status=ClusterMembership.Status.APPROVED
            ).values_list("enterprise_id", flat=True)
        )
    return Q(**{f"{field}__in": firm_ids})


RULES: dict[str, Callable[..., bool]] = {
    "stats.view_firm_figures": stats_view_firm_figures,
    "stats.report": stats_report,
    "stats.manage_round": stats_manage_round,
    "stats.view_cluster_private": stats_view_cluster_private,
    "stats.view_round": stats_view_round,
    "stats.acknowledge_warning": stats_acknowledge_warning,
    "stats.manage_catalogue": stats_manage_catalogue,
    "stats.view_assessment": stats_view_assessment,
    "stats.manage_assessment": stats_manage_assessment,
}
NO_OBJECT_ACTIONS = frozenset({"stats.manage_catalogue", "stats.manage_assessment"})
