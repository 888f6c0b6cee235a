"""A cluster office finds its chain gap and the partners to fill it; a firm registers for a
docking event and sees its meetings."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from weft.chain import docking
from weft.chain.graph import load_stage_links
from weft.chain.services import recompute_profiles
from weft.registry.taxonomy import load_taxonomy

from ..factories import make_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _vocabularies(transactional_db, settings):
    load_taxonomy()
    load_stage_links()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(page, user):
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("Username|用户名")).first.fill(user.username)
    page.get_by_label(re.compile("Password|密码")).first.fill("correct-horse-battery")
    page.get_by_role("button", name=re.compile("Log in|登录")).click()
    expect(page).not_to_have_url(re.compile("/login/"))


def test_office_clicks_a_red_gap_and_sees_partners(world, page_for):
    for i in range(3):
        make_enterprise(name_zh=f"虎门浏览器制衣{i}有限公司", cluster=world.humen, employees=150)
    make_enterprise(
        name_zh="柯桥浏览器纺织有限公司",
        cluster=world.keqiao,
        stages=("weaving",),
        employees=400,
        adcode="330603",
        province="浙江省",
    )
    recompute_profiles()
    page = page_for("en-US")
    login(page, world.humen_office)
    page.goto(f"/clusters/{world.humen.slug}/")
    page.get_by_role("link", name="Chain diagram, gaps and partners").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Industry chain of")
    expect(page.locator("#chain-diagram")).to_have_attribute("data-drawn", "true")
    fabric = page.locator("li[data-gap='fabric'] button")
    expect(fabric).to_contain_text("fabric (weaving, knitting)")
    # The gap is shown in red, as in the diagram.
    colour = fabric.locator(".gap-level").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(198, 40, 40)"
    expect(page.locator("li[data-gap='fabric']")).to_contain_text(
        "local fabric (weaving, knitting): none"
    )
    fabric.click()
    partners = page.locator("#partners")
    expect(partners.get_by_role("heading")).to_contain_text("Who can fill the gap in fabric")
    expect(partners.get_by_role("link", name="Keqiao Textile Fabric Cluster")).to_be_visible()
    expect(partners.locator("li").first).to_contain_text(
        re.compile(r"km away.*spare capacity|spare capacity.*km away")
    )


def test_firm_registers_for_an_event_and_sees_its_meetings(world, page_for):
    event = docking.create_event(
        world.keqiao_office,
        world.keqiao,
        title_zh="柯桥—虎门面料对接会",
        title_en="Keqiao–Humen fabric docking",
        place="柯桥国际会展中心",
        starts_on=dt.date(2026, 12, 1),
        first_slot=dt.datetime(2026, 12, 1, 9),
        n_slots=3,
        tables=4,
    )
    docking.register(world.operator, event, world.other_firm, offers=["weaving"])
    page = page_for("en-US")
    login(page, world.firm_admin)
    page.goto("/events/docking/")
    page.get_by_role("link", name="Keqiao–Humen fabric docking").click()
    form = page.locator("form[action$='/register/']")
    form.get_by_label("Needs (stages you buy)").select_option(["weaving"])
    form.get_by_label("What you are looking for").fill("雪纺面料 chiffon")
    form.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("Your firm is registered.")
    expect(page.get_by_text("No meetings scheduled for your firm yet.")).to_be_visible()

    docking.schedule_event(world.keqiao_office, event)  # the organiser builds the schedule
    page.reload()
    table = page.locator("table.my-meetings")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("绍兴柯桥锦绣纺织有限公司")
    expect(table).to_contain_text("offers weaving")
    expect(table).to_contain_text("09:00")
    table.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("Meeting accepted.")
    expect(page.locator("table.my-meetings tbody tr").first).to_contain_text("Accepted")
