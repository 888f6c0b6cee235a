"""The services demo loads on top of the demo accounts and is idempotent."""

import pytest

from tests.factories import make_enterprise
from weft.accounts.models import Membership
from weft.accounts.permissions import self_dealing
from weft.registry.demo.accounts import setup_demo_accounts
from weft.registry.models import Enterprise
from weft.services import ledger
from weft.services.demo import PROGRAMME_NAME, load_demo
from weft.services.models import Service, ServiceOrder, VoucherProgramme

pytestmark = pytest.mark.django_db


def test_load_demo_twice(clusters, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_demo_accounts()
    first = load_demo()
    assert "4 demo services" in first and PROGRAMME_NAME in first
    assert load_demo() == first
    assert Service.objects.filter(cnas_number="CNAS L1234").count() == 3
    programme = VoucherProgramme.objects.get(name_zh=PROGRAMME_NAME)
    assert programme.issuer.clusters_managed.filter(slug="humen").exists()
    assert ledger.programme_balances(programme)["budget"] == programme.budget
    assert ledger.verify() == []


def _humen_demo_firm(clusters):
    """A demo garment firm in Humen that setup_demo_accounts hands to the firm_humen login."""
    return make_enterprise(
        cluster=clusters["humen"], is_demo=True, legal_form=Enterprise.LegalForm.LIMITED
    )


def test_the_demo_firm_buys_from_a_lab_it_shares_nobody_with(clusters, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _humen_demo_firm(clusters)
    setup_demo_accounts()
    load_demo()
    order = ServiceOrder.objects.get()
    assert order.firm.memberships.filter(user__username="firm_humen").exists()
    assert not self_dealing(order) and order.redemptions.exists()


def test_no_demo_order_between_a_firm_and_its_own_lab(clusters, settings):
    """Should the demo firm's owner also sit in the lab, the demo leaves the order out rather
    than fail on the refusal (or show self-dealing as an example)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _humen_demo_firm(clusters)
    orgs = setup_demo_accounts()
    firm_owner = orgs["firm_humen"].memberships.get().user
    Membership.objects.create(user=firm_owner, organisation=orgs["provider_lab"], role="member")
    assert PROGRAMME_NAME in load_demo()
    assert not ServiceOrder.objects.exists() and ledger.verify() == []
