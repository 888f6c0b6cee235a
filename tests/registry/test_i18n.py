"""Directory pages name provinces in the reader's language; filter values stay the codes."""

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from weft.registry import divisions
from weft.registry.models import ChainStage, ClusterMembership, Enterprise
from weft.registry.services import refresh_search

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db

HUMEN_FIRM = "东莞市虎门镇丽人制衣有限公司"
KEQIAO_FIRM = "绍兴柯桥锦绣纺织有限公司"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def page(url, lang, **params):
    response = Client(HTTP_ACCEPT_LANGUAGE=lang).get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def province_options(html) -> dict[str, str]:
    select = re.search(r'<select name="province".*?</select>', html, re.S).group(0)
    return dict(re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select))


def test_english_names_for_all_34_provincial_divisions():
    assert len(divisions.PROVINCE_NAMES_EN) == 34
    assert {d.adcode[:2] for d in divisions.provinces()} == set(divisions.PROVINCE_NAMES_EN)
    assert divisions.PROVINCE_NAMES_EN["15"] == "Inner Mongolia"
    assert divisions.PROVINCE_NAMES_EN["54"] == "Tibet (Xizang)"


def test_enterprise_province_filter_names_provinces_in_the_readers_language(world):
    en = province_options(page("/enterprises/", "en"))
    zh = province_options(page("/enterprises/", "zh-hans"))
    del en[""], zh[""]
    assert len(en) == len(zh) == 34
    assert set(en) == set(zh)  # the same values: two-digit codes
    assert en["44"] == "Guangdong" and en["81"] == "Hong Kong" and en["65"] == "Xinjiang"
    assert zh["44"] == "广东省" and zh["81"] == "香港特别行政区"
    assert not any(re.search("[\u4e00-\u9fff]", name) for name in en.values())


def test_cluster_province_filter_and_results_in_english(world):
    html = page("/clusters/", "en")
    options = province_options(html)
    assert options["33"] == "Zhejiang" and options["44"] == "Guangdong"
    results = html[html.index('class="result-count"') :]
    assert "Guangdong" in results and "广东省" not in results
    zh = page("/clusters/", "zh-hans")
    assert province_options(zh)["44"] == "广东省"
    assert "Guangdong" not in zh


@pytest.mark.parametrize("value", ["33", "330000", "浙江省", "浙江", "Zhejiang"])
def test_province_filter_values_keep_working(world, value):
    for lang in ("en", "zh-hans"):
        html = page("/enterprises/", lang, province=value)
        assert KEQIAO_FIRM in html and HUMEN_FIRM not in html
        html = page("/clusters/", lang, province=value)
        assert "/clusters/keqiao/" in html and "/clusters/humen/" not in html


def test_home_page_groups_clusters_under_english_province_names(world):
    html = page("/", "en")
    section = html[html.index('id="by-province-heading"') :]
    assert re.search(r"<h3>Guangdong <small>", section)
    assert re.search(r"<h3>Zhejiang <small>", section)
    assert "广东省" not in section and "浙江省" not in section
    zh = page("/", "zh-hans")
    assert re.search(r"<h3>广东省 <small>", zh) and "Guangdong" not in zh


def test_firm_and_cluster_pages_name_the_province_in_english(world):
    html = page(f"/enterprises/{world.firm.pk}/", "en")
    assert "<dt>Located in</dt><dd>Guangdong " in html  # the address itself stays as written
    zh = page(f"/enterprises/{world.firm.pk}/", "zh-hans")
    assert re.search(r"<dd>广东省 ", zh) and "Guangdong" not in zh
    html = page("/enterprises/", "en", q="虎门")
    assert "Guangdong" in html[html.index('class="result-count"') :]
    html = page("/clusters/humen/", "en")
    assert "<dd>Guangdong " in html and "in Guangdong" in html and "广东省" not in html
    assert "<dd>广东省 " in page("/clusters/humen/", "zh-hans")


def test_cluster_choices_when_registering_a_firm_name_the_province_in_english(world):
    for lang, expected, wrong in (
        ("en", f"{world.humen.name_en} · Guangdong", "广东省"),
        ("zh-hans", f"{world.humen.name_zh} · 广东省", "Guangdong"),
    ):
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        client.force_login(world.firm_member)
        html = unescape(client.get("/accounts/enterprises/register/").content.decode())
        select = re.search(r'<select name="cluster".*?</select>', html, re.S).group(0)
        assert expected in select and wrong not in select


