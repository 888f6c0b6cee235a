from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("enterprises/register/", views.enterprise_register, name="enterprise_register"),
    path("enterprises/check-uscc/", views.check_uscc, name="check_uscc"),
    path("orgs/new/", views.organisation_new, name="organisation_new"),
    path("orgs/<int:org_id>/", views.organisation_detail, name="organisation"),
    path("orgs/<int:org_id>/members/add/", views.member_add, name="member_add"),
    path(
        "orgs/<int:org_id>/members/<int:membership_id>/role/", views.member_role, name="member_role"
    ),
    path(
        "orgs/<int:org_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("orgs/<int:org_id>/leave/", views.organisation_leave, name="organisation_leave"),
    path("orgs/<int:org_id>/join/", views.organisation_join_cluster, name="organisation_join"),
    path("clusters/<int:cluster_id>/requests/", views.cluster_requests, name="cluster_requests"),
    path(
        "clusters/<int:cluster_id>/requests/<int:request_id>/decide/",
        views.decide_request,
        name="decide_request",
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
