"""Files on quotes: type and size checked, seen and downloaded by the supplier and the buyer only."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from weft.audit.models import AuditRecord
from weft.market import services
from weft.market.models import Attachment

from .conftest import post_open

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n"


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def quoted(market, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    demand = post_open(market.buyer_admin)
    quote = services.submit_quote(
        user=market.keqiao_admin,
        demand=demand,
        data={
            "unit_price": Decimal("12"),
            "quantity": Decimal("1000"),
            "lead_time_days": 20,
            "valid_until": timezone.localdate() + datetime.timedelta(days=9),
        },
    )
    return demand, quote


def test_supplier_attaches_a_file_the_buyer_downloads_it(market, quoted):
    demand, quote = quoted
    supplier = client_for(market.keqiao_admin)
    page = supplier.get(f"/market/demands/{demand.pk}/").content.decode()
    assert "Attach a file to your quote" in page
    r = supplier.post(
        f"/market/quotes/{quote.pk}/attach/",
        {"file": SimpleUploadedFile("报价明细.pdf", PDF, "application/pdf")},
        follow=True,
    )
    assert "File attached to your quote." in r.content.decode()
    attachment = Attachment.objects.get(quote=quote)
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "报价明细.pdf",
        "application/pdf",
        len(PDF),
    )
    assert AuditRecord.objects.filter(object_id=str(attachment.pk)).exists()
    buyer = client_for(market.buyer_admin)
    page = buyer.get(f"/market/demands/{demand.pk}/").content.decode()
    url = f"/market/attachments/{attachment.pk}/"
    assert f'href="{url}"' in page and "报价明细.pdf" in page
    assert "Attach a file to your quote" not in page  # the buyer cannot add files to it
    r = buyer.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    # The operator sees the quote but not its files; a firm of the buyer's cluster not even that.
    operator_page = client_for(market.world.operator).get(f"/market/demands/{demand.pk}/")
    assert url not in operator_page.content.decode()
    assert client_for(market.world.operator).get(url).status_code == 403
    assert client_for(market.humen_mill_admin).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 404


def test_wrong_type_and_too_large_files_are_refused_and_change_nothing(market, quoted, settings):
    demand, quote = quoted
    supplier = client_for(market.keqiao_admin)
    exe = SimpleUploadedFile("报价.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    r = supplier.post(f"/market/quotes/{quote.pk}/attach/", {"file": exe}, follow=True)
    assert "Attach a PDF, JPEG, PNG, WebP, XLSX or DOCX file" in r.content.decode()
    settings.WEFT_MARKET_MAX_ATTACHMENT_BYTES = 10
    r = supplier.post(
        f"/market/quotes/{quote.pk}/attach/",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
        follow=True,
    )
    assert "at most 0 KB" in r.content.decode()
    r = supplier.post(f"/market/quotes/{quote.pk}/attach/", {}, follow=True)
    assert "Choose a file to attach." in r.content.decode()
    assert not Attachment.objects.exists()


def test_api_upload_list_and_download(market, quoted, settings):
    demand, quote = quoted
    supplier = client_for(market.keqiao_admin)
    api = f"/api/v1/quotes/{quote.pk}/attachments"
    r = supplier.post(
        api, {"file": SimpleUploadedFile("样品.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["name"], body["content_type"], body["size"]) == ("样品.png", "image/png", 72)
    bad = supplier.post(api, {"file": SimpleUploadedFile("a.pdf", b"just text")})
    assert bad.status_code == 422
    assert bad.json()["code"] and "Attach a PDF" in bad.json()["message"]
    refused = client_for(market.buyer_admin).post(api, {"file": SimpleUploadedFile("b.pdf", PDF)})
    assert refused.status_code == 403
    assert Attachment.objects.count() == 1
    listed = client_for(market.buyer_member).get(api).json()
    assert [a["name"] for a in listed] == ["样品.png"]
    r = client_for(market.buyer_member).get(listed[0]["download_url"])
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"\x89PNG")
    assert client_for(market.humen_mill_admin).get(listed[0]["download_url"]).status_code == 404
    assert client_for(market.world.operator).get(api).status_code == 403


def test_demand_files_go_with_the_demand(market, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    public = post_open(market.buyer_admin)
    secret = post_open(market.buyer_admin, visibility="cluster", title="虎门内部", spec="内部")
    files = {
        d: services.add_attachment(
            user=market.buyer_admin,
            upload=SimpleUploadedFile("工艺单.pdf", PDF, "application/pdf"),
            demand=d,
        )
        for d in (public, secret)
    }
    assert client_for(None).get(f"/market/attachments/{files[public].pk}/").status_code == 200
    other_cluster = client_for(market.keqiao_admin)
    assert other_cluster.get(f"/market/attachments/{files[secret].pk}/").status_code == 404
    assert other_cluster.get(f"/market/attachments/{files[public].pk}/").status_code == 200
