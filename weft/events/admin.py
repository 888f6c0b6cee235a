from django.contrib import admin

from .models import BrandLicence, Entry, Event, NewsPost, RegionalBrand


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "cluster", "starts_at", "results_published")
    list_filter = ("kind",)
    raw_id_fields = ("cluster", "organiser", "created_by")
    filter_horizontal = ("judges",)


@admin.register(NewsPost)
class NewsPostAdmin(admin.ModelAdmin):
    list_display = ("title", "author_org", "published_at")
    raw_id_fields = ("author_org", "cluster", "created_by")


@admin.register(RegionalBrand)
class RegionalBrandAdmin(admin.ModelAdmin):
    list_display = ("name", "cluster", "trademark")


admin.site.register(Entry)
admin.site.register(BrandLicence)
