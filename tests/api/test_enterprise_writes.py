"""POST /enterprises and PATCH /enterprises/{id}: who may, what is checked, what is recorded.

Policy (weft/accounts/permissions/foundation.py `create_enterprise`): anyone signed in may add a firm's
record without a cluster (self-registration of a record); adding it straight onto a cluster's
roll (`cluster_id`) is for that cluster's office admin or the operator.
"""

import pytest

from weft.audit.models import AuditRecord
from weft.registry.models import ClusterMembership, Enterprise

from ..factories import UserFactory, new_uscc
from .helpers import assert_error

pytestmark = pytest.mark.django_db

NEW_FIRM = {
    "name_zh": "东莞市虎门镇春风制衣有限公司",
    "address": "广东省东莞市虎门镇银龙路2号",
    "stages": ["garment_making"],
    "industry_codes": ["1819"],
    "employees": 45,
    "main_products": "女式衬衫",
}


def test_anonymous_cannot_create(api, world):
    assert_error(api.post("/enterprises", NEW_FIRM), 401, "unauthenticated")
    assert not Enterprise.objects.filter(name_zh=NEW_FIRM["name_zh"]).exists()


def test_any_signed_in_user_may_create_without_cluster(api, world):
    user = UserFactory()
    response = api.post("/enterprises", {**NEW_FIRM, "uscc": new_uscc()}, user=user)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name_zh"] == NEW_FIRM["name_zh"]
    assert body["source"] == "self" and body["clusters"] == []
    assert (
        body["county"] == ""
        and body["adcode"] == "441900"
        and body["geocode_precision"] == "county"
    )
    assert body["size_band"] == "small" and body["industry_codes"] == ["1819"]
    enterprise = Enterprise.objects.get(pk=body["id"])
    assert enterprise.supplied_by == user
    assert "c:" not in " ".join(enterprise.search_tokens)
    record = AuditRecord.objects.get(
        object_type="registry.enterprise", object_id=str(enterprise.pk)
    )
    assert record.actor == user and record.action == "create"
    assert record.after["name_zh"] == NEW_FIRM["name_zh"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("humen_office", 201),
        ("operator", 201),
        ("keqiao_office", 403),
        ("humen_office_member", 403),
        ("firm_admin", 403),
        ("stranger", 403),
    ],
)
def test_create_in_a_cluster_is_for_its_office_or_the_operator(api, world, who, status):
    user = UserFactory() if who == "stranger" else getattr(world, who)
    payload = {**NEW_FIRM, "cluster_id": world.humen.pk}
    response = api.post("/enterprises", payload, user=user)
    if status == 201:
        assert response.status_code == 201, response.content
        body = response.json()
        assert [c["slug"] for c in body["clusters"]] == ["humen"]
        assert body["source"] == "cluster_office"
        membership = ClusterMembership.objects.get(enterprise_id=body["id"])
        assert membership.status == "approved" and membership.decided_by == user
    else:
        assert_error(response, 403, "forbidden")
        assert not Enterprise.objects.filter(name_zh=NEW_FIRM["name_zh"]).exists()


def test_create_with_unknown_cluster_is_422(api, world):
    body = assert_error(
        api.post("/enterprises", {**NEW_FIRM, "cluster_id": 99999}, user=world.operator), 422
    )
    assert "99999" in body["message"]


@pytest.mark.parametrize(
    ("uscc", "fragment"),
    [
        ("914403001922038217", "The check character (position 18) should be 6, not 7."),
        ("9144030019220382", "A unified social credit code has 18 characters; this one has 16."),
        ("91440300192203821O", "Character O at position 18 is not allowed"),
    ],
)
def test_create_with_invalid_uscc_is_422_with_the_specific_message(api, world, uscc, fragment):
    response = api.post("/enterprises", {**NEW_FIRM, "uscc": uscc}, user=UserFactory())
    body = assert_error(response, 422, "invalid_data")
    assert fragment in body["message"]
    assert any(fragment in m for m in body["details"]["uscc"])
    assert not Enterprise.objects.filter(name_zh=NEW_FIRM["name_zh"]).exists()


def test_create_with_duplicate_uscc_is_422(api, world):
    response = api.post(
        "/enterprises", {**NEW_FIRM, "uscc": world.firm.uscc.lower()}, user=UserFactory()
    )
    body = assert_error(response, 422, "invalid_data")
    assert world.firm.name_zh in body["message"]
    assert Enterprise.objects.filter(uscc=world.firm.uscc).count() == 1


