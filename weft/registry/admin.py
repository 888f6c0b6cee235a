from django.contrib import admin
from django.db.models.functions import Length

from weft.audit.mixins import AuditedAdminMixin

from .index_selectors import firms_changed_since
from .models import (
    Certification,
    ChainStage,
    Cluster,
    ClusterMembership,
    DirectoryIndexSnapshot,
    Enterprise,
    IndustryCode,
)


@admin.register(ChainStage)
class ChainStageAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name_zh", "name_en")


@admin.register(IndustryCode)
class IndustryCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "level", "name_zh", "name_en")
    list_filter = ("level",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "area")


@admin.register(Cluster)
class ClusterAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name_zh",
        "name_en",
        "province",
        "specialty_zh",
        "is_pilot",
        "pilot_year",
        "office",
    )
    list_filter = ("province", "is_pilot")
    search_fields = ("name_zh", "name_en", "place_zh")
    filter_horizontal = ("stages",)
    raw_id_fields = ("office",)


class ClusterMembershipInline(admin.TabularInline):
    """Shown for reference; memberships are changed on their own admin page, which is audited."""

    model = ClusterMembership
    extra = 0
    fields = ("cluster", "status", "requested_at", "decided_at", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name_zh", "uscc", "province", "county", "size_band", "source", "is_demo")
    list_filter = ("is_demo", "source", "size_band", "geocode_precision")
    search_fields = ("=uscc", "name_zh")
    show_full_result_count = False  # a million rows: don't count on every page
    raw_id_fields = ("supplied_by", "supplied_by_org")
    filter_horizontal = ("stages", "industry_codes", "certifications")
    readonly_fields = (
        "search_text",
        "search_tokens",
        "name_sort",
        "match_key",
        "field_provenance",
        "created_at",
        "updated_at",
    )
    inlines = [ClusterMembershipInline]

    def after_admin_save(self, obj):
        from .naming import set_name_keys
        from .services import refresh_search, size_band_for

        set_name_keys(obj)
        Enterprise.objects.filter(pk=obj.pk).update(
            size_band=size_band_for(obj.employees), name_sort=obj.name_sort, match_key=obj.match_key
        )
        refresh_search(obj)


@admin.register(ClusterMembership)
class ClusterMembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("enterprise", "cluster", "status", "requested_at", "decided_at")
    list_filter = ("status", "cluster")
    raw_id_fields = ("enterprise", "requested_by", "decided_by")

    def after_admin_save(self, obj):
        from .services import refresh_search

        refresh_search(obj.enterprise)


@admin.register(DirectoryIndexSnapshot)
class DirectoryIndexSnapshotAdmin(admin.ModelAdmin):
    """The directory's index builds, for the operator to see how current the index is and to
    rebuild it after a large change. Snapshots are written only by the build."""

    list_display = ("id", "built_at", "firms", "seconds", "stored_mib", "changed_since")
    fields = ("built_at", "firms", "seconds", "watermark", "horizon", "stored_mib", "changed_since")
    readonly_fields = fields
    actions = ["rebuild"]

    def get_queryset(self, request):
        # The index itself is over a hundred MiB at a million firms: never read it for a page.
        return super().get_queryset(request).defer("data").annotate(size=Length("data"))

    @admin.display(description="stored (MiB)")
    def stored_mib(self, obj):
        return f"{obj.size / 1024**2:,.1f}"

    @admin.display(description="firms changed since")
    def changed_since(self, obj):
        return f"{firms_changed_since(obj):,}"

    @admin.action(description="Rebuild the directory's index now (in the background)")
    def rebuild(self, request, queryset):
        from .tasks import rebuild_directory_index

        rebuild_directory_index.enqueue()
        self.message_user(request, "A rebuild of the directory's index is queued.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
