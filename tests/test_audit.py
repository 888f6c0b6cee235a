"""Every write that matters leaves an AuditRecord: who, what, before/after of the changed fields.
The trail is append-only, even for superusers in the admin."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from weft.accounts import services as accounts
from weft.accounts.models import Membership
from weft.audit.models import AuditRecord
from weft.registry import services as registry
from weft.registry.models import ClusterMembership

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.7 s per test user; the world fixture makes eight of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def records_for(obj, action=None):
    qs = AuditRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return qs.filter(action=action) if action else qs


def only_record(obj, action):
    records = list(records_for(obj, action))
    assert len(records) == 1, records
    return records[0]


# --- enterprises -------------------------------------------------------------------------------


def test_create_enterprise_is_audited(world):
    enterprise = registry.create_enterprise(
        user=world.humen_office,
        data={
            "name_zh": "东莞市虎门镇审计制衣有限公司",
            "employees": 12,
            "stages": ["garment_making"],
        },
        cluster=world.humen,
    )
    record = only_record(enterprise, "create")
    assert record.actor == world.humen_office
    assert record.before is None
    assert record.after["name_zh"] == "东莞市虎门镇审计制衣有限公司"
    assert record.after["employees"] == 12 and record.after["size_band"] == "micro"
    assert record.after["stages"] == ["garment_making"]
    assert record.object_repr == "东莞市虎门镇审计制衣有限公司"
    assert "search_tokens" not in record.after  # derived data is not audit material


def test_update_enterprise_records_only_changed_fields(world):
    registry.update_enterprise(
        user=world.firm_admin,
        enterprise=world.firm,
        data={"main_products": "礼服", "employees": 50, "certifications": ["bsci"]},
    )
    record = only_record(world.firm, "update")
    assert record.actor == world.firm_admin
    # employees did not change (50 → 50), so it is not in the record.
    assert record.before == {"main_products": "女装", "certifications": []}
    assert record.after == {"main_products": "礼服", "certifications": ["bsci"]}


def test_update_without_change_leaves_no_record(world):
    registry.update_enterprise(
        user=world.firm_admin, enterprise=world.firm, data={"main_products": "女装"}
    )
    assert not records_for(world.firm, "update").exists()


def test_refused_update_leaves_no_record_and_no_change(world):
    with pytest.raises(PermissionDenied):
        registry.update_enterprise(
            user=world.firm_member, enterprise=world.firm, data={"main_products": "礼服"}
        )
    assert not AuditRecord.objects.exists()
    world.firm.refresh_from_db()
    assert world.firm.main_products == "女装"


def test_address_change_records_the_geocoded_fields(world):
    registry.update_enterprise(
        user=world.operator, enterprise=world.firm, data={"address": "江苏省苏州市吴江区盛泽镇1号"}
    )
    record = only_record(world.firm, "update")
    assert record.before["adcode"] == "441900" and record.after["adcode"] == "320509"
    assert record.after["province"] == "江苏省"
    assert record.before["address"] == "广东省东莞市虎门镇连升路1号"


# --- cluster membership decisions --------------------------------------------------------------


def test_membership_request_and_decision_are_audited(world):
    request = registry.request_membership(
        user=world.other_firm_admin, enterprise=world.other_firm, cluster=world.humen
    )
    created = only_record(request, "create")
    assert created.actor == world.other_firm_admin
    assert created.after["status"] == "pending" and created.after["cluster"] == world.humen.pk

    registry.decide_membership(
        user=world.humen_office, membership=request, approve=True, note="符合条件"
    )
    decided = only_record(request, "update")
    assert decided.actor == world.humen_office
    assert decided.before["status"] == "pending" and decided.after["status"] == "approved"
    assert (
        decided.before["decided_by"] is None
        and decided.after["decided_by"] == world.humen_office.pk
    )
    assert decided.after["note"] == "符合条件"
    assert decided.reason == "符合条件"


def test_rejection_is_audited(world):
    request = registry.request_membership(
        user=world.other_firm_admin, enterprise=world.other_firm, cluster=world.humen
    )
    registry.decide_membership(
        user=world.operator, membership=request, approve=False, note="不在辖区"
    )
    decided = only_record(request, "update")
    assert (decided.before["status"], decided.after["status"]) == ("pending", "rejected")
    assert decided.actor == world.operator


def test_refused_decision_leaves_no_record(world):
    request = registry.request_membership(
        user=world.other_firm_admin, enterprise=world.other_firm, cluster=world.humen
    )
    with pytest.raises(PermissionDenied):
        registry.decide_membership(user=world.keqiao_office, membership=request, approve=True)
    assert not records_for(request, "update").exists()
    request.refresh_from_db()
    assert request.status == ClusterMembership.Status.PENDING


# --- organisation members ----------------------------------------------------------------------


def test_member_changes_are_audited(world):
    newcomer = UserFactory()
    membership = accounts.add_member(
        user=world.firm_admin,
        organisation=world.firm_org,
        username_or_email=newcomer.email,
        role="member",
    )
    added = only_record(membership, "create")
    assert added.actor == world.firm_admin
    assert added.after["user"] == newcomer.pk and added.after["role"] == "member"

    accounts.change_role(user=world.firm_admin, membership=membership, role="admin")
    changed = only_record(membership, "update")
    assert changed.before == {"role": "member"} and changed.after == {"role": "admin"}

    pk = membership.pk
    accounts.remove_member(user=world.firm_owner, membership=membership)
    removed = AuditRecord.objects.get(
        object_type="accounts.membership", object_id=str(pk), action="delete"
    )
    assert removed.actor == world.firm_owner
    assert removed.before["role"] == "admin" and removed.after is None
    assert not Membership.objects.filter(pk=pk).exists()


def test_refused_member_change_leaves_no_record(world):
    membership = Membership.objects.get(user=world.firm_member, organisation=world.firm_org)
    with pytest.raises(PermissionDenied):
        accounts.change_role(user=world.firm_member, membership=membership, role="admin")
    with pytest.raises(PermissionDenied):
        accounts.change_role(
            user=world.firm_admin, membership=membership, role="owner"
        )  # owners make owners
    assert not AuditRecord.objects.exists()


def test_register_enterprise_audits_record_and_ownership(world):
    user = UserFactory()
    from .factories import new_uscc

    org = registry.register_enterprise(
        user=user,
        data={"uscc": new_uscc(), "name_zh": "东莞市虎门镇自注册服饰有限公司"},
        cluster=world.humen,
    )
    assert only_record(org.enterprise, "create").actor == user
    ownership = Membership.objects.get(user=user, organisation=org)
    assert only_record(ownership, "create").after["role"] == "owner"
    join = ClusterMembership.objects.get(enterprise=org.enterprise, cluster=world.humen)
    assert only_record(join, "create").after["status"] == "pending"


# --- the trail is append-only ------------------------------------------------------------------


@pytest.fixture
def superuser_client(db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def record(world):
    registry.update_enterprise(
        user=world.firm_admin, enterprise=world.firm, data={"main_products": "礼服"}
    )
    return AuditRecord.objects.get(action="update")


def test_admin_lists_and_shows_records_read_only(superuser_client, record):
    listing = superuser_client.get("/admin/audit/auditrecord/")
    assert listing.status_code == 200
    assert record.object_repr in listing.content.decode()
    assert b'name="action"' not in listing.content or b"delete_selected" not in listing.content
    detail = superuser_client.get(f"/admin/audit/auditrecord/{record.pk}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'name="_save"' not in html and "<textarea" not in html.lower()


def test_admin_cannot_change_record(superuser_client, record):
    response = superuser_client.post(
        f"/admin/audit/auditrecord/{record.pk}/change/", {"action": "delete", "reason": "tampered"}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.action == "update" and record.reason == ""


def test_admin_cannot_delete_record(superuser_client, record):
    assert superuser_client.get(f"/admin/audit/auditrecord/{record.pk}/delete/").status_code == 403
    assert (
        superuser_client.post(
            f"/admin/audit/auditrecord/{record.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    bulk = superuser_client.post(
        "/admin/audit/auditrecord/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_admin_cannot_add_record(superuser_client, record):
    assert superuser_client.get("/admin/audit/auditrecord/add/").status_code == 403
    count = AuditRecord.objects.count()
    superuser_client.post(
        "/admin/audit/auditrecord/add/", {"action": "create", "object_type": "x", "object_id": "1"}
    )
    assert AuditRecord.objects.count() == count


def test_admin_deletion_of_an_enterprise_is_audited(superuser_client, world):
    """Deleting an enterprise through the admin leaves a record like the services do."""
    from weft.registry.models import Enterprise

    from .factories import make_enterprise

    doomed = make_enterprise(name_zh="东莞市虎门镇重复录入服饰有限公司")
    response = superuser_client.post(
        f"/admin/registry/enterprise/{doomed.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=doomed.pk).exists()
    record = only_record(doomed, "delete")
    assert record.before["name_zh"] == "东莞市虎门镇重复录入服饰有限公司"
    assert record.reason == "admin"
