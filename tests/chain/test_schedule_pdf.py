"""Schedules as PDF, per participant and per table: the text read back from the file."""

import datetime as dt
import re
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from weft.chain import docking
from weft.chain.models import Meeting

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world, links):
    event = docking.create_event(
        world.humen_office,
        world.humen,
        title_zh="虎门面料对接会",
        place="虎门会展中心",
        starts_on=dt.date(2026, 12, 1),
        first_slot=dt.datetime(2026, 12, 1, 9),
        n_slots=3,
        tables=2,
    )
    buyer = make_enterprise(name_zh="湖州织里童星服饰有限公司", cluster=world.humen)
    weaver = make_enterprise(
        name_zh="苏州盛泽丝韵织造有限公司", cluster=world.keqiao, stages=("weaving",)
    )
    docking.register(world.operator, event, world.firm, needs=["weaving"])
    docking.register(world.operator, event, world.other_firm, offers=["weaving"])
    docking.register(world.operator, event, buyer, needs=["weaving"])
    docking.register(world.operator, event, weaver, offers=["weaving"])
    docking.schedule_event(world.humen_office, event)
    return event


def _pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    # Table cells wrap long names over lines: compare without whitespace.
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(BytesIO(content)).pages]


def _pair(m: Meeting) -> str:
    return f"{m.first.enterprise.name_zh}×{m.second.enterprise.name_zh}"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_participant_pdf_holds_its_firm_meetings_and_tables_only(world, event):
    reg = event.registrations.get(enterprise=world.firm)
    response = _client(world.firm_member).get(
        reverse("chain:event_pdf", kwargs={"pk": event.pk}) + f"?registration={reg.pk}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="docking-{event.pk}-firm-{reg.pk}.pdf"' in response["Content-Disposition"]
    text = "".join(_pages(response.content))
    assert "虎门面料对接会" in text and world.firm.name_zh in text and "虎门会展中心" in text
    mine = list(docking.meetings_of(reg))
    assert len(mine) == 2  # both weavers
    for m in mine:
        assert _pair(m) in text
        start = dt.datetime.fromisoformat(str(m.slot.starts_at)).astimezone()
        assert f"{start:%Y-%m-%d%H:%M}" in text
    # Each of its rows carries its table number: the "time–end table" run in the text.
    for m in mine:
        assert re.search(rf"{m.slot.ends_at.astimezone():%H:%M}{m.table}", text)
    # The Chinese is drawn in a CJK font, not boxes of a Latin one.
    fonts = set()
    for page in PdfReader(BytesIO(response.content)).pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in f for f in fonts), fonts
    others = Meeting.objects.filter(event=event).exclude(pk__in=[m.pk for m in mine])
    assert others.exists()
    for m in others:
        assert _pair(m) not in text


def test_organiser_pdf_has_one_page_per_table(world, event):
    response = _client(world.humen_office).get(reverse("chain:event_pdf", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    pages = _pages(response.content)
    tables = sorted(set(Meeting.objects.filter(event=event).values_list("table", flat=True)))
    assert tables == [1, 2]
    assert len(pages) == 2
    for table, page in zip(tables, pages, strict=True):
        assert f"Table{table}" in page
        for m in Meeting.objects.filter(event=event, table=table):
            assert _pair(m) in page
        for m in Meeting.objects.filter(event=event).exclude(table=table):
            assert _pair(m) not in page


def test_declined_meetings_leave_the_printed_schedule(world, event):
    reg = event.registrations.get(enterprise=world.firm)
    declined = docking.meetings_of(reg)[0]
    docking.respond(world.firm_admin, declined, reg, accept=False)
    content = docking.schedule_pdf(event, reg)
    text = "".join(_pages(content))
    assert _pair(declined) not in text
    assert world.firm.name_zh in text


def test_pdf_refuses_others_and_bad_ids(world, event):
    reg = event.registrations.get(enterprise=world.firm)
    url = reverse("chain:event_pdf", kwargs={"pk": event.pk})
    # Another firm's admin sees neither this firm's schedule nor the hall's.
    other = _client(world.other_firm_admin)
    assert other.get(url + f"?registration={reg.pk}").status_code == 403
    assert other.get(url).status_code == 403
    # A participant gets its own schedule, not every table's.
    assert _client(world.firm_member).get(url).status_code == 403
    assert _client(world.firm_member).get(url + "?registration=abc").status_code == 404
    assert _client(world.firm_member).get(url + "?registration=999999").status_code == 404
    anonymous = Client().get(url + f"?registration={reg.pk}")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_api_serves_pdf_and_xlsx_beside_each_other(world, event):
    reg = event.registrations.get(enterprise=world.firm)
    firm = _client(world.firm_member)
    base = f"/api/v1/events/docking/{event.pk}/schedule"
    pdf = firm.get(f"{base}.pdf", {"registration_id": reg.pk})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert world.firm.name_zh in "".join(_pages(pdf.content))
    xlsx = firm.get(f"{base}.xlsx", {"registration_id": reg.pk})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    refused = firm.get(f"{base}.pdf")
    assert refused.status_code == 403 and set(refused.json()) == {"code", "message", "details"}
    foreign = _client(world.other_firm_admin).get(f"{base}.pdf", {"registration_id": reg.pk})
    assert foreign.status_code == 403
    missing = firm.get(f"{base}.pdf", {"registration_id": 999999})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    hall = _client(world.humen_office).get(f"{base}.pdf")
    assert len(_pages(hall.content)) == 2


def test_event_page_links_both_formats(world, event):
    page = _client(world.firm_admin).get(reverse("chain:event_detail", kwargs={"pk": event.pk}))
    html = page.content.decode()
    reg = event.registrations.get(enterprise=world.firm)
    assert f"/events/docking/{event.pk}/schedule.pdf?registration={reg.pk}" in html
    assert f"/events/docking/{event.pk}/schedule.xlsx?registration={reg.pk}" in html
    hall = _client(world.humen_office).get(reverse("chain:event_detail", kwargs={"pk": event.pk}))
    assert f'href="/events/docking/{event.pk}/schedule.pdf"' in hall.content.decode()
