"""Docking pages without a browser: create an event, act on meetings, schedules as XLSX, report."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from weft.chain import docking
from weft.chain.models import DockingEvent, Meeting, MeetingOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world, links):
    event = docking.create_event(
        world.humen_office,
        world.humen,
        title_zh="虎门面料对接会",
        place="虎门",
        starts_on=dt.date(2026, 12, 1),
        first_slot=dt.datetime(2026, 12, 1, 9),
        n_slots=3,
        tables=2,
    )
    docking.register(world.operator, event, world.firm, needs=["weaving"])
    docking.register(world.operator, event, world.other_firm, offers=["weaving"])
    docking.schedule_event(world.humen_office, event)
    return event


def test_office_creates_an_event_from_the_page(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.humen_office)
    page = client.get(reverse("chain:event_new"))
    assert "Humen Women" in page.content.decode() and "Keqiao" not in page.content.decode()
    response = client.post(
        reverse("chain:event_new"),
        {
            "host": world.humen.pk,
            "title_zh": "虎门辅料对接会",
            "place": "虎门会展中心",
            "starts_on": "2026-12-05",
            "first_slot": "09:30",
            "slot_minutes": 15,
            "n_slots": 4,
            "tables": 3,
            "max_meetings": 3,
        },
    )
    event = DockingEvent.objects.get(title_zh="虎门辅料对接会")
    assert response.status_code == 302 and event.host == world.humen
    assert [
        f"{s.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))):%H:%M}"
        for s in event.slots.all()
    ] == ["09:30", "09:45", "10:00", "10:15"]
    # A forged host (another office's cluster) is refused and creates nothing.
    client.post(
        reverse("chain:event_new"),
        {
            "host": world.keqiao.pk,
            "title_zh": "伪造",
            "place": "x",
            "starts_on": "2026-12-05",
            "first_slot": "09:30",
            "slot_minutes": 15,
            "n_slots": 4,
            "tables": 3,
            "max_meetings": 3,
        },
    )
    assert not DockingEvent.objects.filter(title_zh="伪造").exists()


def test_firm_accepts_records_outcome_and_report_counts_it(world, event):
    meeting = Meeting.objects.get(event=event)
    reg = event.registrations.get(enterprise=world.firm)
    firm = Client(HTTP_ACCEPT_LANGUAGE="en")
    firm.force_login(world.firm_admin)
    url = reverse("chain:meeting_respond", kwargs={"pk": event.pk, "meeting_id": meeting.pk})
    firm.post(url, {"registration": reg.pk, "decision": "accept"})
    assert Meeting.objects.get(pk=meeting.pk).status == "accepted"
    url = reverse("chain:meeting_outcome", kwargs={"pk": event.pk, "meeting_id": meeting.pk})
    firm.post(url, {"registration": reg.pk, "deal_signed": "on", "amount": "88000"})
    outcome = MeetingOutcome.objects.get(meeting=meeting)
    assert outcome.deal_signed and outcome.contact_made and outcome.amount == Decimal("88000")
    # Someone else's registration cannot be used to act on the meeting.
    other = event.registrations.get(enterprise=world.other_firm)
    r = firm.post(url, {"registration": other.pk, "deal_signed": ""})
    assert r.status_code == 403 and MeetingOutcome.objects.get(meeting=meeting).deal_signed
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(world.humen_office)
    page = office.get(reverse("chain:event_detail", kwargs={"pk": event.pk})).content.decode()
    assert "1 deals signed worth ¥88000" in page


def test_schedules_as_xlsx_per_firm_and_per_table(world, event):
    reg = event.registrations.get(enterprise=world.firm)
    firm = Client(HTTP_ACCEPT_LANGUAGE="en")
    firm.force_login(world.firm_member)
    response = firm.get(
        reverse("chain:event_xlsx", kwargs={"pk": event.pk}) + f"?registration={reg.pk}"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "东莞市虎门镇丽人制衣有限公司" in rows[0][0]
    assert rows[2][2] == "东莞市虎门镇丽人制衣有限公司 × 绍兴柯桥锦绣纺织有限公司"
    assert rows[2][0].startswith("2026-12-01 09:")
    # The per-table schedule is the organiser's.
    assert firm.get(reverse("chain:event_xlsx", kwargs={"pk": event.pk})).status_code == 403
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(world.humen_office)
    book = load_workbook(
        BytesIO(office.get(reverse("chain:event_xlsx", kwargs={"pk": event.pk})).content)
    )
    assert book.sheetnames == ["Table 1"]
    bad = firm.get(reverse("chain:event_xlsx", kwargs={"pk": event.pk}) + "?registration=abc")
    assert bad.status_code == 404
