"""Browser tests: Playwright drives Debian's Chromium against a live Weft server."""

import os

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("WEFT_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server):
    """A fresh browser context per test; `page_for("en")` sets the browser's language."""
    contexts = []

    def make(locale: str = "zh-CN"):
        context = browser.new_context(locale=locale, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_for):
    return page_for("zh-CN")
