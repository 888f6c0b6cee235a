"""Writes of the service catalogue. The order lifecycle is in `orders.py`; voucher programmes,
redemptions and settlements in `vouchers.py`; the ledger in `ledger.py`."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot

from .models import Service

EDITABLE = (
    "category",
    "title_zh",
    "title_en",
    "description",
    "price",
    "price_unit",
    "turnaround_days",
    "area_served",
    "cnas_number",
    "qualifications",
    "is_active",
)


def _clean(service: Service) -> None:
    if service.cnas_number:
        service.cnas_number = service.cnas_number.strip().upper()
    service.full_clean()


@transaction.atomic
def create_service(*, user, provider, data: dict) -> Service:
    if not can(user, "services.offer_services", provider):
        raise PermissionDenied
    service = Service(provider=provider, **{k: v for k, v in data.items() if k in EDITABLE})
    _clean(service)
    service.save()
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=service, after=snapshot(service)
    )
    return service


@transaction.atomic
def update_service(*, user, service: Service, data: dict) -> Service:
    if not can(user, "services.manage_service", service):
        raise PermissionDenied
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError({k: ["This field cannot be changed."] for k in unknown})
    before = snapshot(service)
    for key, value in data.items():
        setattr(service, key, value)
    _clean(service)
    service.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=service,
        before=before,
        after=snapshot(service),
    )
    return service
