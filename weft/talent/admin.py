from django.contrib import admin

from .models import Application, Course, Enrolment, Job, TalentProfile


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "provider", "starts_on", "seats", "fee", "voucher_covered")
    raw_id_fields = ("provider", "cluster", "created_by")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "role", "enterprise", "cluster", "openings", "status")
    list_filter = ("role", "status")
    raw_id_fields = ("enterprise", "cluster", "posted_by")


@admin.register(TalentProfile)
class TalentProfileAdmin(admin.ModelAdmin):
    # Personal fields stay out of the list view, as everywhere else.
    list_display = ("name", "role", "cluster", "visibility", "availability")
    list_filter = ("role", "visibility")
    raw_id_fields = ("user", "cluster")


admin.site.register(Enrolment)
admin.site.register(Application)
