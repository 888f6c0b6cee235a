"""Read endpoints: clusters, enterprises, taxonomy, identifiers, geocoding."""

import pytest
from django.test import Client

from weft.registry.models import Certification, IndustryCode
from weft.registry.services import refresh_search

from ..factories import make_enterprise
from .helpers import assert_error

pytestmark = pytest.mark.django_db


# --- clusters ----------------------------------------------------------------------------------


def test_clusters_list_shape_and_count(api, clusters):
    body = api.get("/clusters", page_size=10).json()
    assert body["count"] == len(clusters) == 55
    assert body["page"] == 1 and body["page_size"] == 10 and body["pages"] == 6
    assert len(body["results"]) == 10
    assert body["previous"] is None
    assert "page=2" in body["next"] and "page_size=10" in body["next"]
    first = body["results"][0]
    assert set(first) >= {"id", "slug", "name_zh", "province", "stages", "adcode", "is_pilot"}


@pytest.mark.parametrize("province", ["浙江省", "浙江", "33", "330000"])
def test_clusters_filter_province_by_name_or_code(api, clusters, province):
    body = api.get("/clusters", province=province, page_size=100).json()
    assert body["count"] == 17
    assert {c["province"] for c in body["results"]} == {"浙江省"}


def test_clusters_filter_stage_specialty_and_q(api, clusters):
    by_stage = api.get("/clusters", stage="textile_machinery", page_size=100).json()["results"]
    assert by_stage and all("textile_machinery" in c["stages"] for c in by_stage)
    assert "keqiao" in {c["slug"] for c in by_stage}
    assert "humen" not in {c["slug"] for c in by_stage}

    by_specialty = api.get("/clusters", specialty="女装", page_size=100).json()["results"]
    assert "humen" in {c["slug"] for c in by_specialty}
    assert "keqiao" not in {c["slug"] for c in by_specialty}

    by_q = api.get("/clusters", q="虎门", page_size=100).json()["results"]
    assert [c["slug"] for c in by_q] == ["humen"]


def test_clusters_page_out_of_range_is_json_404(api, clusters):
    body = assert_error(api.get("/clusters", page=99), 404, "page_out_of_range")
    assert "99" in body["message"]


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page": "x"}])
def test_clusters_bad_page_arguments_are_422(api, clusters, params):
    assert_error(api.get("/clusters", **params), 422, "invalid_request")


def test_cluster_detail_and_404(api, world):
    body = api.get(f"/clusters/{world.humen.pk}").json()
    assert body["slug"] == "humen"
    assert body["office"] == "虎门服装服饰产业管理委员会"
    assert body["member_count"] == 1
    assert_error(api.get("/clusters/999999"), 404, "not_found")


# --- enterprises -------------------------------------------------------------------------------


@pytest.fixture
def directory(world, clusters):
    """The world's two firms plus a Shengze silk mill, a Humen firm with codes and certificates,
    and a firm whose name holds 虎 and 门 apart (a bigram coincidence for 虎门)."""
    shengze = clusters["shengze"]
    mill = make_enterprise(
        name_zh="吴江市盛泽真丝织造有限公司",
        address="江苏省苏州市吴江区盛泽镇舜湖西路8号",
        cluster=shengze,
        adcode="320509",
        province="江苏省",
        stages=("weaving",),
        products="真丝面料",
        employees=1200,
    )
    mill.certifications.set(Certification.objects.filter(code__in=["oeko_tex_100", "gots"]))
    mill.industry_codes.set(IndustryCode.objects.filter(code="1751"))
    refresh_search(mill)
    dress = make_enterprise(
        name_zh="东莞市虎门镇晴天服饰有限公司",
        cluster=world.humen,
        stages=("garment_making", "design"),
        products="连衣裙",
        employees=10,
    )
    dress.industry_codes.set(IndustryCode.objects.filter(code="1819"))
    dress.certifications.set(Certification.objects.filter(code="bsci"))
    refresh_search(dress)
    decoy = make_enterprise(
        name_zh="苏州虎跃门业有限公司",
        address="江苏省苏州市相城区",
        adcode="320507",
        province="江苏省",
        stages=("accessories",),
        products="门窗配件",
    )
    return {
        "mill": mill,
        "dress": dress,
        "decoy": decoy,
        "firm": world.firm,
        "other": world.other_firm,
    }


