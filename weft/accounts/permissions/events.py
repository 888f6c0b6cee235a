"""Permissions of the events app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from django.db.models import Q

from ..models import Organisation
from .foundation import ADMIN_ROLES, Actor, actor_for, change_cluster

# Cluster offices run their cluster's calendar, news and regional brand; the operator runs
# national ones. Competition judges score entries; results are public once published.


def publish_events(actor: Actor, cluster) -> bool:
    return actor.is_operator or cluster.pk in actor.office_cluster_ids(admin=True)


def publish_events_q(user) -> Q:
    """The clusters `user` may put events on (`events.publish`), as a filter on Cluster."""
    actor = actor_for(user)
    return Q() if actor.is_operator else Q(pk__in=actor.office_cluster_ids(admin=True))


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
    # News speaks for a cluster office or the operator; not even the operator signs it as a firm.
    if org.kind not in (Organisation.Kind.CLUSTER_OFFICE, Organisation.Kind.OPERATOR):
        return False
    return actor.is_operator or (
        org.kind == Organisation.Kind.CLUSTER_OFFICE and actor.role_in(org.pk) in ADMIN_ROLES
    )


RULES: dict[str, Callable[..., bool]] = {
    "events.publish": publish_events,
    "events.manage": manage_event,
    "events.enter": enter_competition,
    "events.judge": judge_event,
    "events.view_entry": view_entry,
    "events.post_news": post_news,
    "events.manage_brand": change_cluster,
}
NO_OBJECT_ACTIONS = frozenset({})
