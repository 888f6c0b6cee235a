from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from weft.audit.mixins import AuditedAdminMixin

from .models import ApiToken, Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class WeftUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Weft", {"fields": ("display_name", "language")}),)
    list_display = ("username", "display_name", "email", "is_staff", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "kind", "is_demo", "created_at")
    list_filter = ("kind", "is_demo")
    search_fields = ("name_zh", "name_en")
    raw_id_fields = ("enterprise",)
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    search_fields = ("user__username", "prefix")


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__username", "organisation__name_zh")
    raw_id_fields = ("user", "organisation")
