from django.contrib import admin

from .models import ImportJob, MatchDecision, RowError


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "original_name",
        "cluster",
        "status",
        "rows_done",
        "total_rows",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("original_name", "sha256")
    readonly_fields = [f.name for f in ImportJob._meta.fields]


@admin.register(MatchDecision)
class MatchDecisionAdmin(admin.ModelAdmin):
    list_display = ("id", "job", "row", "reason", "outcome", "score", "candidate", "enterprise")
    list_filter = ("reason", "outcome")
    raw_id_fields = ("job", "candidate", "enterprise", "decided_by")


@admin.register(RowError)
class RowErrorAdmin(admin.ModelAdmin):
    list_display = ("job", "row", "column", "code")
    list_filter = ("code",)
    raw_id_fields = ("job",)
