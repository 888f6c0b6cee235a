from django.contrib import admin

from .models import CapacityOffer, Demand, Quote, Report, Transition


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "note", "at")


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ("title", "buyer", "stage", "category", "status", "visibility", "published_at")
    list_filter = ("status", "stage", "visibility")
    search_fields = ("title", "buyer__name_zh")
    raw_id_fields = ("buyer", "buyer_org", "created_by")
    # Status moves only through the lifecycle in services.py, never by editing here.
    readonly_fields = ("status",)
    inlines = [TransitionInline]


@admin.register(CapacityOffer)
class CapacityOfferAdmin(admin.ModelAdmin):
    list_display = ("title", "supplier", "stage", "status", "available_from", "available_until")
    list_filter = ("status", "stage")
    search_fields = ("title", "supplier__name_zh")
    raw_id_fields = ("supplier", "supplier_org", "created_by")


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("demand", "supplier", "unit_price", "quantity", "status")
    list_filter = ("status",)
    raw_id_fields = ("demand", "supplier", "supplier_org", "offer", "created_by")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("reason", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("demand", "offer", "reporter", "decided_by")
