"""One lookup of "a user named by username or email", shared by adding a member and handing a
firm to its owner; each caller keeps its own error."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import UserFactory, make_enterprise, new_uscc
from weft.accounts import services as account_services
from weft.accounts.models import Membership, Organisation
from weft.accounts.selectors import user_by_name_or_email
from weft.registry import services as registry_services

pytestmark = pytest.mark.django_db


def test_finds_by_exact_username_then_by_email_in_any_case():
    alice = UserFactory(username="alice", email="Alice.Wang@Example.test")
    assert user_by_name_or_email("alice") == alice
    assert user_by_name_or_email("  alice ") == alice
    assert user_by_name_or_email("alice.wang@example.TEST") == alice
    assert user_by_name_or_email("ALICE") is None  # usernames are exact


def test_a_username_wins_over_someone_elses_email():
    bob = UserFactory(username="bob@example.test", email="bob-one@example.test")
    UserFactory(username="bob2", email="bob@example.test")
    assert user_by_name_or_email("bob@example.test") == bob


@pytest.mark.parametrize("value", ["", "   ", "nobody-here", "nobody@example.test"])
def test_nobody_named_is_none(value):
    UserFactory(username="carol", email="")  # an empty email must not match an empty answer
    assert user_by_name_or_email(value) is None


def test_both_callers_use_it_and_keep_their_message(world):
    listed = make_enterprise(
        name_zh="东莞市虎门镇查找服饰有限公司", uscc=new_uscc(), cluster=world.humen
    )
    members = Membership.objects.count()
    with translation.override("en"):
        with pytest.raises(ValidationError, match="No user is called nobody-here."):
            account_services.add_member(
                user=world.firm_admin,
                organisation=world.firm_org,
                username_or_email="nobody-here",
                role="member",
            )
        with pytest.raises(ValidationError, match="No user is called nobody-here."):
            registry_services.confirm_owner(
                user=world.humen_office, enterprise=listed, username_or_email="nobody-here"
            )
    assert Membership.objects.count() == members
    assert not Organisation.objects.filter(enterprise=listed).exists()

    newcomer = UserFactory(email="New.Comer@example.test")
    account_services.add_member(
        user=world.firm_admin,
        organisation=world.firm_org,
        username_or_email="new.comer@EXAMPLE.test",
        role="member",
    )
    assert Membership.objects.filter(user=newcomer, organisation=world.firm_org).exists()
    org = registry_services.confirm_owner(
        user=world.humen_office, enterprise=listed, username_or_email=newcomer.username
    )
    assert org.memberships.get().user == newcomer
