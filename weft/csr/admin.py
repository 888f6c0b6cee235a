from django.contrib import admin

from .models import Assessment, DischargePermit, ImprovementAction


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "status", "overall_score", "level", "reviewed_at")
    list_filter = ("status", "level")
    raw_id_fields = ("enterprise", "auditor", "reviewer_org", "created_by", "reviewed_by")


@admin.register(DischargePermit)
class DischargePermitAdmin(admin.ModelAdmin):
    list_display = ("number", "enterprise", "valid_until")
    raw_id_fields = ("enterprise",)


admin.site.register(ImprovementAction)
