from django.contrib import admin

from weft.audit.mixins import AuditedAdminMixin

from .models import Certification, ChainStage, Cluster, ClusterMembership, Enterprise, IndustryCode


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
