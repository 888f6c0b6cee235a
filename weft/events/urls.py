from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="ical"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/enter/", views.enter, name="enter"),
    path("<int:pk>/judging/", views.judging, name="judging"),
    path("<int:pk>/results/", views.publish_results, name="publish_results"),
    path("entries/<int:pk>/image/", views.entry_image, name="entry_image"),
    path("news/", views.news_list, name="news_list"),
    path("news/new/", views.news_new, name="news_new"),
    path("news/<int:pk>/", views.news_detail, name="news_detail"),
    path("brands/<slug:slug>/", views.brand, name="brand"),
    path("brands/<slug:slug>/edit/", views.brand_edit, name="brand_edit"),
]
