"""A designer creates a talent profile with a portfolio image and applies to a job; the firm then
sees the application with the designer's contact details."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, UserFactory, make_enterprise, member_of
from tests.talent.conftest import make_job
from weft.accounts.models import Membership, Organisation
from weft.registry.models import Cluster
from weft.registry.taxonomy import load_clusters, load_taxonomy
from weft.talent.models import Application, TalentProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _setup(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_taxonomy()
    load_clusters()


def _log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/$"))


def test_designer_creates_a_profile_and_applies_to_a_job(page_for, tmp_path):
    dalang = Cluster.objects.get(slug="dalang")
    firm = make_enterprise(name_zh="东莞市大朗镇织艺毛织有限公司", cluster=dalang)
    firm_org = OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, name_zh=firm.name_zh, enterprise=firm
    )
    boss = member_of(firm_org, Membership.Role.OWNER)
    job = make_job(firm, dalang, title="毛织服装设计师", place="东莞市大朗镇")
    designer = UserFactory(username="chen_siyu")
    portfolio = tmp_path / "毛衫作品.png"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 90)).save(buf, "PNG")
    portfolio.write_bytes(buf.getvalue())
    not_an_image = tmp_path / "简历.png"
    not_an_image.write_bytes("这不是图片".encode("gb18030"))

    page = page_for("en-US")
    _log_in(page, designer.username)
    page.get_by_role("link", name="Talent").click()
    page.get_by_role("link", name="My talent profile").click()
    page.get_by_label("Name", exact=True).fill("陈思雨")
    page.get_by_label("Main role").select_option("designer")
    page.get_by_label("Skills (comma-separated)").fill("毛衫设计, 花型, Illustrator")
    page.get_by_label("Years of experience").fill("6")
    page.get_by_label("My cluster").select_option(label=dalang.name_zh)
    page.get_by_label("Who may see my profile").select_option("cluster")
    page.get_by_label("Phone (private)").fill("13912345678")
    page.get_by_label("ID number (private)").fill("110105194912310021")  # wrong check character
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("The ID number's check character should be X.")).to_be_visible()
    assert not TalentProfile.objects.exists()
    page.get_by_label("ID number (private)").fill("11010519491231002X")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("陈思雨")
    expect(page.get_by_text("13912345678")).to_be_visible()  # the owner sees their own contact

    page.get_by_role("link", name="Edit my profile").click()
    page.get_by_label(re.compile("Portfolio image")).set_input_files(str(not_an_image))
    page.get_by_role("button", name="Add the image").click()
    expect(
        page.get_by_text("The file is not a readable image (JPEG, PNG or WebP).")
    ).to_be_visible()
    page.get_by_label(re.compile("Portfolio image")).set_input_files(str(portfolio))
    page.get_by_label("Caption").fill("2025 秋冬毛衫系列")
    page.get_by_role("button", name="Add the image").click()
    expect(page.get_by_text("The image was added.")).to_be_visible()
    image = page.get_by_role("img", name="2025 秋冬毛衫系列")
    expect(image).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 64

    page.goto("/talent/jobs/")
    page.get_by_label("Role").select_option("designer")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="毛织服装设计师").click()
    page.get_by_label("Note to the firm").fill("六年毛衫设计经验，可随时到岗。")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text(f"Your application was sent to {firm.name_zh}.")).to_be_visible()
    expect(page.get_by_text("You applied to this job (Submitted).")).to_be_visible()
    application = Application.objects.get()
    assert (application.job, application.profile.name) == (job, "陈思雨")

    # The firm sees the application and, because the designer applied, the contact details.
    firm_page = page_for("en-US")
    _log_in(firm_page, boss.username)
    firm_page.goto(f"/talent/jobs/{job.pk}/")
    firm_page.get_by_role("link", name="Applications").click()
    expect(firm_page.get_by_text("六年毛衫设计经验，可随时到岗。")).to_be_visible()
    firm_page.get_by_role("link", name="陈思雨").click()
    expect(firm_page.get_by_text("13912345678")).to_be_visible()
    expect(firm_page.get_by_text("11010519491231002X")).to_have_count(0)  # the ID stays private
