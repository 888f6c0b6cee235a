from django.urls import path

from . import assessment_views, report_views, views

app_name = "stats"

urlpatterns = [
    path("", views.national, name="national"),
    path("compare/", views.compare, name="compare"),
    path("report/", report_views.national_report_page, name="national_report"),
    path("report.pdf", report_views.national_report_pdf, name="national_report_pdf"),
    path("clusters/<slug:slug>/", views.cluster_dashboard, name="cluster"),
    path("clusters/<slug:slug>/report/", views.cluster_report, name="report"),
    path("clusters/<slug:slug>/report.pdf", views.cluster_report_pdf, name="report_pdf"),
    path("clusters/<slug:slug>/rounds/new/", views.round_new, name="round_new"),
    path("data/series.<str:fmt>", views.download_series, name="download_series"),
    path("data/ranking.<str:fmt>", views.download_ranking, name="download_ranking"),
    path("warnings/<int:pk>/acknowledge/", views.acknowledge_warning, name="acknowledge"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/template.xlsx", views.round_template, name="round_template"),
    path("rounds/<int:pk>/upload/", views.round_upload, name="round_upload"),
    path("rounds/<int:pk>/remind/", views.round_remind, name="round_remind"),
    path("assessments/", assessment_views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", assessment_views.assessment_detail, name="assessment"),
    path(
        "assessments/<int:pk>/publish/",
        assessment_views.assessment_publish,
        name="assessment_publish",
    ),
    path(
        "assessments/<int:pk>/clusters/<slug:slug>/",
        assessment_views.assessment_cluster,
        name="assessment_cluster",
    ),
    path("assessments/schemes/new/", assessment_views.scheme_new, name="scheme_new"),
    path("assessments/schemes/<int:pk>/", assessment_views.scheme_detail, name="scheme"),
    path("assessments/schemes/<int:pk>/run/", assessment_views.scheme_run, name="scheme_run"),
    path(
        "assessments/schemes/<int:pk>/new-version/",
        assessment_views.scheme_version,
        name="scheme_version",
    ),
]
