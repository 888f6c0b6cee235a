"""Permissions of the chain app: its rules are registered in `can()` with all others."""

from collections.abc import Callable

from .foundation import Actor, _is_enterprise_member, _offices_enterprise, change_enterprise

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


def docking_print_schedule(actor: Actor, registration) -> bool:
    """A participant's own schedule (PDF, XLSX): whoever may see the registration."""
    return docking_view_registration(actor, registration)


def docking_print_tables(actor: Actor, event) -> bool:
    """The schedule of every table (the whole hall's meetings): the organiser only."""
    return docking_manage_event(actor, event)


RULES: dict[str, Callable[..., bool]] = {
    "chain.declare_gap": chain_declare_gap,
    "chain.recompute": chain_recompute,
    "docking.create_event": docking_create_event,
    "docking.manage_event": docking_manage_event,
    "docking.register": docking_register,
    "docking.act_for": docking_act_for,
    "docking.view_registration": docking_view_registration,
    "docking.print_schedule": docking_print_schedule,
    "docking.print_tables": docking_print_tables,
}
NO_OBJECT_ACTIONS = frozenset({"chain.recompute"})
