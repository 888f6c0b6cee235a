"""The operator runs the yearly assessment and publishes it; a visitor reads a cluster's scores
and feedback (radar against the median, where to act) and downloads the national annual report."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from weft.registry.taxonomy import load_taxonomy
from weft.stats import assessment
from weft.stats.catalogue import load_catalogue
from weft.stats.models import AssessmentRun

from ..stats.test_monitoring import _three_clusters
from .test_stats_reporting import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _vocabularies(transactional_db, settings):
    load_taxonomy()
    load_catalogue()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_operator_publishes_the_assessment_and_a_visitor_reads_the_feedback(
    world, clusters, page_for
):
    _three_clusters(world, clusters)
    assessment.default_scheme()

    page = page_for("en-US")
    log_in(page, world.operator)
    page.goto("/stats/")
    page.get_by_role("link", name="All assessments and schemes").click()
    page.get_by_role("link", name="Annual cluster assessment").click()
    page.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Run for this year").click()
    expect(page.get_by_role("status")).to_contain_text("Assessed 3 clusters for 2025")
    expect(page.locator("#run-status")).to_have_text("Draft")
    page.get_by_role("button", name="Publish this result").click()
    expect(page.get_by_role("status")).to_contain_text("Published. The results are frozen")
    expect(page.locator("#run-status")).to_have_text("Published")
    assert AssessmentRun.objects.get().status == "published"

    visitor = page_for("en-US")
    visitor.goto(f"/stats/clusters/{world.humen.slug}/?year=2025")
    visitor.get_by_role("link", name="Scores and feedback").click()
    expect(visitor.locator("#assessment-rank")).to_contain_text("Rank 3 of 3 clusters")
    expect(visitor.locator("#feedback-text")).to_contain_text("Weakest dimensions — Green scores 0")
    expect(visitor.locator("#assessment-radar canvas")).to_have_count(1)
    expect(visitor.locator('tr[data-dimension="green"] td').nth(1)).to_have_text("0.0")
    visitor.get_by_role("link", name="CSR and green audits").click()
    expect(visitor).to_have_url(
        f"{visitor.url.split('/services/')[0]}/services/?category=csr_audit"
    )

    visitor.goto("/stats/?year=2025")
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="National annual report (PDF)").click()
    with open(download_info.value.path(), "rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert "全国纺织服装产业集群 2025 年度统计报告" in text
    assert world.humen.name_zh in text and world.keqiao.name_zh in text
