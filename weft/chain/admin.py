from django.contrib import admin

from weft.audit.mixins import AuditedAdminMixin

from .models import (
    ChainGap,
    DockingEvent,
    DockingSlot,
    Meeting,
    MeetingOutcome,
    RecomputeRun,
    Registration,
    StageLink,
    StageProfile,
)


@admin.register(StageLink)
class StageLinkAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The chain graph: the operator edits what feeds what here; the next recompute uses it."""

    list_display = ("supplier", "consumer", "kind", "group", "weight", "note")
    list_editable = ("kind", "group", "weight")
    list_filter = ("kind", "consumer")


@admin.register(StageProfile)
class StageProfileAdmin(admin.ModelAdmin):
    list_display = ("cluster", "stage", "level", "firms", "employees", "share_employees")
    list_filter = ("level", "stage")
    search_fields = ("cluster__name_zh", "cluster__slug")

    def has_add_permission(self, request):
        return False  # computed by the recompute


@admin.register(ChainGap)
class ChainGapAdmin(admin.ModelAdmin):
    list_display = ("cluster", "group", "level", "severity", "source")
    list_filter = ("source", "level")
    search_fields = ("cluster__name_zh", "cluster__slug", "group")


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "status", "clusters", "profiles", "gaps", "seconds")


class SlotInline(admin.TabularInline):
    model = DockingSlot
    extra = 0


@admin.register(DockingEvent)
class DockingEventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title_zh", "host", "starts_on", "status")
    inlines = [SlotInline]


admin.site.register(Registration)
admin.site.register(Meeting)
admin.site.register(MeetingOutcome)
