"""A firm from an office's list gets its owner from that office, never by someone typing its
public code into the registration form."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from weft.accounts.models import Membership, Organisation
from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.registry import services

from ..factories import UserFactory, make_enterprise, new_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world):
    """A Humen firm from the office's list: nobody speaks for it yet."""
    return make_enterprise(
        name_zh="东莞市虎门镇名录服饰有限公司", uscc=new_uscc(), cluster=world.humen
    )


def _browser(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_registering_a_listed_firms_code_is_refused_and_says_whom_to_ask(world, listed):
    stranger = UserFactory()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.register_enterprise(user=stranger, data={"uscc": listed.uscc})
    message = refused.value.message_dict["uscc"][0]
    assert "listed by 虎门服装服饰产业管理委员会" in message and "confirm you" in message
    assert not Organisation.objects.filter(enterprise=listed).exists()
    assert not can(stranger, "registry.change_enterprise", listed)
    # Through the form, in Chinese: the same refusal, nothing created.
    form = {
        "uscc": listed.uscc,
        "name_zh": "随便什么名字有限公司",
        "legal_form": "limited",
        "address": "广东省东莞市虎门镇连升路8号",
        "stages": ["garment_making"],
        "main_products": "女装",
        "employees": "10",
        "founded_year": "2009",
        "cluster": "",
    }
    page = _browser(stranger, "zh-hans").post("/accounts/enterprises/register/", form)
    assert page.status_code == 200
    assert "由虎门服装服饰产业管理委员会列入" in page.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()


def test_the_office_hands_the_firm_to_its_owner(world, listed):
    owner = UserFactory(email="boss@example.test")
    office = _browser(world.humen_office)
    edit = office.get(f"/enterprises/{listed.pk}/edit/").content.decode()
    assert "Hand the firm to its owner" in edit
    response = office.post(
        f"/enterprises/{listed.pk}/owner/", {"username_or_email": "BOSS@example.test"}
    )
    assert response.status_code == 302 and response.url == f"/enterprises/{listed.pk}/"
    org = Organisation.objects.get(enterprise=listed)
    assert [(m.user, m.role) for m in org.memberships.all()] == [(owner, Membership.Role.OWNER)]
    assert can(owner, "registry.change_enterprise", listed)
    record = AuditRecord.objects.get(object_type="accounts.membership", action="create")
    assert record.actor == world.humen_office and record.after["user"] == owner.pk
    # Handed over once: the office cannot hand it to someone else now.
    assert (
        "Hand the firm to its owner"
        not in office.get(f"/enterprises/{listed.pk}/edit/").content.decode()
    )
    with pytest.raises(PermissionDenied):
        services.confirm_owner(
            user=world.humen_office, enterprise=listed, username_or_email=UserFactory().username
        )


def test_an_unknown_person_is_a_clear_error_and_changes_nothing(world, listed):
    office = _browser(world.humen_office)
    response = office.post(
        f"/enterprises/{listed.pk}/owner/", {"username_or_email": "nobody-here"}, follow=True
    )
    assert "No user is called nobody-here." in response.content.decode()
    assert not Organisation.objects.filter(enterprise=listed).exists()


def test_another_clusters_office_cannot_hand_it_over(world, listed):
    response = _browser(world.keqiao_office).post(
        f"/enterprises/{listed.pk}/owner/", {"username_or_email": UserFactory().username}
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(enterprise=listed).exists()
