"""The marketplace pages: post, browse, quote, compare and award through forms."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from weft.market import services
from weft.market.models import Attachment, Demand, Quote

from .conftest import offer_data, post_open

pytestmark = pytest.mark.django_db


def client_for(user, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_login(user)
    return c


def form_data(**over):
    today = timezone.localdate()
    data = {
        "title": "采购40支府绸",
        "stage": "weaving",
        "category": "cotton_woven",
        "spec": "漂白，门幅150",
        "fibre_content": "100% 棉",
        "weight_gsm": "120",
        "width_cm": "150",
        "colour": "白色",
        "quantity": "5000",
        "unit": "m",
        "target_price": "12.50",
        "needed_by": str(today + datetime.timedelta(days=60)),
        "quote_deadline": (timezone.localtime() + datetime.timedelta(days=7)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "delivery_address": "广东省东莞市虎门镇连升路1号",
        "visibility": "public",
        "publish": "on",
    }
    data.update(over)
    return data


def test_post_compare_award_through_pages(market):
    services.post_offer(user=market.keqiao_admin, data=offer_data())
    buyer = client_for(market.buyer_admin)
    r = buyer.post("/market/demands/new/", form_data())
    demand = Demand.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/market/demands/{demand.pk}/"
    page = buyer.get(r["Location"]).content.decode()
    assert "Open for quotes" in page and "Suppliers that fit" in page
    assert market.keqiao_mill.name_zh in page and "km from the delivery place" in page
    # The supplier finds it in its feed, and quotes.
    supplier = client_for(market.keqiao_admin)
    assert "采购40支府绸" in supplier.get("/market/mine/").content.decode()
    r = supplier.post(
        f"/market/demands/{demand.pk}/quote/",
        {
            "unit_price": "11.80",
            "quantity": "5000",
            "lead_time_days": "25",
            "valid_until": str(timezone.localdate() + datetime.timedelta(days=14)),
        },
    )
    quote = Quote.objects.get()
    assert quote.unit_price == Decimal("11.80")
    page = buyer.get(f"/market/demands/{demand.pk}/").content.decode()
    assert "Quotes side by side" in page and "¥59,000.00" in page
    # The supplier cannot award its own quote; the buyer can.
    assert supplier.post(f"/market/quotes/{quote.pk}/award/").status_code == 403
    buyer.post(f"/market/quotes/{quote.pk}/award/")
    demand.refresh_from_db()
    assert demand.status == Demand.Status.AWARDED


def test_form_errors_are_specific_and_change_nothing(market):
    buyer = client_for(market.buyer_admin)
    r = buyer.post("/market/demands/new/", form_data(category="zippers"))
    assert r.status_code == 200
    assert "Categories of stage weaving are" in r.content.decode()
    r = client_for(market.buyer_admin, "zh-hans").post(
        "/market/demands/new/", form_data(quantity="-5")
    )
    assert "必须大于零" in r.content.decode()
    assert not Demand.objects.exists()


def test_browse_search_in_chinese_with_htmx(market):
    post_open(market.buyer_admin, title="采购真丝双绉", category="silk_woven", spec="16姆米")
    post_open(market.buyer_admin, title="采购牛仔布", category="denim")
    c = client_for(None)
    r = c.get("/market/", {"q": "双绉"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "采购真丝双绉" in body and "采购牛仔布" not in body and "<html" not in body
    body = c.get("/market/", {"q": "姆米", "stage": "weaving"}).content.decode()
    assert "采购真丝双绉" in body and "<html" in body
    assert "采购牛仔布" not in c.get("/market/", {"category": "silk_woven"}).content.decode()


def test_browse_long_query_is_reported_not_500(market):
    # A thousand short words are a thousand conditions: SQLite refuses such a query.
    post_open(market.buyer_admin, title="采购真丝双绉")
    response = client_for(None).get("/market/", {"q": "ab " * 1000})
    assert response.status_code == 200
    assert "采购真丝双绉" in response.content.decode()  # the search is left out, not run


def test_attachment_type_and_size_checks(market, settings):
    demand = post_open(market.buyer_admin)
    buyer = client_for(market.buyer_admin)
    fake = SimpleUploadedFile("techpack.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    r = buyer.post(f"/market/demands/{demand.pk}/attach/", {"file": fake}, follow=True)
    assert "Attach a PDF, JPEG, PNG" in r.content.decode()
    settings.WEFT_MARKET_MAX_ATTACHMENT_BYTES = 10
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n"
    r = buyer.post(
        f"/market/demands/{demand.pk}/attach/",
        {"file": SimpleUploadedFile("a.pdf", pdf, "application/pdf")},
        follow=True,
    )
    assert "at most 0 KB" in r.content.decode()
    settings.WEFT_MARKET_MAX_ATTACHMENT_BYTES = 10_000
    settings.MEDIA_ROOT = str(settings.BASE_DIR / "var" / "test-media")
    buyer.post(
        f"/market/demands/{demand.pk}/attach/",
        {"file": SimpleUploadedFile("工艺单.pdf", pdf, "application/pdf")},
    )
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("工艺单.pdf", "application/pdf")


def test_office_hides_a_reported_post(market):
    demand = post_open(market.buyer_admin)
    client_for(market.keqiao_admin).post(
        f"/market/demands/{demand.pk}/report/", {"reason": "价格虚高，疑似诈骗"}
    )
    office = client_for(market.world.humen_office)
    page = office.get("/market/reports/").content.decode()
    assert "价格虚高" in page
    assert client_for(market.world.keqiao_office).get("/market/reports/").status_code == 200
    assert (
        "价格虚高"
        not in client_for(market.world.keqiao_office).get("/market/reports/").content.decode()
    )
    report = demand.reports.get()
    office.post(f"/market/reports/{report.pk}/decide/", {"decision": "hide"})
    assert client_for(market.keqiao_admin).get(f"/market/demands/{demand.pk}/").status_code == 404
