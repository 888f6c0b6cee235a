from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.national, name="national"),
    path("compare/", views.compare, name="compare"),
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
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
]
