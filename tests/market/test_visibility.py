"""A cluster-only demand is invisible to other clusters' firms everywhere: lists, search,
matches and by id; quotes are seen by their supplier and the buyer only."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from weft.market import matching, selectors, services
from weft.market.selectors import PostFilters

from .conftest import offer_data, post_open

pytestmark = pytest.mark.django_db
API = "/api/v1"


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_login(user)
    return c


def ids(response):
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def test_cluster_only_demand_is_invisible_to_other_clusters_everywhere(market):
    secret = post_open(market.buyer_admin, title="虎门内部采购府绸", visibility="cluster")
    public = post_open(market.buyer_admin, title="公开采购府绸", category="polyester_woven")
    keqiao, humen_mill = market.keqiao_admin, market.humen_mill_admin
    # Lists and search, in the selector and the API.
    for q in ("", "府绸", "采购"):
        assert secret not in selectors.search_demands(keqiao, PostFilters(q=q))
        assert secret in selectors.search_demands(humen_mill, PostFilters(q=q))
        assert secret.pk not in ids(client_for(keqiao).get(f"{API}/demands", {"q": q}))
        assert secret.pk in ids(client_for(humen_mill).get(f"{API}/demands", {"q": q}))
        assert public.pk in ids(client_for(keqiao).get(f"{API}/demands", {"q": q}))
    assert secret.pk not in ids(client_for(None).get(f"{API}/demands"))
    # By id: the same 404 as a demand that does not exist.
    gone = client_for(keqiao).get(f"{API}/demands/{secret.pk}")
    missing = client_for(keqiao).get(f"{API}/demands/999999")
    assert gone.status_code == missing.status_code == 404
    assert gone.json()["message"] == f"No demand has id {secret.pk}."
    assert client_for(humen_mill).get(f"{API}/demands/{secret.pk}").status_code == 200
    assert (
        client_for(market.world.humen_office).get(f"{API}/demands/{secret.pk}").status_code == 200
    )
    assert (
        client_for(market.world.keqiao_office).get(f"{API}/demands/{secret.pk}").status_code == 404
    )
    # Matches both ways: the Keqiao mill's offer does not see it, nor is it a candidate.
    offer = services.post_offer(user=keqiao, data=offer_data())
    assert secret.pk not in [m.demand.pk for m in matching.matches_for_offer(offer, keqiao)]
    assert offer.pk not in [m.offer.pk for m in matching.matches_for_demand(secret)]
    listed = client_for(keqiao).get(f"{API}/capacity-offers/{offer.pk}/matches").json()
    assert secret.pk not in [m["demand_id"] for m in listed]
    # And it cannot quote on it.
    quote = {
        "unit_price": "12.00",
        "quantity": "100",
        "lead_time_days": 20,
        "valid_until": str(timezone.localdate() + datetime.timedelta(days=9)),
    }
    r = client_for(keqiao).post(
        f"{API}/demands/{secret.pk}/quotes", json.dumps(quote), content_type="application/json"
    )
    assert r.status_code == 404


def test_drafts_invited_and_hidden(market):
    draft = services.post_demand(
        user=market.buyer_admin,
        data={**_data(), "title": "草稿"},
    )
    assert draft not in selectors.visible_demands(market.keqiao_admin)
    assert draft not in selectors.visible_demands(market.world.humen_office)
    assert draft in selectors.visible_demands(market.buyer_member)
    invited = post_open(market.buyer_admin, title="邀请报价", visibility="invited")
    assert invited not in selectors.visible_demands(market.keqiao_admin)
    services.invite(user=market.buyer_admin, demand=invited, enterprise=market.keqiao_mill)
    assert invited in selectors.visible_demands(market.keqiao_admin)
    assert invited not in selectors.visible_demands(market.humen_mill_admin)
    # Reported, then hidden by the buyer's cluster office (not the other cluster's).
    public = post_open(market.buyer_admin, title="可疑帖子", category="denim")
    report = services.report_post(user=market.keqiao_admin, post=public, reason="虚假信息")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decide_report(user=market.world.keqiao_office, report=report, hide=True)
    services.decide_report(user=market.world.humen_office, report=report, hide=True)
    assert public not in selectors.visible_demands(market.keqiao_admin)
    assert public not in selectors.visible_demands(None)
    assert public in selectors.visible_demands(market.buyer_member)
    assert public in selectors.visible_demands(market.world.humen_office)
    note = market.world.humen_office.market_notifications.get(kind="report")
    assert "虚假信息" in note.message_zh


def _data():
    from .conftest import demand_data

    return demand_data()


def test_quotes_seen_only_by_supplier_and_buyer(market):
    demand = post_open(market.buyer_admin)
    data = {
        "unit_price": Decimal("12"),
        "quantity": Decimal("100"),
        "lead_time_days": 20,
        "valid_until": timezone.localdate() + datetime.timedelta(days=9),
    }
    q1 = services.submit_quote(user=market.keqiao_admin, demand=demand, data=data)
    q2 = services.submit_quote(user=market.humen_mill_admin, demand=demand, data=data)
    buyer = client_for(market.buyer_member)
    listed = buyer.get(f"{API}/demands/{demand.pk}/quotes").json()
    assert sorted(q["id"] for q in listed) == sorted([q1.pk, q2.pk])
    keqiao = client_for(market.keqiao_admin)
    assert [q["id"] for q in keqiao.get(f"{API}/demands/{demand.pk}/quotes").json()] == [q1.pk]
    assert keqiao.get(f"{API}/quotes/{q2.pk}").status_code == 404
    assert client_for(market.world.humen_office).get(f"{API}/quotes/{q1.pk}").status_code == 404
    r = keqiao.post(f"{API}/quotes/{q1.pk}/award", "{}", content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("who", "sees_details"),
    [
        ("anonymous", False),
        ("other_firm", False),  # the Keqiao mill
        ("same_cluster_firm", False),  # another Humen firm
        ("owner", True),  # a plain member of the buyer
        ("owner_office", True),  # the Humen office, the buyer's cluster
        ("other_office", False),
        ("operator", True),
    ],
)
def test_demand_history_names_and_notes_only_for_the_owner_its_office_and_operator(
    market, who, sees_details
):
    demand = post_open(market.buyer_admin, title="公开采购府绸")
    services.act(market.buyer_admin, demand, "cancel", "供应商报价过高，另找渠道")
    w = market.world
    user = {
        "anonymous": None,
        "other_firm": market.keqiao_admin,
        "same_cluster_firm": market.humen_mill_admin,
        "owner": market.buyer_member,
        "owner_office": w.humen_office,
        "other_office": w.keqiao_office,
        "operator": w.operator,
    }[who]
    c = client_for(user)
    history = c.get(f"{API}/demands/{demand.pk}/transitions")
    assert history.status_code == 200, history.content
    rows = history.json()
    # Everyone who sees the demand sees its statuses and when they changed.
    assert [(r["from_status"], r["to_status"]) for r in rows][-1:] == [("open", "cancelled")]
    assert all(r["at"] for r in rows)
    cancelled = rows[-1]
    if sees_details:
        assert cancelled["actor"] == market.buyer_admin.username
        assert cancelled["note"] == "供应商报价过高，另找渠道"
    else:
        assert all(r["actor"] is None and r["note"] is None for r in rows)
    page = c.get(f"/market/demands/{demand.pk}/").content.decode()
    assert ("供应商报价过高" in page) is sees_details
    assert (f"· {market.buyer_admin}<" in page or f"· {market.buyer_admin} ·" in page) is (
        sees_details
    )
