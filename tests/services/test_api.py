"""The API, end to end: catalogue, order steps, vouchers with Idempotency-Key, settlements,
ledger and XLSX statements."""

import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from weft.services import ledger
from weft.services.models import Entry, Redemption, Service

from .conftest import grant

pytestmark = pytest.mark.django_db
API = "/api/v1"


def client_for(user, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_login(user)
    return c


def post(c, path, data=None, **headers):
    return c.post(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def test_catalogue_is_public_and_searchable(market):
    r = Client().get(API + "/services", {"category": "testing", "q": "成分"})
    assert r.status_code == 200
    body = r.json()
    assert [s["title_zh"] for s in body["results"]] == ["面料成分检测"]
    assert body["results"][0]["cnas_number"] == "CNAS L1234"
    assert body["results"][0]["price"] == "400.00"


def test_provider_lists_a_service_with_a_checked_cnas_number(market):
    c = client_for(market.lab_admin)
    data = {
        "provider_id": market.lab.pk,
        "category": "testing",
        "title_zh": "甲醛检测",
        "price": "150.00",
        "cnas_number": "CNAS 12",
    }
    r = post(c, "/services", data)
    assert r.status_code == 422 and "CNAS L1234" in r.json()["message"]
    assert not Service.objects.filter(title_zh="甲醛检测").exists()
    r = post(c, "/services", {**data, "cnas_number": "cnas l5678"})
    assert r.status_code == 201 and r.json()["cnas_number"] == "CNAS L5678"
    r = post(client_for(market.studio_admin), "/services", data | {"cnas_number": ""})
    assert r.status_code == 403  # the studio cannot list services for the lab
    r = post(c, "/services", {**data, "price": "1.001", "cnas_number": ""})
    assert r.status_code == 422


def test_whole_flow_over_the_api(market):
    w = market.w
    firm, lab, office = (
        client_for(w.firm_admin),
        client_for(market.lab_admin),
        client_for(w.humen_office),
    )
    r = post(
        firm,
        "/voucher-applications",
        {"programme_id": market.programme.pk, "firm_id": w.firm_org.pk, "amount": "300.00"},
    )
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    r = post(office, f"/voucher-applications/{app_id}/approve", {"note": "符合条件"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    voucher_id = r.json()["voucher_id"]
    r = post(
        firm,
        "/service-orders",
        {"service_id": market.quoted.pk, "firm_id": w.firm_org.pk, "note": "色牢度 3 个样"},
    )
    assert r.status_code == 201 and r.json()["status"] == "requested"
    order_id = r.json()["id"]
    r = post(firm, f"/service-orders/{order_id}/accept")
    assert r.status_code == 409 and r.json()["code"] == "wrong_status"
    r = post(lab, f"/service-orders/{order_id}/quote", {"amount": "1000.00", "note": "三个样品"})
    assert r.status_code == 200 and r.json()["next_steps"] == ["quote", "cancel", "dispute"]
    assert post(firm, f"/service-orders/{order_id}/accept").json()["status"] == "accepted"
    r = post(
        firm, f"/vouchers/{voucher_id}/redeem", {"order_id": order_id}, **{"Idempotency-Key": "abc"}
    )
    assert (
        r.status_code == 201
        and r.json()["subsidy"] == "300.00"
        and r.json()["firm_pays"] == "700.00"
    )
    again = post(
        firm, f"/vouchers/{voucher_id}/redeem", {"order_id": order_id}, **{"Idempotency-Key": "abc"}
    )
    assert again.status_code == 200 and again.json() == r.json()
    assert Redemption.objects.count() == 1
    r = post(lab, f"/service-orders/{order_id}/deliver", {"note": ""})
    assert r.status_code == 422 and r.json()["code"] == "nothing_delivered"
    post(lab, f"/service-orders/{order_id}/deliver", {"note": "报告 No. 2026-001"})
    r = post(firm, f"/service-orders/{order_id}/confirm")
    assert r.json()["status"] == "confirmed" and r.json()["subsidy"] == "300.00"
    assert (
        post(firm, f"/service-orders/{order_id}/review", {"rating": 5, "text": "很快"}).status_code
        == 200
    )
    r = post(
        lab,
        "/settlements",
        {"programme_id": market.programme.pk, "provider_id": market.lab.pk},
        **{"Idempotency-Key": "s-1"},
    )
    assert (
        r.status_code == 201 and r.json()["amount"] == "300.00" and r.json()["orders"] == [order_id]
    )
    again = post(
        lab,
        "/settlements",
        {"programme_id": market.programme.pk, "provider_id": market.lab.pk},
        **{"Idempotency-Key": "s-1"},
    )
    assert again.status_code == 200 and again.json() == r.json()
    sid = r.json()["id"]
    assert post(lab, f"/settlements/{sid}/approve").status_code == 403
    assert post(office, f"/settlements/{sid}/approve").json()["status"] == "approved"
    assert (
        post(office, f"/settlements/{sid}/pay", {"reference": "BOC-1"}).json()["status"] == "paid"
    )
    assert ledger.verify() == []
    # The service's rating shows in the catalogue.
    s = Client().get(f"{API}/services/{market.quoted.pk}").json()
    assert s["rating"] == 5.0 and s["reviews"] == 1
    # The ledger: issuer yes, provider no.
    r = office.get(API + "/ledger", {"programme": market.programme.pk})
    kinds = [t["kind"] for t in r.json()["results"]]
    assert kinds == ["fund", "grant", "redeem", "earn", "claim", "pay"]
    for t in r.json()["results"]:
        assert sum(Decimal(e["debit"] or 0) for e in t["entries"]) == sum(
            Decimal(e["credit"] or 0) for e in t["entries"]
        )
    assert lab.get(API + "/ledger", {"programme": market.programme.pk}).status_code == 403
    assert lab.get(API + "/ledger").json()["count"] == 0


def test_refusals_are_clear_and_bilingual(market):
    w = market.w
    v = grant(market, "50.00")
    zh = client_for(w.firm_admin, "zh-hans")
    r = post(zh, f"/vouchers/{v.pk}/redeem", {"order_id": 424242})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert "服务订单" in r.json()["message"] or "424242" in r.json()["message"]
    r = post(client_for(w.other_firm_admin), f"/vouchers/{v.pk}/redeem", {"order_id": 1})
    assert r.status_code == 404
    r = post(
        client_for(w.firm_admin),
        f"/vouchers/{v.pk}/redeem",
        {"order_id": 1},
        **{"Idempotency-Key": "x" * 101},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_idempotency_key"
    r = post(
        client_for(w.firm_admin),
        "/voucher-applications",
        {"programme_id": market.programme.pk, "firm_id": w.firm_org.pk, "amount": "9999"},
    )
    assert r.status_code == 409 and r.json()["code"] == "over_cap"
    r = post(
        zh,
        "/voucher-applications",
        {"programme_id": market.programme.pk, "firm_id": w.firm_org.pk, "amount": "9999"},
    )
    assert r.json()["message"] == "该企业今年最多还可获得 ¥450.00（年度上限 ¥500.00）。"
    assert Entry.objects.count() == 2 + 2  # funding and one grant only


def _rows(content, sheet):
    wb = load_workbook(io.BytesIO(content))
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def test_statements_download_as_xlsx(market):
    w = market.w
    v = grant(market)
    from weft.services import vouchers

    from .conftest import accepted_order

    order = accepted_order(market)
    vouchers.redeem(user=w.firm_admin, voucher_id=v.pk, order_id=order.pk)
    r = client_for(w.humen_office).get(
        f"{API}/voucher-programmes/{market.programme.pk}/statement.xlsx"
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    ledger_rows = _rows(r.content, "Ledger")
    debits = sum(Decimal(str(x[6] or 0)) for x in ledger_rows[1:])
    credits = sum(Decimal(str(x[7] or 0)) for x in ledger_rows[1:])
    assert debits == credits == Decimal("1000.00") + Decimal("300.00") + 2 * Decimal("120.00")
    assert (
        client_for(market.lab_admin)
        .get(f"{API}/voucher-programmes/{market.programme.pk}/statement.xlsx")
        .status_code
        == 403
    )
    r = client_for(w.firm_admin).get(f"{API}/organisations/{w.firm_org.pk}/voucher-statement.xlsx")
    vouchers_rows = _rows(r.content, "Vouchers")
    assert vouchers_rows[1][2] == 300 and vouchers_rows[1][3] == 180
    subsidies = _rows(r.content, "Subsidies")
    assert subsidies[1][0] == order.pk and subsidies[1][7] == 120
    r = client_for(market.lab_admin).get(
        f"{API}/organisations/{market.lab.pk}/voucher-statement.xlsx"
    )
    assert _rows(r.content, "Subsidies")[1][8] == 280
    assert (
        client_for(w.other_firm_admin)
        .get(f"{API}/organisations/{w.firm_org.pk}/voucher-statement.xlsx")
        .status_code
        == 403
    )


def test_catalogue_page_in_chinese(market):
    r = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/services/", {"category": "testing"})
    text = r.content.decode()
    assert "检验检测认证" in text and "面料成分检测" in text and "女装款式设计" not in text
    assert "面议报价" in text  # the service priced on quotation


@pytest.mark.parametrize(
    ("next_url", "referer", "lands_on"),
    [
        ("https://evil.example/", "", "/"),
        ("//evil.example/", "", "/"),
        ("/\\evil.example/", "", "/"),
        ("", "https://evil.example/page", "/"),
        ("//evil.example/", "http://testserver/services/", "http://testserver/services/"),
        ("/services/mine/", "", "/services/mine/"),
    ],
)
def test_refused_page_action_goes_back_only_within_the_site(market, next_url, referer, lands_on):
    """A refusal sends the user back where they came from: never to another site (open redirect)."""
    c = client_for(market.w.firm_admin)
    r = c.post(
        f"/services/{market.testing.pk}/request/",
        {"firm": "999999", "next": next_url},
        headers={"referer": referer} if referer else {},
    )
    assert r.status_code == 302 and r["Location"] == lands_on
    assert not market.testing.orders.exists()


@pytest.mark.parametrize("firm", ["", "abc", "1.5"])
def test_page_action_with_a_malformed_id_is_refused_not_500(market, firm):
    c = client_for(market.w.firm_admin)
    r = c.post(f"/services/{market.testing.pk}/request/", {"firm": firm, "next": "/services/"})
    assert r.status_code == 302 and r["Location"] == "/services/"
    assert not market.testing.orders.exists()
    r = c.post("/services/vouchers/apply/", {"programme": firm, "firm": firm, "next": "/"})
    assert r.status_code == 302
    r = c.post("/services/mine/add/", {"provider": firm, "title_zh": "检测"})
    assert r.status_code == 403
