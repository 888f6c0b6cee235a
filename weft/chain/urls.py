from django.urls import path

from . import views

app_name = "chain"

urlpatterns = [
    path("clusters/<slug:slug>/chain/", views.cluster_chain, name="cluster_chain"),
    path(
        "clusters/<slug:slug>/chain/gaps/<slug:group>/partners/",
        views.gap_partners,
        name="gap_partners",
    ),
    path("clusters/<slug:slug>/chain/declare/", views.declare_gap, name="declare_gap"),
    path("events/docking/", views.event_list, name="event_list"),
    path("events/docking/new/", views.event_new, name="event_new"),
    path("events/docking/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/docking/<int:pk>/request/", views.meeting_request, name="meeting_request"),
    path(
        "events/docking/<int:pk>/meetings/<int:meeting_id>/respond/",
        views.meeting_respond,
        name="meeting_respond",
    ),
    path(
        "events/docking/<int:pk>/meetings/<int:meeting_id>/outcome/",
        views.meeting_outcome,
        name="meeting_outcome",
    ),
    path("events/docking/<int:pk>/schedule.xlsx", views.event_schedule_xlsx, name="event_xlsx"),
    path("events/docking/<int:pk>/schedule.pdf", views.event_schedule_pdf, name="event_pdf"),
    path("events/docking/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/docking/<int:pk>/schedule/", views.event_schedule, name="event_schedule"),
]