def names(response):
    assert response.status_code == 200, response.content[:300]
    return {e["name_zh"] for e in response.json()["results"]}


def test_enterprises_chinese_substring_finds_only_humen_firms(api, directory):
    assert names(api.get("/enterprises", q="虎门")) == {
        "东莞市虎门镇丽人制衣有限公司",
        "东莞市虎门镇晴天服饰有限公司",
    }


def test_enterprises_found_by_full_address_or_street_and_number(api, directory):
    """Addresses index bigrams only; 号 alone was asked as a unigram, so these found nothing."""
    firm = make_enterprise(
        name_zh="东莞市虎门镇兴业服饰有限公司", address="广东省东莞市虎门镇兴业路286号"
    )
    near = make_enterprise(
        name_zh="东莞市虎门镇连升制衣有限公司", address="广东省东莞市虎门镇连升路88号"
    )
    for q, who in [
        ("广东省东莞市虎门镇兴业路286号", firm),
        ("286号", firm),
        ("连升路88号", near),
        ("虎门镇连升路88号", near),
    ]:
        assert names(api.get("/enterprises", q=q)) == {who.name_zh}, q
        page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/enterprises/", {"q": q}).content.decode()
        assert who.name_zh in page and "1 enterprise found" in page, q


def test_enterprises_list_shape(api, directory):
    body = api.get("/enterprises", q="晴天").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["stages"] == ["garment_making", "design"] or set(row["stages"]) == {
        "garment_making",
        "design",
    }
    assert [c["slug"] for c in row["clusters"]] == ["humen"]
    assert row["size_band"] == "micro"
    assert "contact_phone" not in row and "contact" not in row


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"province": "江苏"}, {"mill", "decoy"}),
        ({"province": "44"}, {"firm", "dress"}),
        ({"stage": "weaving"}, {"mill", "other"}),
        ({"stage": "design"}, {"dress"}),
        ({"industry_code": "18"}, {"dress"}),  # division
        ({"industry_code": "181"}, {"dress"}),  # group
        ({"industry_code": "1819"}, {"dress"}),  # class
        ({"industry_code": "1811"}, set()),
        ({"industry_code": "17"}, {"mill"}),
        ({"certification": "gots"}, {"mill"}),
        ({"certification": "bsci"}, {"dress"}),
        ({"size_band": "large"}, {"mill"}),
        ({"size_band": "micro"}, {"dress"}),
        ({"size_band": "small"}, {"firm", "other", "decoy"}),
        ({"q": "纺织", "stage": "weaving", "province": "浙江"}, {"other"}),
        ({"q": "虎门", "size_band": "small"}, {"firm"}),
    ],
)
def test_enterprises_filters(api, directory, params, expected):
    want = {directory[k].name_zh for k in expected}
    assert names(api.get("/enterprises", page_size=100, **params)) == want


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        ("/enterprises", "province", "abc"),
        ("/enterprises", "province", "火星"),
        ("/enterprises", "province", "99"),
        ("/enterprises", "province", "江"),  # 江苏省 or 江西省: not taken for the first
        ("/enterprises", "stage", "nope"),
        ("/enterprises", "size_band", "huge"),
        ("/enterprises", "certification", "iso_0000"),
        ("/enterprises", "industry_code", "9999"),
        ("/enterprises", "cluster", "999999"),
        ("/clusters", "province", "abc"),
        ("/clusters", "province", "山"),  # 山东省 or 山西省
        ("/clusters", "stage", "nope"),
    ],
)
def test_unknown_filter_values_are_422_naming_parameter_and_value(
    api, directory, path, param, value
):
    """An unknown value matched nothing: a 200 with no results hid the typo."""
    body = assert_error(api.get(path, **{param: value}), 422, "invalid_request")
    assert param in body["message"] and value in body["message"], body["message"]
    assert body["details"][0]["loc"] == ["query", param]
    assert body["details"][0]["input"] in (value, int(value) if value.isdigit() else value)


