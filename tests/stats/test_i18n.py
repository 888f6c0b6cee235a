"""Statistics pages and endpoints speak the reader's language throughout: formula explanations,
messages and names."""

import re

import pytest
from django.test import Client

from weft.registry.models import ChainStage
from weft.stats import assessment

from .test_monitoring import _three_clusters

pytestmark = pytest.mark.django_db

YOY_EN = "Year-on-year growth = (current − same period last year) / same period last year."
YOY_ZH = "同比增长率 =（本期 − 上年同期）/ 上年同期。"
MARGIN_EN = "Profit margin = total profit / main business revenue."
MARGIN_ZH = "利润率 = 利润总额 / 主营业务收入。"
SCORE_EN = "Normalised score = 100 × (x − min)"
SCORE_ZH = "标准化得分 = 100 ×（x − 最小值）"


@pytest.fixture
def figures(world, clusters):
    _three_clusters(world, clusters)
    run = assessment.run(world.operator, assessment.default_scheme(), 2025)
    assessment.publish(world.operator, run)
    return run


def page(url, lang):
    response = Client(HTTP_ACCEPT_LANGUAGE=lang).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/stats/?year=2025",
        "/stats/clusters/humen/?year=2025",
        "/stats/compare/?c=humen&c=keqiao&year=2025",
    ],
)
def test_formulas_in_the_readers_language(figures, url):
    zh = page(url, "zh-hans")
    assert YOY_ZH in zh and YOY_EN not in zh
    en = page(url, "en")
    assert YOY_EN in en and YOY_ZH not in en


def test_cluster_dashboard_explains_every_derived_figure_in_chinese(figures):
    zh = page("/stats/clusters/humen/?year=2025", "zh-hans")
    assert MARGIN_ZH in zh and MARGIN_EN not in zh
    assert "区位商 LQ =" in zh and "Location quotient LQ =" not in zh
    assert "赫芬达尔-赫希曼指数 = Σ" in zh and "Herfindahl–Hirschman index =" not in zh


def test_assessment_page_explains_scores_in_the_readers_language(world, figures):
    url = f"/stats/assessments/{figures.pk}/clusters/humen/"
    zh = page(url, "zh-hans")
    assert SCORE_ZH in zh and "百分位得分 =" in zh
    assert SCORE_EN not in zh and "Percentile score =" not in zh
    en = page(url, "en")
    assert SCORE_EN in en and SCORE_ZH not in en


@pytest.mark.parametrize(
    "url", ["/stats/report/?year=2025", "/stats/clusters/humen/report/?year=2025"]
)
def test_bilingual_reports_give_formulas_in_both_languages(figures, url):
    # The annual reports are bilingual whatever the reader's language: Chinese first, then English.
    for lang in ("zh-hans", "en"):
        html = page(url, lang)
        assert f"{YOY_ZH} {YOY_EN}" in html
        assert f"{MARGIN_ZH} {MARGIN_EN}" in html


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_cluster_reports_english_subtitle_names_the_place_in_english(figures, lang):
    html = page("/stats/clusters/humen/report/?year=2025", lang)
    subtitle = re.search(r'<p class="subtitle">(.*?)</p>', html, re.S).group(1)
    chinese, english = subtitle.split("<br>")
    assert "广东省东莞市" in chinese and "女装" in chinese
    assert "Dongguan, Guangdong" in english
    assert not re.search(r"[\u4e00-\u9fff]", english), english


@pytest.mark.parametrize(
    ("path", "zh", "en"),
    [
        ("/rounds/3/submissions", "没有编号为 3 的填报轮次。", "No reporting round has id 3."),
        ("/clusters/999/indicators", "没有编号为 999 的集群。", "No cluster has id 999."),
        ("/clusters/999/warnings", "没有编号为 999 的集群。", "No cluster has id 999."),
        ("/assessments/77/ranking", "没有编号为 77 的评估。", "No assessment has id 77."),
    ],
)
def test_api_not_found_is_wholly_in_the_readers_language(world, path, zh, en):
    client = Client()
    client.force_login(world.operator)
    for lang, expected in (("zh-hans", zh), ("en", en)):
        response = client.get(f"/api/v1{path}", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 404
        assert response.json()["message"] == expected
    chinese = client.get(f"/api/v1{path}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["message"]
    assert not re.search("[A-Za-z]", chinese), chinese


def _lq_table(html):
    start = html.index("<th>LQ</th>")
    return html[start : html.index("</table>", start)]


def test_location_quotient_stages_named_in_the_readers_language(figures):
    zh = _lq_table(page("/stats/clusters/humen/?year=2025", "zh-hans"))
    en = _lq_table(page("/stats/clusters/humen/?year=2025", "en"))
    shown = [s for s in ChainStage.objects.all() if s.name_zh in zh]
    assert shown, zh
    for stage in shown:
        assert stage.name_en in en and stage.name_zh not in en, stage.code


def test_national_ranking_names_provinces_in_the_readers_language(figures):
    en = page("/stats/?year=2025", "en")
    ranking = en[en.index("<tbody", en.index("<table")) :]
    assert "<td>Guangdong</td>" in ranking and "<td>广东省</td>" not in ranking
    assert "<td>广东省</td>" in page("/stats/?year=2025", "zh-hans")
