"""A person signs up, registers their firm, fixes a mistyped credit code and lands on its profile."""

import re

import pytest
from playwright.sync_api import expect

from weft.accounts.models import Membership, User
from weft.registry.identifiers import make_uscc
from weft.registry.models import Enterprise
from weft.registry.taxonomy import load_clusters, load_taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRM = "东莞市虎门镇织梦服饰有限公司"


@pytest.fixture(autouse=True)
def _vocabularies(transactional_db):
    # The flush after each live-server test also empties the vocabularies that migrations load.
    load_taxonomy()
    load_clusters()


def test_sign_up_then_register_an_enterprise(page_for):
    valid = make_uscc("9", "1", "441900", "MA4WX12K")
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    page = page_for("en-US")

    page.goto("/accounts/register/")
    page.get_by_label("Username").fill("zhimeng")
    page.get_by_label("Email").fill("zhimeng@example.test")
    page.get_by_label("Display name").fill("林织梦")
    page.get_by_label(re.compile(r"^Password(?! confirmation)")).fill("silk-road-humen-2025")
    page.get_by_label("Password confirmation").fill("silk-road-humen-2025")
    page.get_by_role("button", name="Create my account").click()

    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 林织梦")
    page.get_by_role("link", name="Register my enterprise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register my enterprise")

    code = page.get_by_label("Unified social credit code")
    code.press_sequentially(wrong_check, delay=20)
    code.press("Tab")
    feedback = page.locator("#uscc-feedback")
    expect(feedback).to_contain_text("position 18")
    expect(feedback).to_contain_text(f"should be {valid[17]}, not {wrong_check[17]}")
    expect(code).to_have_attribute("aria-invalid", "true")

    # Fix the last character, as a person would.
    code.click()
    code.press("End")
    code.press("Backspace")
    code.press_sequentially(valid[17])
    code.press("Tab")
    expect(feedback).to_contain_text("The code is valid.")
    expect(feedback).not_to_contain_text("position 18")
    expect(code).to_have_attribute("aria-invalid", "false")

    page.get_by_label("Registered name in Chinese").fill(FIRM)
    page.get_by_label("Name in English").fill("Zhimeng Apparel")
    page.get_by_label("Address").fill("广东省东莞市虎门镇虎门大道88号")
    page.get_by_label("Garment making").check()
    page.get_by_label("Design").check()
    page.get_by_label("Main products").fill("女装连衣裙")
    page.get_by_label("Employees").fill("45")
    page.get_by_label("Year founded").fill("2016")
    page.get_by_role("button", name="Register the enterprise").click()

    enterprise = Enterprise.objects.get(uscc=valid)
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(FIRM)
    expect(page.get_by_text("is registered on Weft and you are its owner")).to_be_visible()

    assert enterprise.name_zh == FIRM
    assert sorted(enterprise.stages.values_list("code", flat=True)) == ["design", "garment_making"]
    owner = User.objects.get(username="zhimeng")
    assert Membership.objects.get(organisation__enterprise=enterprise).user == owner
