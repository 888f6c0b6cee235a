"""Docking event pages in Chinese use the docking wording, not another app's."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from weft.chain import docking
from weft.chain.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world, links):
    return docking.create_event(
        world.humen_office,
        world.humen,
        title_zh="虎门面料对接会",
        place="虎门",
        starts_on=dt.date(2026, 12, 1),
        first_slot=dt.datetime(2026, 12, 1, 9),
        n_slots=3,
        tables=2,
    )


def page(user, url, lang):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_sign_up_button_says_baoming(world, event):
    url = reverse("chain:event_detail", kwargs={"pk": event.pk})
    zh = page(world.firm_admin, url, "zh-hans")
    assert '<button type="submit">报名</button>' in zh
    assert '<button type="submit">注册</button>' not in zh
    assert '<button type="submit">Register</button>' in page(world.firm_admin, url, "en")


def test_declined_meeting_and_closed_event_in_chinese(world, event):
    docking.register(world.operator, event, world.firm, needs=["weaving"])
    docking.register(world.operator, event, world.other_firm, offers=["weaving"])
    docking.schedule_event(world.humen_office, event)
    meeting = Meeting.objects.get(event=event)
    firm = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    firm.force_login(world.firm_admin)
    respond = reverse("chain:meeting_respond", kwargs={"pk": event.pk, "meeting_id": meeting.pk})
    registration = event.registrations.get(enterprise=world.firm)
    firm.post(respond, {"registration": registration.pk, "decision": "decline"})
    assert Meeting.objects.get(pk=meeting.pk).status == "declined"
    url = reverse("chain:event_detail", kwargs={"pk": event.pk})
    zh = page(world.humen_office, url, "zh-hans")
    assert "<td>已拒绝</td>" in zh and "未录用" not in zh
    assert "<td>Declined</td>" in page(world.humen_office, url, "en")
    # The firm's own table says why each meeting was proposed.
    zh = page(world.firm_admin, url, "zh-hans")
    assert "<th>匹配理由</th>" in zh and "<th>原因</th>" not in zh
    assert "<th>Why</th>" in page(world.firm_admin, url, "en")
