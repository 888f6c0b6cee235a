"""The operator keeps the indicator catalogue, warning rules, observation panels and assessment
schemes here. A published scheme or assessment is read-only: changes go into a new version."""

from django.contrib import admin

from weft.audit.mixins import AuditedAdminMixin

from .models import (
    AssessmentResult,
    AssessmentRun,
    AssessmentScheme,
    ClusterWarning,
    Indicator,
    ObservationPoint,
    ReportingRound,
    SchemeItem,
    WarningRule,
)


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "unit_zh", "kind", "decimal_places", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(WarningRule)
class WarningRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "kind", "indicator", "threshold", "months", "is_active")


@admin.register(ObservationPoint)
class ObservationPointAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("cluster", "enterprise", "added_at")
    list_filter = ("cluster",)
    autocomplete_fields = ("enterprise",)
    raw_id_fields = ("cluster",)

    def save_model(self, request, obj, form, change):
        obj.added_by = obj.added_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(ClusterWarning)
class ClusterWarningAdmin(admin.ModelAdmin):
    list_display = ("cluster", "rule", "period", "message_zh", "acknowledged_at")
    list_filter = ("rule",)
    readonly_fields = ("cluster", "rule", "period", "message_zh", "message_en", "observed")


@admin.register(ReportingRound)
class ReportingRoundAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "cluster", "period", "deadline", "status")
    list_filter = ("status",)
    raw_id_fields = ("cluster", "firms")


class SchemeItemInline(admin.TabularInline):
    model = SchemeItem
    extra = 0

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.status != AssessmentScheme.Status.PUBLISHED

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    has_delete_permission = has_change_permission


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "version", "name_zh", "status")
    inlines = [SchemeItemInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == AssessmentScheme.Status.PUBLISHED:
            return ("code", "version", "name_zh", "name_en", "status")
        return ("status",)


class ResultInline(admin.TabularInline):
    model = AssessmentResult
    extra = 0
    can_delete = False
    readonly_fields = ("cluster", "rank", "score", "dimensions", "feedback_zh")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssessmentRun)
class AssessmentRunAdmin(admin.ModelAdmin):
    list_display = ("scheme", "year", "status", "run_at", "published_at")
    readonly_fields = ("scheme", "year", "status", "run_by", "published_at", "medians")
    inlines = [ResultInline]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status != AssessmentRun.Status.PUBLISHED
