"""Keep the firms' SupplierCapability rows in step with the registry.

A firm's stages, products, certifications, place or cluster membership change in the registry;
its capability rows are rebuilt once, after the transaction commits (several changes in one
transaction cost one rebuild).
"""

import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from weft.registry.models import ClusterMembership, Enterprise

_pending = threading.local()


def _later(enterprise_id: int) -> None:
    todo = getattr(_pending, "ids", None)
    if todo is None:
        todo = _pending.ids = set()

        def run():
            from .services import refresh_capabilities

            ids, _pending.ids = _pending.ids, None
            refresh_capabilities(ids)

        transaction.on_commit(run)
    todo.add(enterprise_id)


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


def connect() -> None:
    post_save.connect(_firm_saved, sender=Enterprise, dispatch_uid="market_caps_firm")
    for through in (Enterprise.stages.through, Enterprise.certifications.through):
        m2m_changed.connect(_firm_m2m, sender=through, dispatch_uid=f"market_caps_{through}")
    post_save.connect(_membership, sender=ClusterMembership, dispatch_uid="market_caps_cm")
    post_delete.connect(_membership, sender=ClusterMembership, dispatch_uid="market_caps_cm_d")
