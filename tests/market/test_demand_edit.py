"""A buyer's admins edit a posted demand; once quotes are in, what suppliers priced stays."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from weft.audit.models import AuditRecord
from weft.market import services
from weft.market.models import Demand, Notification, Transition

from .conftest import post_open

pytestmark = pytest.mark.django_db


def _quote(market, demand, quantity="1000"):
    return services.submit_quote(
        user=market.keqiao_admin,
        demand=demand,
        data={
            "unit_price": Decimal("12"),
            "quantity": Decimal(quantity),
            "lead_time_days": 20,
            "valid_until": timezone.localdate() + datetime.timedelta(days=9),
        },
    )


def _client(user, lang="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def _edits(demand):
    return list(
        Transition.objects.filter(demand=demand, from_status=demand.status, to_status=demand.status)
    )


def test_before_quotes_every_field_may_change_and_the_edit_is_recorded(market):
    demand = post_open(market.buyer_admin)
    services.edit_demand(
        user=market.buyer_admin,
        demand=demand,
        data={
            "category": "denim",
            "spec": "12盎司牛仔布",
            "quantity": Decimal("8000"),
            "visibility": "cluster",
            "certifications": ["gots"],
        },
    )
    demand.refresh_from_db()
    assert (demand.category, demand.spec, demand.quantity) == ("denim", "12盎司牛仔布", 8000)
    assert demand.visibility == "cluster"
    assert list(demand.certifications.values_list("code", flat=True)) == ["gots"]
    assert "牛仔" in demand.search_text
    (edit,) = _edits(demand)
    assert edit.actor == market.buyer_admin
    assert edit.note == "edited: category, certifications, quantity, spec, visibility"
    audit = AuditRecord.objects.filter(reason__startswith="edited").get()
    assert audit.before["quantity"] == "5000.00" and audit.after["quantity"] == "8000.00"
    assert audit.before["certifications"] == [] and audit.after["certifications"] == ["gots"]
    # Nothing changed: nothing recorded.
    services.edit_demand(user=market.buyer_admin, demand=demand, data={"spec": "12盎司牛仔布"})
    assert len(_edits(demand)) == 1


def test_once_quoted_priced_fields_are_locked_and_others_move_one_way(market):
    demand = post_open(market.buyer_admin, visibility="cluster")
    # A firm of the buyer's cluster quotes; the Keqiao mill could not see a cluster demand.
    services.submit_quote(
        user=market.humen_mill_admin,
        demand=demand,
        data={
            "unit_price": Decimal("12"),
            "quantity": Decimal("3000"),
            "lead_time_days": 20,
            "valid_until": timezone.localdate() + datetime.timedelta(days=9),
        },
    )
    before = Demand.objects.get(pk=demand.pk)
    refused = [
        ({"unit": "kg"}, "locked_once_quoted"),
        ({"category": "denim"}, "locked_once_quoted"),
        ({"certifications": ["gots"]}, "locked_once_quoted"),
        ({"delivery_address": "浙江省绍兴市柯桥区"}, "locked_once_quoted"),
        ({"needed_by": demand.needed_by - datetime.timedelta(days=1)}, "needed_by_earlier"),
        ({"visibility": "invited"}, "visibility_narrower"),
    ]
    for data, code in refused:
        with pytest.raises(services.Refused) as exc:
            services.edit_demand(user=market.buyer_admin, demand=demand, data=data)
        assert exc.value.code == code, data
    with pytest.raises(ValidationError) as exc:
        services.edit_demand(
            user=market.buyer_admin, demand=demand, data={"quantity": Decimal("2999")}
        )
    assert "3000" in exc.value.message_dict["quantity"][0]
    after = Demand.objects.get(pk=demand.pk)
    assert (after.unit, after.category, after.needed_by, after.visibility, after.quantity) == (
        before.unit,
        before.category,
        before.needed_by,
        before.visibility,
        before.quantity,
    )
    assert _edits(demand) == []
    # What does not break the quote goes through, and the quoting firm hears of it.
    later = demand.needed_by + datetime.timedelta(days=10)
    services.edit_demand(
        user=market.buyer_admin,
        demand=demand,
        data={
            "spec": "改为60支",
            "quantity": Decimal("9000"),
            "needed_by": later,
            "target_price": Decimal("13.00"),
            "visibility": "public",
        },
    )
    demand.refresh_from_db()
    assert (demand.needed_by, demand.visibility, demand.target_price) == (later, "public", 13)
    note = Notification.objects.get(user=market.humen_mill_admin, kind="demand_edited")
    assert demand.title in note.message_zh and "check your quote" in note.message_en


def test_only_draft_and_open_demands_and_only_the_buyers_admins(market):
    demand = post_open(market.buyer_admin)
    for user in (market.buyer_member, market.keqiao_admin, market.world.operator):
        with pytest.raises(PermissionDenied):
            services.edit_demand(user=user, demand=demand, data={"spec": "x"})
    services.award(user=market.buyer_admin, quote=_quote(market, demand))
    with pytest.raises(services.Refused) as exc:
        services.edit_demand(user=market.buyer_admin, demand=demand, data={"spec": "x"})
    assert exc.value.code == "not_editable"
    with pytest.raises(ValidationError):
        services.edit_demand(user=market.buyer_admin, demand=demand, data={"buyer_id": 1})


def test_api_patch(market):
    demand = post_open(market.buyer_admin)
    _quote(market, demand)
    url = f"/api/v1/demands/{demand.pk}"
    admin = _client(market.buyer_admin)
    r = admin.patch(url, json.dumps({"spec": "加急", "quantity": "7000"}), "application/json")
    assert r.status_code == 200, r.content
    assert r.json()["spec"] == "加急" and Decimal(r.json()["quantity"]) == 7000
    r = admin.patch(url, json.dumps({"unit": "kg"}), "application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "locked_once_quoted"
    assert r.json()["details"] == {"fields": ["unit"]}
    r = _client(market.buyer_admin, "zh-hans").patch(
        url, json.dumps({"quantity": "-5"}), "application/json"
    )
    assert r.status_code == 422 and "大于零" in json.dumps(r.json(), ensure_ascii=False)
    r = admin.patch(url, json.dumps({"quote_deadline": "2020-01-01T00:00:00Z"}), "application/json")
    assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
    r = admin.patch("/api/v1/demands/987654", json.dumps({"spec": "x"}), "application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = admin.patch(url, json.dumps({"quantity": "很多"}), "application/json")
    assert r.status_code == 422 and set(r.json()) == {"code", "message", "details"}
    # A deadline without a time zone is read in the platform's.
    later = (timezone.localtime() + datetime.timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    r = admin.patch(url, json.dumps({"quote_deadline": later.isoformat()}), "application/json")
    assert r.status_code == 200, r.content
    assert Demand.objects.get(pk=demand.pk).quote_deadline == timezone.make_aware(later)
    r = _client(market.keqiao_admin).patch(url, json.dumps({"spec": "x"}), "application/json")
    assert r.status_code == 403
    assert Demand.objects.get(pk=demand.pk).spec == "加急"
    transitions = _client(market.buyer_admin).get(f"{url}/transitions").json()
    assert [t["note"] for t in transitions[-2:]] == [
        "edited: quantity, spec",
        "edited: quote_deadline",
    ]


def test_edit_page(market):
    demand = post_open(market.buyer_admin)
    _quote(market, demand)
    client = _client(market.buyer_admin)
    url = reverse("market:demand_edit", kwargs={"pk": demand.pk})
    page = client.get(url).content.decode()
    assert 'id="locked-note"' in page
    assert 'name="unit"' in page and "disabled" in page.split('name="unit"')[1].split(">")[0]
    assert 'value="40支全棉府绸，漂白"' in page or "40支全棉府绸，漂白" in page
    form = {
        "title": demand.title,
        "stage": "weaving",
        "category": "cotton_woven",
        "spec": "40支全棉府绸，漂白，加急",
        "fibre_content": "100% 棉",
        "weight_gsm": "120",
        "width_cm": "150",
        "colour": "白色",
        "size_range": "",
        "quantity": "6000",
        "unit": "kg",  # disabled: ignored, the posted unit stays
        "target_price": "12.50",
        "needed_by": demand.needed_by.isoformat(),
        "quote_deadline": timezone.localtime(demand.quote_deadline).strftime("%Y-%m-%dT%H:%M"),
        "delivery_address": demand.delivery_address,
        "visibility": "public",
    }
    r = client.post(url, form)
    assert r.status_code == 302
    demand.refresh_from_db()
    assert (demand.spec, demand.quantity, demand.unit) == ("40支全棉府绸，漂白，加急", 6000, "m")
    assert _edits(demand)[-1].note == "edited: quantity, spec"
    # A refused change shows the reason on the form and changes nothing.
    r = client.post(url, {**form, "needed_by": "2020-01-01"})
    assert r.status_code == 200
    assert "the needed-by date may move later, not earlier" in r.content.decode()
    demand.refresh_from_db()
    assert demand.needed_by != datetime.date(2020, 1, 1)
    # Others may not post the form.
    other = _client(market.humen_mill_admin).post(url, form)
    assert other.status_code == 403
