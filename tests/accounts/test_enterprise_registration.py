"""Registering an enterprise: every kind of USCC error is shown next to the field; nothing is created."""

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory, make_enterprise
from weft.accounts.models import Membership, Organisation
from weft.audit.models import AuditRecord
from weft.registry.identifiers import check_character, make_uscc
from weft.registry.models import ClusterMembership, Enterprise

pytestmark = pytest.mark.django_db

VALID = make_uscc("9", "1", "441900", "MA4WX12K")  # 91441900MA4WX12K2T


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


BAD_CODES = {
    # kind of error: (code typed, error code in the page, words the message must contain)
    "length": (VALID[:17], "length", ["18 characters", "this one has 17"]),
    "character": (VALID[:4] + "I" + VALID[5:], "character", ["Character I at position 5"]),
    "authority": (
        _with_check("B" + VALID[1:17]),
        "authority",
        ["B is not a registration authority code"],
    ),
    "region": (
        make_uscc("9", "1", "990000", "MA4WX12K"),
        "region",
        ["990000 is not an administrative division code"],
    ),
    "check": (VALID[:17] + "0", "check_digit", ["position 18", "should be T, not 0"]),
}


def form_data(uscc=VALID, **extra):
    data = {
        "uscc": uscc,
        "name_zh": "东莞市虎门镇锦衣制衣有限公司",
        "name_en": "Humen Jinyi Garments",
        "legal_form": "limited",
        "address": "广东省东莞市虎门镇连升路8号",
        "stages": ["garment_making", "design"],
        "main_products": "女装连衣裙",
        "employees": "120",
        "founded_year": "2009",
        "cluster": "",
    }
    data.update(extra)
    return data


def counts():
    return (
        Enterprise.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        AuditRecord.objects.count(),
        ClusterMembership.objects.count(),
    )


@pytest.fixture
def person(en_client):
    user = UserFactory()
    en_client.force_login(user)
    return user


@pytest.mark.parametrize("kind", list(BAD_CODES))
def test_each_kind_of_uscc_error_is_shown_and_nothing_is_created(en_client, person, kind):
    code, error_code, words = BAD_CODES[kind]
    before = counts()
    response = en_client.post(reverse("accounts:enterprise_register"), form_data(uscc=code))
    assert response.status_code == 200
    body = response.content.decode()
    feedback = body.split('id="uscc-feedback"')[1].split("</div>")[0]
    assert f'data-error="{error_code}"' in feedback
    for w in words:
        assert w in feedback
    assert (
        'aria-invalid="true"'
        in body.split('id="id_uscc"')[0].rsplit("<input", 1)[1]
        + body.split('id="id_uscc"')[1].split(">")[0]
    )
    assert counts() == before


@pytest.mark.parametrize("kind", list(BAD_CODES))
def test_live_check_returns_the_specific_error(en_client, person, kind):
    code, error_code, words = BAD_CODES[kind]
    response = en_client.get(reverse("accounts:check_uscc"), {"uscc": code}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="uscc-feedback" data-state="invalid"')
    assert f'data-error="{error_code}"' in body
    for w in words:
        assert w in body
    assert "<html" not in body


def test_live_check_accepts_a_valid_code_with_spaces(en_client, person):
    spaced = " ".join([VALID[:6], VALID[6:12], VALID[12:].lower()])
    body = en_client.get(reverse("accounts:check_uscc"), {"uscc": spaced}).content.decode()
    assert 'data-state="valid"' in body
    assert "The code is valid." in body
    assert "广东省东莞市" in body


def test_live_check_says_when_a_firm_is_already_registered(en_client, person):
    firm = make_enterprise(uscc=VALID)
    OrganisationFactory(enterprise=firm, name_zh=firm.name_zh)
    body = en_client.get(reverse("accounts:check_uscc"), {"uscc": VALID}).content.decode()
    assert 'data-error="registered"' in body
    assert "already registered on Weft" in body


def test_valid_registration_creates_enterprise_organisation_owner_and_audit(en_client, person):
    before_audit = AuditRecord.objects.count()
    response = en_client.post(reverse("accounts:enterprise_register"), form_data())
    enterprise = Enterprise.objects.get(uscc=VALID)
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/{enterprise.pk}/"
    assert enterprise.name_zh == "东莞市虎门镇锦衣制衣有限公司"
    assert enterprise.employees == 120 and enterprise.founded_year == 2009
    assert sorted(enterprise.stages.values_list("code", flat=True)) == ["design", "garment_making"]
    assert enterprise.supplied_by == person
    org = Organisation.objects.get(enterprise=enterprise)
    assert org.kind == Organisation.Kind.ENTERPRISE
    membership = Membership.objects.get(organisation=org)
    assert (membership.user, membership.role) == (person, Membership.Role.OWNER)
    types = set(
        AuditRecord.objects.values_list("object_type", flat=True)[
            : AuditRecord.objects.count() - before_audit
        ]
    )
    assert {"registry.enterprise", "accounts.membership"} <= types
    assert AuditRecord.objects.filter(
        object_type="registry.enterprise", object_id=str(enterprise.pk), actor=person
    ).exists()
    # The success message follows the redirect.
    followed = en_client.get(reverse("accounts:dashboard"))
    assert "is registered on Weft and you are its owner" in followed.content.decode()


def test_registration_with_cluster_files_a_join_request(en_client, person, clusters):
    humen = clusters["humen"]
    en_client.post(reverse("accounts:enterprise_register"), form_data(cluster=str(humen.pk)))
    enterprise = Enterprise.objects.get(uscc=VALID)
    membership = ClusterMembership.objects.get(enterprise=enterprise)
    assert (membership.cluster, membership.status) == (humen, ClusterMembership.Status.PENDING)


def test_code_already_registered_gives_a_clear_message(en_client, person):
    firm = make_enterprise(uscc=VALID)
    OrganisationFactory(enterprise=firm, name_zh=firm.name_zh)
    before = counts()
    response = en_client.post(reverse("accounts:enterprise_register"), form_data())
    body = response.content.decode()
    assert response.status_code == 200
    assert "This firm is already registered on Weft; ask its administrators to invite you." in body
    assert counts() == before


def test_other_field_errors_keep_the_code_and_create_nothing(en_client, person):
    before = counts()
    response = en_client.post(
        reverse("accounts:enterprise_register"),
        form_data(name_zh="", founded_year="2999", stages=["no_such_stage"]),
    )
    body = response.content.decode()
    assert "This field is required." in body
    assert "The year founded cannot be in the future." in body
    assert "no_such_stage" in body  # the unknown choice is named in its error
    assert f'value="{VALID}"' in body
    assert 'data-state="valid"' in body
    assert counts() == before


def test_registration_requires_login(client):
    response = client.get(reverse("accounts:enterprise_register"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_live_check_speaks_the_users_language(client):
    client.force_login(UserFactory(language="zh-hans"))
    body = client.get(reverse("accounts:check_uscc"), {"uscc": VALID[:17] + "0"}).content.decode()
    assert "校验码（第 18 位）应为 T，而不是 0。" in body
