from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.service_detail, name="service_detail"),
    path("<int:pk>/request/", views.request_service, name="request_service"),
    path("mine/", views.my_services, name="my_services"),
    path("mine/add/", views.service_add, name="service_add"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/step/<slug:step>/", views.order_step, name="order_step"),
    path("orders/<int:pk>/review/", views.order_review, name="order_review"),
    path("orders/<int:pk>/voucher/", views.order_pay_with_voucher, name="order_pay"),
    path("settlements/claim/", views.claim, name="claim"),
    path("vouchers/", views.voucher_list, name="voucher_list"),
    path("vouchers/apply/", views.voucher_apply, name="voucher_apply"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_dashboard, name="programme_dashboard"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("settlements/<int:pk>/decide/", views.settlement_decide, name="settlement_decide"),
]
