"""Event forms with an id or a number that is no id or number: a 404 for an unknown or forged
object, a message for a bad number, never a 500, and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.badinput import BAD_IDS, state
from tests.factories import UserFactory
from tests.talent.conftest import png_upload
from weft.events import services
from weft.events.models import BrandLicence, Entry, Event, RegionalBrand, Score

from .conftest import at, make_event

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _event_form(cluster):
    return {
        "cluster": cluster,
        "kind": "exhibition",
        "title": "伪造的展会",
        "starts_at": "2026-12-01 09:00",
        "ends_at": "2026-12-01 17:00",
    }


@pytest.mark.parametrize("who", ["operator", "humen_office"])
def test_a_new_event_for_no_cluster_is_404_and_creates_nothing(world, who):
    client = _client(getattr(world, who))
    before = state(Event)
    for value in [*BAD_IDS, "999999"]:
        response = client.post(reverse("events:new"), _event_form(value))
        assert response.status_code == 404, value
    # Another office's cluster is refused, not taken for a national event.
    if who == "humen_office":
        response = client.post(reverse("events:new"), _event_form(world.keqiao.pk))
        assert response.status_code == 403
        assert "Only the cluster office publishes its events." in response.content.decode()
    assert state(Event) == before
    response = client.post(reverse("events:new"), _event_form(world.humen.pk))
    assert response.status_code == 302 and Event.objects.get().cluster == world.humen


@pytest.fixture
def contest(world):
    contest = make_event(world.humen, kind="competition", title="虎门杯", entries_close_at=at(5))
    other = make_event(world.humen, kind="competition", title="柯桥杯", entries_close_at=at(5))
    judge = UserFactory()
    services.set_judges(user=world.humen_office, event=contest, judges=[judge])
    entry = services.submit_entry(
        user=UserFactory(), event=contest, title="丝语", statement="", upload=png_upload()
    )
    elsewhere = services.submit_entry(
        user=UserFactory(), event=other, title="别处", statement="", upload=png_upload()
    )
    return contest, judge, entry, elsewhere


def test_scoring_an_unknown_or_foreign_entry_is_404_and_changes_nothing(contest):
    event, judge, _entry, elsewhere = contest
    client = _client(judge)
    before = state(Score, Entry)
    for value in [*BAD_IDS, str(elsewhere.pk)]:
        response = client.post(
            reverse("events:judging", args=[event.pk]), {"entry": value, "points": "80"}
        )
        assert response.status_code == 404, value
    assert state(Score, Entry) == before


def test_points_that_are_no_whole_number_are_a_message_and_change_nothing(contest):
    event, judge, entry, _elsewhere = contest
    client = _client(judge)
    url = reverse("events:judging", args=[event.pk])
    before = state(Score)
    for value in ["abc", "1e9", "-1", "", "80.5", "101", "²"]:
        response = client.post(url, {"entry": entry.pk, "points": value}, follow=True)
        assert response.status_code == 200, value
        assert "Points are a whole number from 0 to 100." in response.content.decode(), value
    assert state(Score) == before
    client.post(url, {"entry": entry.pk, "points": " 80 "})
    assert Score.objects.get(entry=entry).points == 80


def test_licensing_no_enterprise_number_is_a_message_and_changes_nothing(world):
    services.save_brand(
        user=world.humen_office, cluster=world.humen, data={"name": "虎门服装", "story": "女装"}
    )
    client = _client(world.humen_office)
    url = reverse("events:brand_edit", args=[world.humen.slug])
    before = state(RegionalBrand, BrandLicence)
    for value in [v for v in BAD_IDS if v] + ["999999"]:
        response = client.post(url, {"enterprise": value, "products": "女装"}, follow=True)
        assert response.status_code == 200, value
        body = response.content.decode()
        assert "No enterprise has the number" in body, value
    assert state(RegionalBrand, BrandLicence) == before
    client.post(url, {"enterprise": world.firm.pk, "products": "女装"})
    assert BrandLicence.objects.get().enterprise == world.firm
