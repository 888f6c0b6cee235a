"""A firm answers a reporting round with a figure that breaks a soft rule, confirms it with a
reason; the cluster dashboard shows the new total; the annual report PDF carries the Chinese name."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from weft.registry.taxonomy import load_taxonomy
from weft.stats import services
from weft.stats.catalogue import load_catalogue
from weft.stats.models import Indicator, Value, ValueRevision

from ..factories import make_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _vocabularies(transactional_db, settings):
    # The flush after each live-server test also empties what migrations load.
    load_taxonomy()
    load_catalogue()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_firm_reports_with_a_confirmed_soft_rule_and_the_dashboard_and_pdf_follow(world, page_for):
    y2024, y2025 = services.period_for("year", 2024), services.period_for("year", 2025)
    services.submit_figures(world.firm_member, world.firm, y2024, {"output_value": "1000000"})
    for n in range(2):
        peer = make_enterprise(name_zh=f"东莞市虎门镇同行{n}制衣有限公司", cluster=world.humen)
        services.submit_figures(world.humen_office, peer, y2025, {"output_value": "500000"})
    rnd = services.open_round(
        world.humen_office,
        world.humen,
        y2025,
        Indicator.objects.filter(code__in=["output_value", "employees"]),
        datetime.date.today() + datetime.timedelta(days=10),
    )

    page = page_for("en-US")
    log_in(page, world.firm_member)
    page.goto(f"/stats/rounds/{rnd.pk}/")
    # Last year's figure stands beside the field.
    expect(page.locator('[data-previous="output_value"]')).to_have_text("1,000,000.00")
    page.get_by_label("Industrial output value").fill("1,800,000")
    page.get_by_label("Employees").fill("48")
    page.get_by_role("button", name="Submit figures").click()

    warning = page.locator("#warn_output_value")
    expect(warning).to_contain_text("changed by +80%")
    assert not Value.objects.filter(period=y2025, enterprise=world.firm).exists()
    page.get_by_label("I confirm this figure").check()
    page.get_by_label("Reason").fill("新增一条连衣裙生产线")
    page.get_by_role("button", name="Submit figures").click()
    expect(page.get_by_role("status")).to_contain_text("your figures for 2025 are saved")
    revision = ValueRevision.objects.get(
        value__enterprise=world.firm, value__period=y2025, value__indicator__code="output_value"
    )
    assert revision.reason == "新增一条连衣裙生产线" and revision.changed_by == world.firm_member

    # A visitor sees the new total over three reporting firms.
    visitor = page_for("en-US")
    visitor.goto(f"/stats/clusters/{world.humen.slug}/?year=2025")
    row = visitor.locator('tr[data-indicator="output_value"]')
    expect(row).to_contain_text("2,800,000")
    expect(row.locator("td").nth(4)).to_have_text("3")
    expect(visitor.locator("#cluster-trend canvas")).to_have_count(1)

    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="Annual report (PDF)").click()
    pdf = download_info.value
    assert re.search(r"\.pdf$", pdf.suggested_filename)
    with open(pdf.path(), "rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert world.humen.name_zh in text and "2,800,000" in text
