"""Docking forms and schedule links with a registration id that is no number, or names another
event's registration: a 404, never a 500, and nothing changes."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.badinput import BAD_IDS, state
from weft.chain import docking
from weft.chain.models import Meeting, MeetingOutcome, MeetingRequest

pytestmark = pytest.mark.django_db


def _event(world, title, day):
    event = docking.create_event(
        world.humen_office,
        world.humen,
        title_zh=title,
        place="虎门",
        starts_on=dt.date(2026, 12, day),
        first_slot=dt.datetime(2026, 12, day, 9),
        n_slots=3,
        tables=2,
    )
    docking.register(world.operator, event, world.firm, needs=["weaving"])
    docking.register(world.operator, event, world.other_firm, offers=["weaving"])
    docking.schedule_event(world.humen_office, event)
    return event


@pytest.fixture
def events(world, links):
    return _event(world, "虎门面料对接会", 1), _event(world, "另一场对接会", 2)


@pytest.fixture
def firm(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.firm_admin)
    return client


def _bad_values(world, events):
    """The bad ids, and the firm's own registration at the *other* event (a forged id)."""
    return [*BAD_IDS, str(events[1].registrations.get(enterprise=world.firm).pk)]


def test_meeting_forms_with_a_bad_registration_are_404_and_change_nothing(world, events, firm):
    event = events[0]
    meeting = Meeting.objects.get(event=event)
    kwargs = {"pk": event.pk, "meeting_id": meeting.pk}
    target = event.registrations.get(enterprise=world.other_firm)
    before = state(Meeting, MeetingOutcome, MeetingRequest)
    for value in _bad_values(world, events):
        for name, data in (
            ("chain:meeting_respond", {"decision": "accept"}),
            ("chain:meeting_outcome", {"deal_signed": "on", "amount": "1"}),
        ):
            response = firm.post(reverse(name, kwargs=kwargs), {"registration": value, **data})
            assert response.status_code == 404, (name, value)
        response = firm.post(
            reverse("chain:meeting_request", kwargs={"pk": event.pk}),
            {"registration": value, "target": target.pk},
        )
        assert response.status_code == 404, value
    assert state(Meeting, MeetingOutcome, MeetingRequest) == before


def test_a_meeting_request_with_a_bad_target_is_404_and_changes_nothing(world, events, firm):
    event = events[0]
    reg = event.registrations.get(enterprise=world.firm)
    before = state(MeetingRequest)
    for value in [*BAD_IDS, str(events[1].registrations.get(enterprise=world.other_firm).pk)]:
        response = firm.post(
            reverse("chain:meeting_request", kwargs={"pk": event.pk}),
            {"registration": reg.pk, "target": value},
        )
        assert response.status_code == 404, value
    assert state(MeetingRequest) == before


def test_a_schedule_link_with_a_bad_registration_is_404(world, events, firm):
    event = events[0]
    for value in _bad_values(world, events):
        if not value:
            continue  # no registration: the organisers' per-table schedule, refused to a firm
        for name in ("chain:event_xlsx", "chain:event_pdf"):
            url = reverse(name, kwargs={"pk": event.pk})
            assert firm.get(url, {"registration": value}).status_code == 404, (name, value)