def test_every_unknown_filter_is_listed_and_valid_ones_still_filter(api, directory):
    body = assert_error(
        api.get("/enterprises", stage="nope", size_band="huge", province="广东"), 422
    )
    assert [d["loc"][-1] for d in body["details"]] == ["stage", "size_band"]
    for province in ("广东省", "广东", "44", "440000"):
        assert names(api.get("/enterprises", province=province, stage="design")) == {
            directory["dress"].name_zh
        }
        assert api.get("/clusters", province=province, stage="garment_making").status_code == 200


def test_enterprises_cluster_filter(api, directory, world, clusters):
    assert names(api.get("/enterprises", cluster=world.humen.pk)) == {
        directory["firm"].name_zh,
        directory["dress"].name_zh,
    }
    assert names(api.get("/enterprises", cluster=clusters["shengze"].pk)) == {
        directory["mill"].name_zh
    }
    assert_error(api.get("/enterprises", cluster="humen"), 422, "invalid_request")


def test_page_links_keep_the_query_as_given_with_the_page_number_in_its_place(api, directory):
    """Chinese terms encoded as UTF-8, other parameters untouched, the page number replaced
    where it stood (or added at the end), a repeated page number given once."""
    body = api.get("/enterprises?page_size=1&page=9&q=%E6%9C%89%E9%99%90&page=2").json()
    here = "http://testserver/api/v1/enterprises?"
    assert body["previous"] == here + "page_size=1&page=1&q=%E6%9C%89%E9%99%90"
    assert body["next"] == here + "page_size=1&page=3&q=%E6%9C%89%E9%99%90"
    first = api.get("/enterprises?q=有限&page_size=1").json()
    assert first["next"] == here + "q=%E6%9C%89%E9%99%90&page_size=1&page=2"


def test_enterprises_pagination(api, directory):
    first = api.get("/enterprises", page_size=2).json()
    assert first["count"] == 5 and first["pages"] == 3 and len(first["results"]) == 2
    second = api.get("/enterprises", page_size=2, page=2).json()
    last = api.get("/enterprises", page_size=2, page=3).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert "page=2" in first["next"] and "page=2" in last["previous"]
    seen = [e["id"] for page in (first, second, last) for e in page["results"]]
    assert len(set(seen)) == 5
    body = assert_error(api.get("/enterprises", page_size=2, page=4), 404, "page_out_of_range")
    assert "3" in body["message"]


@pytest.mark.parametrize("page", ["500000000000000000", "99999999999999999999999"])
def test_absurd_page_numbers_are_out_of_range(api, directory, page):
    # Such a page would start past SQL's 64-bit OFFSET: it is out of range, not a server error.
    for params in ({}, {"q": "虎门"}, {"q": "制衣 东莞"}):
        body = assert_error(api.get("/enterprises", page=page, **params), 404, "page_out_of_range")
        assert "last page is 1" in body["message"]
    body = assert_error(api.get("/clusters", page=page), 404, "page_out_of_range")
    assert "last page is 3" in body["message"]


def test_enterprises_page_size_is_capped(api, directory, settings):
    settings.WEFT_API_MAX_PAGE_SIZE = 3
    body = api.get("/enterprises", page_size=1000).json()
    assert body["page_size"] == 3 and len(body["results"]) == 3


def test_enterprise_detail_and_unknown_id(api, directory):
    firm = directory["firm"]
    body = api.get(f"/enterprises/{firm.pk}").json()
    assert body["name_zh"] == firm.name_zh and body["uscc"] == firm.uscc
    assert [c["slug"] for c in body["clusters"]] == ["humen"]
    assert body["capacity"] == {"quantity": None, "unit": "", "period": ""}
    body = assert_error(api.get("/enterprises/987654"), 404, "not_found")
    assert "987654" in body["message"]


