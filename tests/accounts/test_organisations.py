"""Organisation pages: members, roles, leaving; strangers never learn the organisation exists."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from weft.accounts.models import Membership
from weft.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def org_url(org):
    return reverse("accounts:organisation", args=[org.pk])


def membership(world, user):
    return Membership.objects.get(organisation=world.firm_org, user=user)


def test_members_see_the_org_with_roles(en_client, world):
    en_client.force_login(world.firm_member)
    response = en_client.get(org_url(world.firm_org))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.firm_org.name_zh in body
    for user in (world.firm_owner, world.firm_admin, world.firm_member):
        assert user.username in body
    assert "Owner" in body and "Admin" in body
    # A plain member gets no management controls.
    assert "Add a member" not in body
    assert reverse("accounts:member_add", args=[world.firm_org.pk]) not in body


@pytest.mark.parametrize("who", ["stranger", "other_firm_admin", "keqiao_office"])
def test_strangers_get_404(en_client, world, who):
    user = UserFactory() if who == "stranger" else getattr(world, who)
    en_client.force_login(user)
    assert en_client.get(org_url(world.firm_org)).status_code == 404
    target = membership(world, world.firm_member)
    assert (
        en_client.post(
            reverse("accounts:member_add", args=[world.firm_org.pk]),
            {"username_or_email": user.username, "role": "member"},
        ).status_code
        == 404
    )
    assert (
        en_client.post(
            reverse("accounts:member_remove", args=[world.firm_org.pk, target.pk])
        ).status_code
        == 404
    )
    assert Membership.objects.filter(pk=target.pk).exists()
    assert not Membership.objects.filter(organisation=world.firm_org, user=user).exists()


def test_operator_sees_any_org(en_client, world):
    en_client.force_login(world.operator)
    assert en_client.get(org_url(world.firm_org)).status_code == 200


def test_admin_adds_changes_and_removes_a_member(en_client, world):
    newcomer = UserFactory(username="newcomer", email="new@example.test")
    en_client.force_login(world.firm_admin)
    response = en_client.post(
        reverse("accounts:member_add", args=[world.firm_org.pk]),
        {"username_or_email": "NEW@example.test", "role": "member"},
    )
    assert response.status_code == 302
    m = Membership.objects.get(organisation=world.firm_org, user=newcomer)
    assert m.role == "member"
    assert (
        "newcomer is now a member (Member)."
        in en_client.get(org_url(world.firm_org)).content.decode()
    )

    response = en_client.post(
        reverse("accounts:member_role", args=[world.firm_org.pk, m.pk]), {"role": "admin"}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.role == "admin"

    response = en_client.post(reverse("accounts:member_remove", args=[world.firm_org.pk, m.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
    actions = list(
        AuditRecord.objects.filter(
            object_type="accounts.membership", object_id=str(m.pk)
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["create", "delete", "update"]


def test_htmx_actions_return_the_member_section(en_client, world):
    newcomer = UserFactory(username="htmxer")
    en_client.force_login(world.firm_admin)
    response = en_client.post(
        reverse("accounts:member_add", args=[world.firm_org.pk]),
        {"username_or_email": "htmxer", "role": "member"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="members"')
    assert "<html" not in body
    assert "htmxer is now a member" in body
    assert Membership.objects.filter(organisation=world.firm_org, user=newcomer).exists()

    response = en_client.post(
        reverse("accounts:member_add", args=[world.firm_org.pk]),
        {"username_or_email": "nobody-here", "role": "member"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "No user is called nobody-here." in body
    assert 'aria-invalid="true"' in body


def test_add_member_errors_show_next_to_the_field(en_client, world):
    en_client.force_login(world.firm_admin)
    response = en_client.post(
        reverse("accounts:member_add", args=[world.firm_org.pk]),
        {"username_or_email": world.firm_member.username, "role": "member"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{world.firm_member.username} is already a member." in body
    assert 'id="id_username_or_email_errors"' in body


def test_plain_member_cannot_manage(en_client, world):
    en_client.force_login(world.firm_member)
    newcomer = UserFactory()
    target = membership(world, world.firm_admin)
    assert (
        en_client.post(
            reverse("accounts:member_add", args=[world.firm_org.pk]),
            {"username_or_email": newcomer.username, "role": "member"},
        ).status_code
        == 403
    )
    assert (
        en_client.post(
            reverse("accounts:member_role", args=[world.firm_org.pk, target.pk]), {"role": "member"}
        ).status_code
        == 403
    )
    assert (
        en_client.post(
            reverse("accounts:member_remove", args=[world.firm_org.pk, target.pk])
        ).status_code
        == 403
    )
    target.refresh_from_db()
    assert target.role == "admin"
    assert not Membership.objects.filter(organisation=world.firm_org, user=newcomer).exists()


def test_admin_cannot_touch_owners(en_client, world):
    en_client.force_login(world.firm_admin)
    owner = membership(world, world.firm_owner)
    response = en_client.post(
        reverse("accounts:member_role", args=[world.firm_org.pk, owner.pk]), {"role": "member"}
    )
    assert response.status_code == 403
    assert "Only owners can make or unmake owners." in response.content.decode()
    target = membership(world, world.firm_member)
    response = en_client.post(
        reverse("accounts:member_role", args=[world.firm_org.pk, target.pk]), {"role": "owner"}
    )
    assert response.status_code == 403
    owner.refresh_from_db()
    target.refresh_from_db()
    assert (owner.role, target.role) == ("owner", "member")
    # The page offers an admin no owner role to hand out.
    body = en_client.get(org_url(world.firm_org)).content.decode()
    assert '<option value="owner"' not in body


def test_last_owner_cannot_be_demoted_or_leave(en_client, world):
    en_client.force_login(world.firm_owner)
    owner = membership(world, world.firm_owner)
    response = en_client.post(
        reverse("accounts:member_role", args=[world.firm_org.pk, owner.pk]), {"role": "admin"}
    )
    assert response.status_code == 400
    assert "An organisation needs at least one owner." in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == "owner"
    response = en_client.post(reverse("accounts:organisation_leave", args=[world.firm_org.pk]))
    assert response.status_code == 400
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_owner_makes_another_owner_then_steps_down(en_client, world):
    en_client.force_login(world.firm_owner)
    admin = membership(world, world.firm_admin)
    en_client.post(
        reverse("accounts:member_role", args=[world.firm_org.pk, admin.pk]), {"role": "owner"}
    )
    admin.refresh_from_db()
    assert admin.role == "owner"
    owner = membership(world, world.firm_owner)
    en_client.post(
        reverse("accounts:member_role", args=[world.firm_org.pk, owner.pk]), {"role": "admin"}
    )
    owner.refresh_from_db()
    assert owner.role == "admin"


def test_member_can_leave(en_client, world):
    en_client.force_login(world.firm_member)
    response = en_client.post(reverse("accounts:organisation_leave", args=[world.firm_org.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert not Membership.objects.filter(
        organisation=world.firm_org, user=world.firm_member
    ).exists()
    assert en_client.get(org_url(world.firm_org)).status_code == 404


def test_unknown_role_is_refused(en_client, world):
    en_client.force_login(world.firm_owner)
    target = membership(world, world.firm_member)
    response = en_client.post(
        reverse("accounts:member_role", args=[world.firm_org.pk, target.pk]), {"role": "king"}
    )
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.role == "member"


def test_edit_link_only_for_those_who_may_change_the_enterprise(en_client, world):
    edit_url = f"/enterprises/{world.firm.pk}/edit/"
    en_client.force_login(world.firm_admin)
    assert edit_url in en_client.get(org_url(world.firm_org)).content.decode()
    en_client.force_login(world.firm_member)
    assert edit_url not in en_client.get(org_url(world.firm_org)).content.decode()
