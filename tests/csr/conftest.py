import pytest
from django.utils import translation

from tests.factories import OrganisationFactory, member_of
from weft.accounts.models import Membership, Organisation
from weft.csr.questionnaire import QUESTIONS


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def auditor(db):
    org = OrganisationFactory(kind=Organisation.Kind.SERVICE_PROVIDER, name_zh="华审社会责任审核所")
    return org, member_of(org, Membership.Role.ADMIN)


def all_answers(choice="yes"):
    return {code: {"choice": choice, "comment": ""} for code in QUESTIONS}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english_messages():
    # Services raise messages in the active language; an earlier test may have left another one.
    with translation.override("en"):
        yield
