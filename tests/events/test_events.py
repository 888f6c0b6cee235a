"""Calendar (list, month, iCalendar), competitions (entries, judging, results), news and brands."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from icalendar import Calendar

from tests.factories import UserFactory, make_enterprise
from tests.talent.conftest import png_upload
from weft.events import selectors, services
from weft.events.models import BrandLicence, Entry, NewsPost, RegionalBrand

from .conftest import at, make_event

pytestmark = pytest.mark.django_db


def test_ical_export_has_every_event_of_the_cluster_and_national_ones(world):
    make_event(world.humen, title="虎门服交会", days=5, length=3)
    make_event(world.humen, kind="forum", title="数字化论坛", days=8)
    make_event(world.keqiao, title="柯桥纺博会")
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        f"/events/calendar.ics?cluster={world.humen.slug}"
    )
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="weft-humen.ics"' in response["Content-Disposition"]
    cal = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"[Exhibition] 虎门服交会", "[Forum] 数字化论坛"}
    fair = events["[Exhibition] 虎门服交会"]
    assert fair.decoded("dtstart") == at(5) and fair.decoded("dtend") == at(7, 17)
    assert str(fair["location"]) == "虎门会展中心"
    # Stable UIDs: a second export names the same events the same way.
    again = Calendar.from_ical(
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .get(f"/events/calendar.ics?cluster={world.humen.slug}")
        .content
    )
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {str(e["uid"]) for e in events.values()}


def test_month_grid_puts_a_multi_day_event_on_each_day(world):
    event = make_event(world.humen, days=3, length=3)
    start = event.starts_at.date()
    grid = selectors.month_grid(start.year, start.month, cluster=world.humen)
    days_with = [d["date"] for week in grid for d in week if event in d["events"]]
    # The weeks may reach into the next month; the three days are there either way.
    assert len(days_with) == 3 and days_with[0] == start
    assert all(len(week) == 7 for week in grid) and grid[0][0]["date"].weekday() == 0
    html = (
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .get(f"/events/?view=month&month={start:%Y-%m}&cluster=humen")
        .content.decode()
    )
    assert html.count(event.title) >= 1


def test_competition_entries_scores_and_results(world):
    contest = make_event(world.humen, kind="competition", title="虎门杯", entries_close_at=at(5))
    judge1, judge2 = UserFactory(), UserFactory()
    services.set_judges(user=world.humen_office, event=contest, judges=[judge1, judge2])
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    ea = services.submit_entry(
        user=a, event=contest, title="丝语", statement="", upload=png_upload()
    )
    eb = services.submit_entry(
        user=b, event=contest, title="霓裳", statement="", upload=png_upload()
    )
    ec = services.submit_entry(
        user=c, event=contest, title="晨雾", statement="", upload=png_upload()
    )
    with pytest.raises(ValidationError, match="already entered"):
        services.submit_entry(
            user=a, event=contest, title="再投", statement="", upload=png_upload()
        )
    with pytest.raises(PermissionDenied):
        services.score_entry(user=world.keqiao_office, entry=ea, points=90)
    with pytest.raises(ValidationError, match="0 to 100"):
        services.score_entry(user=judge1, entry=ea, points=101)
    services.score_entry(user=judge1, entry=ea, points=80)
    services.score_entry(user=judge2, entry=ea, points=91)  # mean 85.5
    services.score_entry(user=judge1, entry=eb, points=85)
    services.score_entry(user=judge2, entry=eb, points=86)  # mean 85.5, same rank
    services.score_entry(user=judge1, entry=ec, points=70)  # only one judge: 70.0
    rows = services.results(contest)
    assert [(r["entry"].title, str(r["mean"]), r["rank"]) for r in rows] == [
        ("丝语", "85.5", 1),
        ("霓裳", "85.5", 1),
        ("晨雾", "70.0", 3),
    ]
    # Entries are hidden from the public until results are published.
    image_url = f"/events/entries/{ea.pk}/image/"
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get(image_url).status_code == 404
    services.publish_results(user=world.humen_office, event=contest)
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get(image_url).status_code == 200
    with pytest.raises(ValidationError, match="scores are final"):
        services.score_entry(user=judge1, entry=ec, points=99)
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/events/{contest.pk}/").content.decode()
    assert html.index("丝语") < html.index("晨雾")


def test_closed_competition_and_bad_images_take_no_entry(world):
    closed = make_event(world.humen, kind="competition", title="已截止", entries_close_at=at(-1))
    with pytest.raises(ValidationError, match="closed"):
        services.submit_entry(
            user=UserFactory(), event=closed, title="x", statement="", upload=png_upload()
        )
    open_ = make_event(world.humen, kind="competition", title="进行中")
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="not a readable image"):
        services.submit_entry(
            user=UserFactory(),
            event=open_,
            title="x",
            statement="",
            upload=SimpleUploadedFile("x.png", "不是图片".encode("gb18030")),
        )
    assert not Entry.objects.exists()


def test_news_only_by_offices_of_their_cluster_and_the_operator(world):
    with pytest.raises(PermissionDenied):
        services.post_news(
            user=world.firm_admin, org=world.firm_org, cluster=None, title="t", body="b"
        )
    with pytest.raises(PermissionDenied):  # not even the operator signs news as a firm
        services.post_news(
            user=world.operator, org=world.firm_org, cluster=None, title="t", body="b"
        )
    with pytest.raises(ValidationError, match="own cluster"):
        services.post_news(
            user=world.humen_office,
            org=world.humen.office,
            cluster=world.keqiao,
            title="t",
            body="b",
        )
    services.post_news(
        user=world.humen_office,
        org=world.humen.office,
        cluster=world.humen,
        title="人才月",
        body="内容",
    )
    data = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/news?cluster={world.humen.pk}").json()
    assert [p["title"] for p in data["results"]] == ["人才月"]
    assert NewsPost.objects.count() == 1


def test_brand_licences_only_for_member_firms(world):
    brand = services.save_brand(
        user=world.humen_office,
        cluster=world.humen,
        data={"name": "虎门服装", "story": "女装名镇", "trademark": "虎门服装"},
    )
    with pytest.raises(ValidationError, match="member firms"):
        services.grant_licence(
            user=world.humen_office, brand=brand, enterprise=world.other_firm, products="面料"
        )
    with pytest.raises(PermissionDenied):
        services.save_brand(user=world.keqiao_office, cluster=world.humen, data={"name": "x"})
    services.grant_licence(
        user=world.humen_office, brand=brand, enterprise=world.firm, products="女装连衣裙"
    )
    html = (
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .get(f"/events/brands/{world.humen.slug}/")
        .content.decode()
    )
    assert "女装名镇" in html and world.firm.name_zh in html and "女装连衣裙" in html
    outsider = make_enterprise(name_zh="非成员企业", cluster=None)
    assert outsider.name_zh not in html
    assert BrandLicence.objects.count() == 1 and RegionalBrand.objects.get().name == "虎门服装"


def test_api_lists_by_kind_and_refuses_unknown_kinds(world):
    make_event(world.humen, kind="forum", title="论坛")
    make_event(world.humen, kind="training", title="实训日")
    data = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/events?kind=training").json()
    assert [e["title"] for e in data["results"]] == ["实训日"]
    bad = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/events?kind=docking")
    assert (
        bad.status_code == 422
        and "exhibition, competition, forum, training" in bad.json()["message"]
    )


def test_events_demo(clusters):
    from weft.accounts.models import Organisation
    from weft.events import demo

    assert "skipped" in demo.load_demo()  # no offices yet
    for c in clusters.values():
        c.office = Organisation.objects.create(kind="cluster_office", name_zh=f"{c.name_zh}办")
        c.save()
    line = demo.load_demo()
    assert demo.load_demo() == line and "8 events" in line