# --- taxonomy ----------------------------------------------------------------------------------

STAGES = [
    "fiber",
    "spinning",
    "weaving",
    "knitting",
    "dyeing_finishing",
    "printing",
    "accessories",
    "garment_making",
    "home_textiles",
    "design",
    "brand",
    "wholesale_market",
    "ecommerce",
    "logistics",
    "textile_machinery",
]


def test_taxonomy_stages_in_chain_order(api, db):
    body = api.get("/taxonomy/stages").json()
    assert [s["code"] for s in body] == STAGES
    assert [s["order"] for s in body] == sorted(s["order"] for s in body)
    assert body[0]["name_zh"] == "纤维" and body[0]["name_en"] == "Fibre"


def test_taxonomy_industry_codes_with_parents(api, db):
    body = api.get("/taxonomy/industry-codes").json()
    by_code = {c["code"]: c for c in body}
    assert {"17", "18", "19", "28"} <= set(by_code)
    assert by_code["18"]["level"] == "division" and by_code["18"]["parent"] is None
    assert by_code["181"] == {
        **by_code["181"],
        "level": "group",
        "parent": "18",
        "name_zh": "机织服装制造",
    }
    for code, parent in [("1811", "181"), ("1819", "181"), ("1821", "182"), ("1830", "183")]:
        assert by_code[code]["level"] == "class" and by_code[code]["parent"] == parent
    classes = api.get("/taxonomy/industry-codes", level="class").json()
    assert classes and all(c["level"] == "class" and len(c["code"]) == 4 for c in classes)
    assert {c["code"][:2] for c in classes} == {"17", "18", "19", "28"}


# --- identifiers -------------------------------------------------------------------------------


def test_uscc_endpoint_valid_code(api, db):
    body = api.get("/identifiers/uscc/914403001922038216").json()
    assert body["valid"] is True and body["errors"] == []
    assert body["code"] == "914403001922038216"
    assert body["region"] == {
        "adcode": "440300",
        "province": "广东省",
        "city": "深圳市",
        "county": "",
    }
    assert body["registration_authority"] and body["organisation_type"] == "Enterprise"


def test_uscc_endpoint_invalid_code_names_the_error(api, db):
    body = api.get("/identifiers/uscc/914403001922038217").json()
    assert body["valid"] is False
    assert [e["code"] for e in body["errors"]] == ["check_digit"]
    assert body["errors"][0]["position"] == 18
    assert "should be 6" in body["errors"][0]["message"]
    short = api.get("/identifiers/uscc/9144").json()
    assert short["valid"] is False and short["errors"][0]["code"] == "length"


def test_uscc_endpoint_normalises_lowercase(api, db):
    body = api.get("/identifiers/uscc/91440300708461136t").json()
    assert body["valid"] is True and body["code"] == "91440300708461136T"


# --- geocoding ---------------------------------------------------------------------------------


def test_geocode_shengze_address_to_county(api, db):
    body = api.get("/geocode", address="江苏省苏州市吴江区盛泽镇舜湖西路8号").json()
    assert body["adcode"] == "320509"
    assert body["precision"] == "county"
    assert body["province"] == "江苏省" and body["county"] == "吴江区"
    assert body["lat"] and body["lon"]


def test_geocode_garbage_is_not_located(api, db):
    body = api.get("/geocode", address="qwerty asdf 12345").json()
    assert body["precision"] == "none" and body["adcode"] == "" and body["lat"] is None


@pytest.mark.parametrize(
    "params", [{"address": ""}, {"address": "   "}, {}, {"address": "路" * 301}]
)
def test_geocode_empty_or_missing_address_is_422(api, db, params):
    assert_error(api.get("/geocode", **params), 422)
