import pytest

from weft.csr import demo, selectors
from weft.csr.models import DischargePermit
from weft.registry.demo.accounts import setup_demo_accounts
from weft.registry.demo.generator import generate
from weft.registry.models import Cluster

pytestmark = pytest.mark.django_db


def test_demo_verifies_the_humen_firm_and_adds_an_expiring_permit(clusters, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate(300, 1, progress=None)
    orgs = setup_demo_accounts()
    line = demo.load_demo()
    assert "assessment level B" in line and "permit" in line
    assert demo.load_demo() == "CSR demo: already there."
    assert selectors.verified_level(orgs["firm_humen"].enterprise) == "B"
    permit = DischargePermit.objects.get()
    assert permit in selectors.expiring_permits(Cluster.objects.get(slug="keqiao"))
