"""The language follows the browser, and the switcher changes it for the following pages."""

import pytest
from playwright.sync_api import expect

from weft.registry.taxonomy import load_taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _taxonomy(transactional_db):
    # The flush after each live-server test also empties the vocabularies that migrations load.
    load_taxonomy()


def test_english_browser_gets_english_then_switches_to_chinese(world, page_for):
    page = page_for("en-US")
    page.goto("/clusters/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Enterprises")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cluster directory")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()

    # Back on the same page, now in Chinese.
    expect(page.get_by_role("heading", level=1)).to_have_text("集群名录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    nav = page.get_by_role("navigation", name="主导航")
    # The choice persists on the next page, though the browser still asks for English.
    nav.get_by_role("link", name="企业").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("企业名录")
    expect(
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录")
    ).to_be_visible()


def test_chinese_browser_gets_chinese(world, page_for):
    page = page_for("zh-CN")
    page.goto("/")
    expect(
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="集群")
    ).to_be_visible()
    expect(page.get_by_role("button", name="切换语言")).to_be_visible()
