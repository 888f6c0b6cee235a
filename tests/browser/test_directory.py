"""A visitor finds a firm from the home page search box and opens its profile."""

import re

import pytest
from playwright.sync_api import expect

from weft.registry.directory import DirectoryMatches
from weft.registry.index_services import build_directory_index
from weft.registry.selectors import EnterpriseFilters
from weft.registry.taxonomy import load_taxonomy

from ..factories import make_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _taxonomy(transactional_db):
    # The flush after each live-server test also empties the vocabularies that migrations load.
    load_taxonomy()


HUMEN_FIRM = "东莞市虎门镇丽人制衣有限公司"
KEQIAO_FIRM = "绍兴柯桥锦绣纺织有限公司"


def test_search_from_home_then_open_profile(world, page_for):
    page = page_for("en-US")
    page.goto("/")
    page.get_by_label("Search the enterprise directory").fill("虎门")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/enterprises/\?q=%E8%99%8E%E9%97%A8"))
    results = page.locator("#results")
    expect(results.get_by_role("status")).to_have_text(re.compile("1 enterprise found"))
    expect(results.get_by_role("link", name=HUMEN_FIRM)).to_be_visible()
    expect(results.get_by_text(KEQIAO_FIRM)).to_have_count(0)

    results.get_by_role("link", name=HUMEN_FIRM).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(HUMEN_FIRM)
    expect(page.locator("dd.address")).to_have_text("广东省东莞市虎门镇连升路1号")
    expect(page.get_by_role("link", name="Humen Women's Wear Cluster")).to_be_visible()
    # Private contact details stay hidden from a visitor.
    expect(page.get_by_text("li@example.test")).to_have_count(0)
    expect(page.get_by_text("Not public")).to_be_visible()


def test_filters_update_results_in_place(world, page_for):
    page = page_for("en-US")
    page.goto("/enterprises/")
    expect(page.get_by_role("status")).to_have_text(re.compile("2 enterprises found"))
    page.get_by_text("Filters", exact=True).click()
    marker = page.evaluate("() => (window.__stayed = true)")
    page.get_by_label("Chain stage").select_option("weaving")

    expect(page.get_by_role("status")).to_have_text(re.compile("1 enterprise found"))
    expect(page.locator("#results").get_by_role("link", name=KEQIAO_FIRM)).to_be_visible()
    expect(page.locator("#results").get_by_text(HUMEN_FIRM)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"stage=weaving"))
    # htmx swapped the results: the page itself was not reloaded.
    assert marker and page.evaluate("() => window.__stayed === true")


def test_home_map_draws_cluster_points(world, page_for):
    page = page_for("en-US")
    page.goto("/")
    chart = page.locator("[data-cluster-map] canvas")
    expect(chart.first).to_be_visible()
    points = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-cluster-map]'))"
        ".getOption().series[0].data.length"
    )
    assert points == 55
    # The text fallback lists the same clusters, as links.
    expect(
        page.get_by_role("link", name="Keqiao Textile Fabric Cluster (China Textile City)")
    ).to_be_visible()


def test_typing_in_directory_search_updates_results_and_language_switch_keeps_them(world, page_for):
    page = page_for("en-US")
    page.goto("/enterprises/")
    page.get_by_label("Search the directory").press_sequentially("柯桥")
    # No Enter pressed: results follow the typing.
    expect(page.get_by_role("status")).to_have_text(re.compile("1 enterprise found"))
    expect(page.locator("#results").get_by_role("link", name=KEQIAO_FIRM)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=%E6%9F%AF%E6%A1%A5"))

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("找到 1 家企业"))
    expect(page.get_by_label("搜索名录")).to_have_value("柯桥")


def test_searches_from_the_index_show_a_firm_added_after_it_was_built(world, page_for):
    build_directory_index()
    assert DirectoryMatches(EnterpriseFilters(q="虎门"))._indexed is not None
    page = page_for("en-US")
    page.goto("/enterprises/")
    page.get_by_label("Search the directory").fill("虎门")
    page.get_by_label("Search the directory").press("Enter")
    results = page.locator("#results")
    expect(results.get_by_role("status")).to_have_text(re.compile("1 enterprise found"))

    make_enterprise(name_zh="东莞市虎门镇新潮服饰有限公司", cluster=world.humen)
    page.reload()
    expect(results.get_by_role("status")).to_have_text(re.compile("2 enterprises found"))
    expect(results.get_by_role("link", name="东莞市虎门镇新潮服饰有限公司")).to_be_visible()
    expect(results.get_by_role("link", name=HUMEN_FIRM)).to_be_visible()
