"""A cluster office imports its member list: errors, report, fix, review a match, export."""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.imports.files import firm_row, xlsx
from weft.registry.models import Enterprise
from weft.registry.taxonomy import load_taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _setup(transactional_db, settings, tmp_path):
    load_taxonomy()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


def upload(page, content, name):
    page.goto("/imports/")
    page.get_by_label("Enterprise list").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="Check the columns")).to_be_visible()
    # The recognised mapping is shown before anything is written.
    expect(page.get_by_label("Field for column 企业名称")).to_have_value("name_zh")
    page.get_by_role("button", name="Start the import").click()


def test_import_fix_review_export(world, page_for):
    user = world.humen_office
    page = page_for("en-US")
    sign_in(page, user)
    good = firm_row(name="东莞市虎门镇晨曦制衣有限公司", address="广东省东莞市虎门镇太沙路6号")
    bad = firm_row(name="东莞市虎门镇暮雪服饰有限公司", employees="-3")
    near = firm_row(
        name="东莞市虎门镇丽人制衣坊",
        uscc="",
        address="广东省东莞市虎门镇连升路3号",
        products="婚纱",
    )
    upload(page, xlsx([good, bad, near]), "名录.xlsx")

    expect(page.get_by_role("status").first).to_contain_text("Done")
    errors = page.locator("table.row-errors")
    expect(errors).to_contain_text("Employees cannot be negative (-3).")
    expect(errors.locator("tbody tr")).to_have_count(1)
    assert not Enterprise.objects.filter(name_zh="东莞市虎门镇暮雪服饰有限公司").exists()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report (.xlsx)").click()
    report = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(report.active.iter_rows(values_only=True))
    assert rows[0][-1] == "Errors"
    assert rows[2][0] == "东莞市虎门镇暮雪服饰有限公司" and "negative" in rows[2][-1]

    # Fix the row in the report and upload the whole file again.
    ws = report.active
    ws.delete_cols(ws.max_column)
    ws.cell(3, 6).value = 30
    fixed = io.BytesIO()
    report.save(fixed)
    upload(page, fixed.getvalue(), "名录-fixed.xlsx")
    expect(page.get_by_role("status").first).to_contain_text("Done")
    expect(page.locator(".figures")).to_contain_text("1new enterprises")
    assert Enterprise.objects.filter(name_zh="东莞市虎门镇暮雪服饰有限公司").count() == 1
    assert Enterprise.objects.filter(name_zh="东莞市虎门镇晨曦制衣有限公司").count() == 1

    # The near-duplicate of 丽人制衣 waits for a person: review it with the keyboard.
    page.goto("/imports/review/")
    card = page.locator("article.match").first
    expect(card.locator("tr.differs").first).to_be_visible()
    expect(card).to_contain_text("东莞市虎门镇丽人制衣有限公司")
    expect(card.locator("mark").first).to_contain_text("东莞市虎门镇丽人制衣坊")
    page.keyboard.press("c")
    expect(page.locator("article.decided").first).to_contain_text("Merged after review")
    firm = Enterprise.objects.get(pk=world.firm.pk)
    assert firm.main_products == "婚纱"

    # Export the directory and open the workbook.
    page.goto("/enterprises/?q=虎门")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    exported = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    names = [row[1] for row in exported.active.iter_rows(min_row=2, values_only=True)]
    assert "东莞市虎门镇晨曦制衣有限公司" in names and "绍兴柯桥锦绣纺织有限公司" not in names
    assert re.search(r"weft-enterprises-\d{8}\.xlsx", download.value.suggested_filename)
