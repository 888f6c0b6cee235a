"""A visitor browses a cluster's calendar as a list and as a month, then exports it to iCalendar."""

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.events.conftest import make_event
from weft.accounts.models import Organisation
from weft.registry.models import Cluster
from weft.registry.taxonomy import load_clusters, load_taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _setup(transactional_db):
    load_taxonomy()
    load_clusters()


def test_visitor_exports_the_cluster_calendar(page_for):
    humen, keqiao = Cluster.objects.get(slug="humen"), Cluster.objects.get(slug="keqiao")
    for cluster in (humen, keqiao):
        cluster.office = Organisation.objects.create(
            kind="cluster_office", name_zh=f"{cluster.name_zh}办"
        )
        cluster.save()
    fair = make_event(humen, title="中国（虎门）国际服装交易会", days=4, length=3)
    make_event(humen, kind="competition", title="虎门杯女装设计大赛", days=9)
    make_event(keqiao, title="柯桥纺博会", days=5)

    page = page_for("en-US")
    page.goto("/events/")
    page.get_by_label("Cluster").select_option(label=humen.name_en)
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="中国（虎门）国际服装交易会")).to_be_visible()
    expect(table.get_by_text("Design competition")).to_be_visible()
    expect(page.get_by_text("柯桥纺博会")).to_have_count(0)

    page.get_by_label("View").select_option("month")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.month-grid")).to_be_visible()
    start = fair.starts_at.date()
    if page.locator("#month-label").inner_text() != f"{start:%Y-%m}":  # near a month's end
        page.get_by_role("link", name="Next month →").click()
    expect(page.locator("#month-label")).to_have_text(f"{start:%Y-%m}")
    expect(
        page.locator("table.month-grid")
        .get_by_role("link", name="中国（虎门）国际服装交易会")
        .first
    ).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export the calendar (iCalendar)").click()
    download = download_info.value
    assert download.suggested_filename == "weft-humen.ics"
    with open(download.path(), "rb") as f:
        cal = Calendar.from_ical(f.read())
    summaries = sorted(str(e["summary"]) for e in cal.walk("VEVENT"))
    assert summaries == [
        "[Design competition] 虎门杯女装设计大赛",
        "[Exhibition] 中国（虎门）国际服装交易会",
    ]
    event = next(e for e in cal.walk("VEVENT") if "交易会" in str(e["summary"]))
    assert event.decoded("dtstart") == fair.starts_at
