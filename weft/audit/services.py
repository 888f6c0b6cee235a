"""Audit records: call `record_change` from every service that writes something that matters."""

import functools
from decimal import Decimal

from django.db import models

from .models import AuditRecord


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of `obj` as JSON-friendly data (m2m are left to the caller)."""
    data = {}
    for field in _fields_of(obj._meta, None if fields is None else tuple(fields)):
        value = getattr(obj, field.attname)
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[field.name] = value
    return data


@functools.cache
def _fields_of(meta, names: tuple | None) -> list:
    # Bulk imports snapshot tens of thousands of firms: the field list is worked out once.
    return [f for f in meta.concrete_fields if names is None or f.name in names]


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record_change(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditRecord | None:
    if action == AuditRecord.Action.UPDATE:
        before, after = diff(before or {}, after or {})
        if not after:
            return None
    return AuditRecord.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=before,
        after=after,
        reason=reason[:255],
    )
