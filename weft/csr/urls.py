from django.urls import path

from . import views

app_name = "csr"

urlpatterns = [
    path("", views.my_assessments, name="my"),
    path("enterprises/<int:pk>/start/", views.start, name="start"),
    path("enterprises/<int:pk>/badge/", views.badge, name="badge"),
    path("enterprises/<int:pk>/permits/", views.permits, name="permits"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/invite/", views.invite, name="invite"),
    path("assessments/<int:pk>/review/", views.review, name="review"),
    path("assessments/<int:pk>/actions/", views.action_add, name="action_add"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
