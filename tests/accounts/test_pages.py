"""Sign-up, log in and out, password change, profile and dashboard."""

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory, member_of
from weft.accounts.models import Membership, Organisation, User
from weft.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "weave-silk-2024-humen"


def test_sign_up_creates_user_logs_in_and_sends_welcome(en_client, mailoutbox):
    response = en_client.post(
        reverse("accounts:register"),
        {
            "username": "lihua",
            "email": "lihua@example.test",
            "display_name": "李华",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    user = User.objects.get(username="lihua")
    assert user.display_name == "李华"
    assert user.check_password(GOOD_PASSWORD)
    assert AuditRecord.objects.filter(object_type="accounts.user", object_id=str(user.pk)).exists()
    # Logged in: the dashboard answers instead of sending to the login page.
    dashboard = en_client.get(reverse("accounts:dashboard"))
    assert dashboard.status_code == 200
    assert "李华" in dashboard.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lihua@example.test"]
    assert mailoutbox[0].subject == "Welcome to Weft"
    assert "lihua" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("https://evil.example/", "/accounts/"),
        ("//evil.example/", "/accounts/"),
        ("/market/", "/market/"),
    ],
)
def test_sign_up_goes_on_only_within_the_site(en_client, next_url, lands_on):
    response = en_client.post(
        reverse("accounts:register") + "?next=" + next_url,
        {
            "username": "lihua",
            "email": "lihua@example.test",
            "display_name": "李华",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == lands_on


def test_welcome_mail_is_in_the_users_language(client, mailoutbox):
    client.cookies["django_language"] = "zh-hans"
    client.post(
        reverse("accounts:register"),
        {
            "username": "wang",
            "email": "wang@example.test",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "欢迎使用 Weft"


def test_sign_up_rejects_weak_and_mismatched_passwords(en_client):
    response = en_client.post(
        reverse("accounts:register"),
        {
            "username": "zhang",
            "email": "zhang@example.test",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password is too common." in body
    assert "This password is entirely numeric." in body
    assert 'aria-invalid="true"' in body
    assert not User.objects.filter(username="zhang").exists()

    response = en_client.post(
        reverse("accounts:register"),
        {
            "username": "zhang",
            "email": "zhang@example.test",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD + "x",
        },
    )
    assert "The two password fields didn" in response.content.decode()
    assert not User.objects.filter(username="zhang").exists()


def test_sign_up_rejects_taken_email(en_client):
    UserFactory(username="first", email="same@example.test")
    response = en_client.post(
        reverse("accounts:register"),
        {
            "username": "second",
            "email": "SAME@example.test",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    assert "An account with this email already exists" in response.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_login_with_wrong_password_shows_error(en_client):
    UserFactory(username="chen")
    response = en_client.post(
        reverse("accounts:login"), {"username": "chen", "password": "wrong-password"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    assert 'role="alert"' in body
    assert "_auth_user_id" not in en_client.session


def test_login_and_logout(en_client):
    UserFactory(username="chen")
    response = en_client.post(
        reverse("accounts:login"), {"username": "chen", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert en_client.get(reverse("accounts:logout")).status_code == 405  # GET must not sign out
    assert "_auth_user_id" in en_client.session
    response = en_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:home")
    assert "_auth_user_id" not in en_client.session


def test_dashboard_requires_login(client):
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change(en_client):
    user = UserFactory()
    en_client.force_login(user)
    response = en_client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = en_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": GOOD_PASSWORD,
            "new_password2": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


def test_profile_saves_language_and_switches_pages(en_client):
    user = UserFactory(email="p@example.test")
    en_client.force_login(user)
    response = en_client.post(
        reverse("accounts:profile"),
        {"display_name": "陈小姐", "email": "p2@example.test", "language": "zh-hans"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.email, user.language) == (
        "陈小姐",
        "p2@example.test",
        "zh-hans",
    )
    assert response.cookies["django_language"].value == "zh-hans"
    record = AuditRecord.objects.get(object_type="accounts.user", action="update")
    assert record.after == {
        "display_name": "陈小姐",
        "email": "p2@example.test",
        "language": "zh-hans",
    }
    page = en_client.get(reverse("accounts:profile"))
    assert page.content.decode().count('lang="zh-Hans"') >= 1


def test_profile_rejects_email_of_someone_else(en_client):
    UserFactory(email="taken@example.test")
    user = UserFactory(email="mine@example.test")
    en_client.force_login(user)
    response = en_client.post(
        reverse("accounts:profile"), {"email": "taken@example.test", "language": ""}
    )
    assert response.status_code == 200
    assert "Another account already uses this email." in response.content.decode()
    user.refresh_from_db()
    assert user.email == "mine@example.test"


def test_dashboard_lists_my_organisations_with_roles_and_office_queue(en_client, world):
    en_client.force_login(world.firm_owner)
    body = en_client.get(reverse("accounts:dashboard")).content.decode()
    assert world.firm_org.name_zh in body
    assert "Owner" in body
    assert reverse("accounts:organisation", args=[world.firm_org.pk]) in body
    assert "/admin/" not in body.split('id="shortcuts-heading"')[1]

    from weft.registry.services import request_membership

    request_membership(
        user=world.other_firm_admin, enterprise=world.other_firm, cluster=world.humen
    )
    en_client.force_login(world.humen_office)
    body = en_client.get(reverse("accounts:dashboard")).content.decode()
    assert "1 request waiting" in body
    assert reverse("accounts:cluster_requests", args=[world.humen.pk]) in body
    # A plain member of the office sees the count but has no review link.
    en_client.force_login(world.humen_office_member)
    body = en_client.get(reverse("accounts:dashboard")).content.decode()
    assert "1 request waiting" in body
    assert reverse("accounts:cluster_requests", args=[world.humen.pk]) not in body


def test_operator_dashboard_links_to_admin(en_client, world):
    en_client.force_login(world.operator)
    body = en_client.get(reverse("accounts:dashboard")).content.decode()
    assert "/admin/" in body.split('id="shortcuts-heading"')[1]


def test_create_service_provider_organisation(en_client):
    user = UserFactory()
    en_client.force_login(user)
    response = en_client.post(
        reverse("accounts:organisation_new"),
        {"name_zh": "虎门检测中心", "name_en": "Humen Testing"},
    )
    org = Organisation.objects.get(name_zh="虎门检测中心")
    assert org.kind == Organisation.Kind.SERVICE_PROVIDER
    assert response["Location"] == reverse("accounts:organisation", args=[org.pk])
    assert Membership.objects.get(organisation=org).role == Membership.Role.OWNER
    assert Membership.objects.get(organisation=org).user == user


def test_org_factory_smoke():
    # Guards the helper import used above (member_of) against silent refactors.
    org = OrganisationFactory()
    assert member_of(org).memberships.get().organisation == org