@pytest.fixture
def firm_in_two_clusters(world):
    firm = world.firm
    firm.stages.set(ChainStage.objects.filter(code__in=["garment_making", "weaving"]))
    ClusterMembership.objects.create(
        enterprise=firm, cluster=world.keqiao, status=ClusterMembership.Status.APPROVED
    )
    Enterprise.objects.filter(pk=firm.pk).update(ecommerce_channels=["天猫", "1688"])
    firm.refresh_from_db()
    refresh_search(firm)
    return firm


def test_lists_are_separated_as_the_language_does_it(world, firm_in_two_clusters):
    url = f"/enterprises/{firm_in_two_clusters.pk}/"
    en, zh = unescape(page(url, "en")), unescape(page(url, "zh-hans"))
    first, second = ChainStage.objects.filter(code__in=["garment_making", "weaving"])
    # Clusters and chain stages are links: the separator sits between </a> and <a.
    assert re.search(rf">{first.name_en}</a>, <a [^>]*>{second.name_en}<", en)
    assert re.search(rf">{first.name_zh}</a>、<a [^>]*>{second.name_zh}<", zh)
    assert '</a>, <a href="/clusters/keqiao/">' in en
    assert '</a>、<a href="/clusters/keqiao/">' in zh
    assert "天猫, 1688" in en and "天猫、1688" in zh
    assert "</a>、<a" not in en

    en = unescape(page("/enterprises/", "en", q="丽人"))
    assert f"{first.name_en}, {second.name_en}" in en
    assert "、" not in en[en.index("result-count") :]
    zh = unescape(page("/enterprises/", "zh-hans", q="丽人"))
    assert f"{first.name_zh}、{second.name_zh}" in zh


def test_cluster_list_separates_chain_stages_as_the_language_does_it(world):
    stages = list(world.humen.stages.all())
    assert len(stages) > 1
    en = unescape(page("/clusters/", "en", q="虎门"))
    zh = unescape(page("/clusters/", "zh-hans", q="虎门"))
    assert ", ".join(s.name_en for s in stages) in en
    assert "、".join(s.name_zh for s in stages) in zh


def test_join_list_follows_the_active_language():
    from django.utils.translation import override

    from weft.core.text import join_list

    with override("en"):
        assert join_list(["a", "b", "c"]) == "a, b, c"
    with override("zh-hans"):
        assert join_list(["甲", "乙"]) == "甲、乙"


@pytest.mark.parametrize(
    "chinese, english",
    [
        ("东莞市", "Dongguan"),
        ("柯桥区", "Keqiao District"),
        ("虎门镇", "Humen Town"),
        ("长兴县", "Changxing County"),  # 长 read as chang in its word, not zhang
        ("海安县", "Hai'an County"),  # a syllable starting with a vowel is marked
        ("张槎街道", "Zhangcha Subdistrict"),
        ("Humen", "Humen"),
        ("", ""),
    ],
)
def test_places_below_the_province_are_spelled_in_pinyin_on_english_pages(chinese, english):
    with translation.override("en"):
        assert divisions.place_name(chinese) == english
    with translation.override("zh-hans"):
        assert divisions.place_name(chinese) == chinese


def test_cluster_pages_spell_prefecture_county_and_town_in_the_readers_language(world):
    html = page("/clusters/humen/", "en")
    place = re.search(r"<dd>Guangdong [^<]*</dd>", html).group(0)
    assert place.startswith("<dd>Guangdong Dongguan Humen Town (")  # then the place in Chinese
    assert "<dd>广东省 东莞市 虎门镇" in page("/clusters/humen/", "zh-hans")
    results = page("/clusters/", "en", province="33")
    results = results[results.index('class="result-count"') :]
    assert "Shaoxing Keqiao District" in results and "柯桥区" not in results


def test_firm_page_and_directory_spell_city_and_county_in_the_readers_language(world):
    firm = make_enterprise(
        name_zh="绍兴柯桥蓝印染整有限公司",
        address="浙江省绍兴市柯桥区马鞍街道1号",
        adcode="330603",
        province="浙江省",
        city="绍兴市",
        county="柯桥区",
    )
    html = page(f"/enterprises/{firm.pk}/", "en")
    assert "<dt>Located in</dt><dd>Zhejiang Shaoxing Keqiao District (330603)</dd>" in html
    zh = page(f"/enterprises/{firm.pk}/", "zh-hans")
    assert "<dd>浙江省 绍兴市 柯桥区 (330603)</dd>" in zh
    results = page("/enterprises/", "en", q="蓝印")
    assert "Zhejiang Shaoxing Keqiao District" in results[results.index('class="result-count"') :]
