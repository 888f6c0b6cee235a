from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_list, name="list"),
    path("imports/template.xlsx", views.template_xlsx, name="template"),
    path("imports/review/", views.review, name="review_all"),
    path("imports/<int:pk>/", views.import_detail, name="detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="progress"),
    path("imports/<int:pk>/start/", views.import_start, name="start"),
    path("imports/<int:pk>/review/", views.review, name="review"),
    path(
        "imports/matches/<int:decision_id>/<str:action>/",
        views.decide,
        name="decide",
    ),
]