def test_create_with_unknown_stage_names_it(api, world):
    payload = {**NEW_FIRM, "stages": ["garment_making", "space_weaving"]}
    body = assert_error(api.post("/enterprises", payload, user=UserFactory()), 422, "invalid_data")
    assert "space_weaving" in body["message"] and "garment_making" not in body["message"]
    assert not Enterprise.objects.filter(name_zh=NEW_FIRM["name_zh"]).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"name_zh": "x"},  # too short
        {"name_zh": "东莞市虎门镇春风制衣有限公司", "employees": -1},
        {"name_zh": "东莞市虎门镇春风制衣有限公司", "founded_year": 1066},
        {
            "name_zh": "东莞市虎门镇春风制衣有限公司",
            "capacity": {"quantity": 5, "unit": "件", "period": "fortnight"},
        },
        {"address": "no name"},
    ],
)
def test_create_with_bad_fields_is_422_and_changes_nothing(api, world, payload):
    before = Enterprise.objects.count()
    assert_error(api.post("/enterprises", payload, user=UserFactory()), 422, "invalid_request")
    assert Enterprise.objects.count() == before


# --- PATCH -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("firm_owner", 200),
        ("firm_admin", 200),
        ("firm_member", 403),
        ("other_firm_admin", 403),
        ("humen_office", 200),
        ("humen_office_member", 403),
        ("keqiao_office", 403),
        ("operator", 200),
    ],
)
def test_patch_permissions(api, world, who, status):
    user = getattr(world, who)
    response = api.patch(f"/enterprises/{world.firm.pk}", {"main_products": "礼服"}, user=user)
    world.firm.refresh_from_db()
    if status == 200:
        assert response.status_code == 200, response.content
        assert response.json()["main_products"] == "礼服"
        assert world.firm.main_products == "礼服"
        record = AuditRecord.objects.get(
            object_type="registry.enterprise", object_id=str(world.firm.pk), action="update"
        )
        assert record.actor == user
        assert record.before == {"main_products": "女装"}
        assert record.after == {"main_products": "礼服"}
    else:
        assert_error(response, 403, "forbidden")
        assert world.firm.main_products == "女装"
        assert not AuditRecord.objects.filter(action="update").exists()


def test_patch_anonymous_is_401_and_unknown_is_404(api, world):
    assert_error(
        api.patch(f"/enterprises/{world.firm.pk}", {"main_products": "礼服"}),
        401,
        "unauthenticated",
    )
    assert_error(
        api.patch("/enterprises/99999", {"main_products": "礼服"}, user=world.operator),
        404,
        "not_found",
    )


def test_patch_only_touches_sent_fields(api, world):
    response = api.patch(f"/enterprises/{world.firm.pk}", {"employees": 400}, user=world.firm_admin)
    body = response.json()
    assert body["employees"] == 400 and body["size_band"] == "medium"
    assert body["main_products"] == "女装" and body["name_zh"] == world.firm.name_zh
    assert body["contact"]["name"] == "张丽"
    record = AuditRecord.objects.get(action="update")
    assert record.before == {"employees": 50, "size_band": "small"}
    assert record.after == {"employees": 400, "size_band": "medium"}


def test_patch_with_invalid_uscc_changes_nothing(api, world):
    old = world.firm.uscc
    body = assert_error(
        api.patch(
            f"/enterprises/{world.firm.pk}",
            {"uscc": "914403001922038217", "main_products": "礼服"},
            user=world.firm_admin,
        ),
        422,
        "invalid_data",
    )
    assert "position 18" in body["message"]
    world.firm.refresh_from_db()
    assert world.firm.uscc == old and world.firm.main_products == "女装"


def test_patch_unknown_certification_is_named(api, world):
    body = assert_error(
        api.patch(
            f"/enterprises/{world.firm.pk}",
            {"certifications": ["gots", "iso9999"]},
            user=world.firm_admin,
        ),
        422,
        "invalid_data",
    )
    assert "iso9999" in body["message"]


def test_patch_stages_are_audited_and_searchable(api, world):
    api.patch(
        f"/enterprises/{world.firm.pk}",
        {"stages": ["design", "garment_making"]},
        user=world.firm_admin,
    )
    record = AuditRecord.objects.get(action="update")
    assert record.before == {"stages": ["garment_making"]}
    assert record.after == {"stages": ["design", "garment_making"]}
    assert world.firm.name_zh in {
        e["name_zh"] for e in api.get("/enterprises", stage="design").json()["results"]
    }


# --- contact visibility through the API --------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"name": "张丽", "phone": None, "email": None}),
        ("stranger", {"name": "张丽", "phone": "0769-85000001", "email": None}),
        ("other_firm_admin", {"name": "张丽", "phone": "0769-85000001", "email": None}),
        ("keqiao_office", {"name": "张丽", "phone": "0769-85000001", "email": None}),
        ("firm_member", {"name": "张丽", "phone": "0769-85000001", "email": "li@example.test"}),
        (
            "humen_office_member",
            {"name": "张丽", "phone": "0769-85000001", "email": "li@example.test"},
        ),
        ("operator", {"name": "张丽", "phone": "0769-85000001", "email": "li@example.test"}),
    ],
)
def test_contact_visibility(api, world, who, expected):
    user = (
        None if who == "anonymous" else UserFactory() if who == "stranger" else getattr(world, who)
    )
    body = api.get(f"/enterprises/{world.firm.pk}", user=user).json()
    assert body["contact"] == expected
    assert body["contact_visibility"] == {
        "name": "public",
        "phone": "registered",
        "email": "private",
    }
