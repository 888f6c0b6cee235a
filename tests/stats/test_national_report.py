"""The national annual report: page and PDF (Chinese text, fonts, charts), published figures only."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from weft.stats import assessment, services
from weft.stats.models import ClusterWarning, WarningRule

from .test_monitoring import _three_clusters

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world, clusters):
    extra = _three_clusters(world, clusters)
    run = assessment.run(world.operator, assessment.default_scheme(), 2025)
    assessment.publish(world.operator, run)
    ClusterWarning.objects.create(
        cluster=world.humen,
        rule=WarningRule.objects.get(code="revenue_down_3m"),
        period=services.period_for("month", 2025, 6),
        message_zh="收入连续下降",
        message_en="Revenue down",
    )
    # A fourth cluster with two reporting firms: too few to be shown on its own.
    from ..factories import make_enterprise

    small = clusters["dalang"]
    for n in range(2):
        firm = make_enterprise(name_zh=f"大朗小企业{n}有限公司", cluster=small)
        services.submit_figures(
            world.operator, firm, services.period_for("year", 2025), {"output_value": "100000"}
        )
    return {"extra": extra, "small": small, "run": run}


def pdf_text(content: bytes) -> tuple[str, set, int]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts, drawings = set(), 0
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
        drawings += len(resources.get("/XObject", {}))
    return text, fonts, drawings


def test_national_pdf_has_the_chinese_title_the_ranking_and_charts(world, figures):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/stats/report.pdf?year=2025")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "weft-national-report-2025.pdf" in response["Content-Disposition"]
    text, fonts, drawings = pdf_text(response.content)
    assert "全国纺织服装产业集群 2025 年度统计报告" in text
    # The three clusters with three firms each, by their Chinese names, in the ranking …
    for cluster in (world.keqiao, figures["extra"], world.humen):
        assert cluster.name_zh in text, cluster.slug
    assert figures["small"].name_zh not in text  # … not the one with two firms.
    # Output 2025: Keqiao 3 × 3,900, Shengze 3 × 2,400, Humen 3 × 1,100, Dalang 2 × 100,000
    # = 222,200 yuan over 11 firms; nation 2024: 3 × 3,000 + 3 × 2,000 + 3 × 1,000 = 18,000.
    assert "11 家填报企业" in text
    assert "+1134.4%" in text  # (222,200 − 18,000) / 18,000
    assert (
        "共发出 1 条预警" in text
        and "连续数月同比下降 Down year on year for several months running: 1" in text
    )
    assert "1 柯桥纺织面料" in text and "80.00" in text  # the assessment's winner and score
    assert any("Noto-Sans-CJK" in f for f in fonts), fonts
    assert drawings >= 2  # the trend and the provinces


def test_national_page_lists_provinces_ranking_and_assessment(world, figures):
    html = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/stats/report/?year=2025").content.decode()
    assert 'id="national-ranking"' in html and world.keqiao.name_zh in html
    assert "浙江省" in html and "广东省" in html
    assert 'id="national-assessment"' in html
    assert 'href="/stats/report.pdf?year=2025"' in html
    ranking = html[
        html.index('id="national-ranking"') : html.index(
            "</table>", html.index('id="national-ranking"')
        )
    ]
    assert ranking.index(world.keqiao.name_zh) < ranking.index(world.humen.name_zh)


def test_national_report_without_figures(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/stats/report/")
    assert (
        response.status_code == 200
        and "No figures have been reported yet." in response.content.decode()
    )
    response = Client().get("/stats/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # A year that is no year is said to be one, not answered with another year's report.
    assert Client().get("/stats/report.pdf?year=abc").status_code == 400
