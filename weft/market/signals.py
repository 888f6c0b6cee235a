"""Keep the firms' SupplierCapability rows (and the partner clusters) in step with the registry.

A firm's stages, products, certifications, place or cluster membership change in the registry;
its capability rows are rebuilt once, after the transaction commits (several changes in one
transaction cost one rebuild). Bulk writers' batches are rebuilt inside their own transaction.
"""

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from weft.registry.models import ClusterMembership, Enterprise
from weft.registry.signals import enterprises_written


class _Refresh:
    """One pending rebuild per transaction, for every firm touched in it."""

    def __init__(self):
        self.ids: set[int] = set()

    def __call__(self):
        from .services import refresh_capabilities

        refresh_capabilities(self.ids)


def _later(enterprise_id: int) -> None:
    # Found among the transaction's own on-commit callbacks, so a rolled-back transaction takes
    # its pending rebuild with it.
    pending = next((f for _s, f, _r in connection.run_on_commit if isinstance(f, _Refresh)), None)
    if pending is None:
        pending = _Refresh()
        pending.ids.add(enterprise_id)
        transaction.on_commit(pending)
    else:
        pending.ids.add(enterprise_id)


def _firm_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(instance.pk)


def _firm_m2m(sender, instance, action, pk_set=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        if isinstance(instance, Enterprise):
            _later(instance.pk)
        else:  # changed from the other side (stage or certification): each firm named
            for pk in pk_set or ():
                _later(pk)


def _membership(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(instance.enterprise_id)


def _bulk_written(sender, enterprise_ids, **kwargs):
    # A bulk writer sends this once per batch, inside the batch's transaction: rebuilt there, in
    # the same commit (a rolled-back batch takes its rebuild with it), not in a second one.
    from .services import refresh_capabilities

    refresh_capabilities(enterprise_ids)


def connect() -> None:
    enterprises_written.connect(_bulk_written, dispatch_uid="market_caps_bulk")
    post_save.connect(_firm_saved, sender=Enterprise, dispatch_uid="market_caps_firm")
    for through in (Enterprise.stages.through, Enterprise.certifications.through):
        m2m_changed.connect(_firm_m2m, sender=through, dispatch_uid=f"market_caps_{through}")
    post_save.connect(_membership, sender=ClusterMembership, dispatch_uid="market_caps_cm")
    post_delete.connect(_membership, sender=ClusterMembership, dispatch_uid="market_caps_cm_d")
    # Partner clusters (partners.py) follow docking meetings, their outcomes and memberships.
    from weft.chain.models import DockingEvent, Meeting, MeetingOutcome

    from .partners import forget

    for model in (DockingEvent, Meeting, MeetingOutcome, ClusterMembership):
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=model, dispatch_uid=f"market_partners_{model.__name__}")
