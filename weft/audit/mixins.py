"""Django admin writes leave the same audit records as the services do."""

from .models import AuditRecord
from .services import record_change, snapshot


def _m2m_snapshot(obj) -> dict:
    data = {}
    for field in obj._meta.many_to_many:
        if field.remote_field.through._meta.auto_created:
            data[field.name] = sorted(
                str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True)
            )
    return data


class AuditedAdminMixin:
    def _full_snapshot(self, obj) -> dict:
        return {**snapshot(obj), **(_m2m_snapshot(obj) if obj.pk else {})}

    def save_model(self, request, obj, form, change):
        if change:
            old = type(obj).objects.get(pk=obj.pk)
            request._audit_before = self._full_snapshot(old)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        self.after_admin_save(obj)
        after = self._full_snapshot(obj)
        if change:
            record_change(
                actor=request.user,
                action=AuditRecord.Action.UPDATE,
                obj=obj,
                before=getattr(request, "_audit_before", {}),
                after=after,
                reason="admin",
            )
        else:
            record_change(
                actor=request.user,
                action=AuditRecord.Action.CREATE,
                obj=obj,
                after=after,
                reason="admin",
            )

    def delete_model(self, request, obj):
        record_change(
            actor=request.user,
            action=AuditRecord.Action.DELETE,
            obj=obj,
            before=self._full_snapshot(obj),
            reason="admin",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_change(
                actor=request.user,
                action=AuditRecord.Action.DELETE,
                obj=obj,
                before=self._full_snapshot(obj),
                reason="admin",
            )
        super().delete_queryset(request, queryset)

    def after_admin_save(self, obj):
        """Hook for derived data to refresh after the admin saved an object and its relations."""
