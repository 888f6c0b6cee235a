"""Calendar and competition pages in Chinese use the events wording, not another app's."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.talent.conftest import png_upload
from weft.events import services

from .conftest import at, make_event

pytestmark = pytest.mark.django_db


def page(url, lang):
    response = Client(HTTP_ACCEPT_LANGUAGE=lang).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_calendar_title_and_month_view(world):
    zh = page("/events/", "zh-hans")
    assert "<title>集群活动日历" in zh and "<h1>集群活动日历</h1>" in zh
    assert "<title>集群 " not in zh
    assert '<option value="month">月历</option>' in zh
    assert "<label>视图<select" in zh and "<label>查看<select" not in zh  # not Django admin's
    en = page("/events/", "en")
    assert "<h1>Cluster calendar</h1>" in en and '<option value="month">Month</option>' in en


def test_competition_results_heading(world):
    contest = make_event(world.humen, kind="competition", title="虎门杯", entries_close_at=at(5))
    judge = UserFactory()
    services.set_judges(user=world.humen_office, event=contest, judges=[judge])
    entry = services.submit_entry(
        user=UserFactory(), event=contest, title="丝语", statement="", upload=png_upload()
    )
    services.score_entry(user=judge, entry=entry, points=88)
    services.publish_results(user=world.humen_office, event=contest)
    zh = page(f"/events/{contest.pk}/", "zh-hans")
    assert "<h2>比赛结果</h2>" in zh and "评估结果" not in zh
    assert "<h2>Results</h2>" in page(f"/events/{contest.pk}/", "en")
