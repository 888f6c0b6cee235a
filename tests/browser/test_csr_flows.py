"""A firm answers the social responsibility self-assessment, attaches evidence, sees its scores
per area (as the documented rule computes them) and submits it for review."""

import re

import pytest
from playwright.sync_api import expect

from tests.csr.conftest import PDF
from tests.factories import OrganisationFactory, UserFactory, make_enterprise, member_of
from weft.accounts.models import Membership, Organisation
from weft.csr.models import Assessment
from weft.csr.questionnaire import QUESTIONS
from weft.registry.models import Cluster
from weft.registry.taxonomy import load_clusters, load_taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _setup(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_taxonomy()
    load_clusters()


def test_firm_completes_a_self_assessment_and_sees_its_scores(page_for, tmp_path):
    humen = Cluster.objects.get(slug="humen")
    firm = make_enterprise(name_zh="东莞市虎门镇丽人制衣有限公司", cluster=humen)
    org = OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, name_zh=firm.name_zh, enterprise=firm
    )
    admin = member_of(org, Membership.Role.OWNER, UserFactory(username="liren_boss"))
    payroll = tmp_path / "工资表.pdf"
    payroll.write_bytes(PDF)
    receipt = tmp_path / "社保缴费凭证.pdf"
    receipt.write_bytes(PDF)

    page = page_for("en-US")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    page.goto("/csr/")
    page.get_by_role("button", name=f"Self-assessment for {firm.name_zh}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Social responsibility self-assessment"
    )

    answers = {code: "Yes" for code in QUESTIONS}
    answers.update({"wh2": "No", "fl2": "Partly"})
    for code, label in answers.items():
        page.locator(f"#q-{code}").get_by_label(label, exact=True).check()
    page.get_by_label("Comment wh2").fill("旺季每周休息半天")
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_text("Your answers were saved.")).to_be_visible()

    for code, path in (("wb1", payroll), ("wb2", receipt)):
        page.get_by_label("Question").select_option(code)
        page.get_by_label(re.compile("^File")).set_input_files(str(path))
        page.get_by_role("button", name="Upload evidence").click()
        expect(page.get_by_text("The evidence file was added.")).to_be_visible()
    expect(page.get_by_role("link", name="工资表.pdf")).to_be_visible()

    scores = page.locator("#csr-scores")
    # wages: both files → 100.0; working hours: wh1 yes without its file (1) + wh2 no (0) → 25.0;
    # forced labour: yes (2) + partly (1) → 75.0; management: ms1 yes without file (1) + 2 → 75.0.
    expect(scores.locator("tr[data-area=wages_benefits] td").nth(1)).to_have_text("100.0")
    expect(scores.locator("tr[data-area=working_hours] td").nth(1)).to_have_text("25.0")
    expect(scores.locator("tr[data-area=working_hours] td").nth(2)).to_have_text("wh1")
    expect(scores.locator("tr[data-area=forced_labour] td").nth(1)).to_have_text("75.0")
    expect(scores.locator("tr[data-area=management_system] td").nth(1)).to_have_text("75.0")

    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    expect(page.locator("#csr-status")).to_have_text("Submitted for review")
    expect(page.get_by_role("button", name="Save answers")).to_have_count(0)
    assessment = Assessment.objects.get()
    assert assessment.status == "submitted"
    assert assessment.area_scores["working_hours"] == "25.0"
    assert str(assessment.overall_score) == page.locator("#csr-overall").inner_text()
