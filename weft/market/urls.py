from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("mine/", views.mine, name="mine"),
    path("searches/", views.save_search, name="save_search"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/decide/", views.report_decide, name="report_decide"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("demands/<int:pk>/quote/", views.demand_quote, name="demand_quote"),
    path("demands/<int:pk>/invite/", views.demand_invite, name="demand_invite"),
    path("demands/<int:pk>/attach/", views.attach, {"kind": "demand"}, name="demand_attach"),
    path("demands/<int:pk>/report/", views.demand_report, name="demand_report"),
    path("demands/<int:pk>/<slug:action>/", views.demand_action, name="demand_action"),
    path("quotes/<int:pk>/award/", views.quote_award, name="quote_award"),
    path("quotes/<int:pk>/attach/", views.attach, {"kind": "quote"}, name="quote_attach"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("awards/<int:pk>/rate/", views.award_rate, name="award_rate"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
]
