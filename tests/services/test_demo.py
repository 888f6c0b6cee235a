"""The services demo loads on top of the demo accounts and is idempotent."""

import pytest

from weft.registry.demo.accounts import setup_demo_accounts
from weft.services import ledger
from weft.services.demo import PROGRAMME_NAME, load_demo
from weft.services.models import Service, VoucherProgramme

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
