from django.urls import path

from . import views

app_name = "talent"

urlpatterns = [
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/enrol/", views.course_enrol, name="course_enrol"),
    path("courses/<int:pk>/roster/", views.course_roster, name="course_roster"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/new/", views.job_new, name="job_new"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/apply/", views.job_apply, name="job_apply"),
    path("jobs/<int:pk>/applications/", views.job_applications, name="job_applications"),
    path("me/", views.profile_edit, name="profile_edit"),
    path("people/", views.people, name="people"),
    path("people/export.csv", views.people_export, name="people_export"),
    path("people/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("portfolio/<int:pk>/", views.portfolio_image, name="portfolio_image"),
    path("clusters/<slug:slug>/", views.dashboard, name="dashboard"),
]
