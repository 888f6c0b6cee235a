"""The market's lists refuse a filter value that names nothing (422 naming the parameter and the
value), like the registry's lists: an empty page would hide the typo."""

import pytest

from tests.api.helpers import Api, assert_error
from weft.market import services

from .conftest import offer_data, post_open

pytestmark = pytest.mark.django_db

LISTS = ["/demands", "/capacity-offers"]


@pytest.fixture
def posts(market):
    demand = post_open(market.buyer_admin)
    offer = services.post_offer(user=market.humen_mill_admin, data=offer_data())
    return demand, offer


def ids(response):
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("stage", "nope"),
        ("category", "silk_socks"),
        ("cluster", "999999"),
        ("province", "火星"),
        ("province", "99"),
    ],
)
def test_unknown_filter_values_are_422_naming_parameter_and_value(posts, path, param, value):
    body = assert_error(Api().get(path, **{param: value}), 422, "invalid_request")
    assert value in body["message"], body["message"]
    assert param in body["message"] or param == "cluster", body["message"]
    assert body["details"][0]["loc"] == ["query", param]
    assert body["details"][0]["type"] == "unknown_value"
    assert body["details"][0]["input"] in (value, int(value) if value.isdigit() else value)


@pytest.mark.parametrize("path", LISTS)
def test_unknown_category_lists_the_stages_categories(posts, path):
    body = assert_error(Api().get(path, stage="weaving", category="wool"), 422)
    assert "cotton_woven" in body["message"] and "denim" in body["message"]
    assert "womenswear" not in body["message"]


@pytest.mark.parametrize("path", LISTS)
def test_every_unknown_filter_is_listed(posts, path):
    body = assert_error(Api().get(path, stage="nope", category="nada", province="广东"), 422)
    assert [d["loc"][-1] for d in body["details"]] == ["stage", "category"]


@pytest.mark.parametrize("path", LISTS)
def test_unknown_values_are_refused_with_mine_too(posts, market, path):
    assert_error(Api().get(path, user=market.buyer_admin, mine="true", stage="nope"), 422)


def test_a_non_numeric_cluster_is_422_not_500(posts):
    for path in LISTS:
        assert_error(Api().get(path, cluster="humen"), 422, "invalid_request")


def test_known_values_still_filter(posts, market):
    demand, offer = posts
    api = Api()
    cluster = market.world.humen.pk
    for params in (
        {"stage": "weaving", "category": "cotton_woven"},
        {"province": "广东省", "cluster": cluster},
        {"province": "44"},
    ):
        assert ids(api.get("/demands", **params)) == {demand.pk}, params
        assert ids(api.get("/capacity-offers", **params)) == {offer.pk}, params
    # A known category of another stage matches nothing; it is no typo.
    assert ids(api.get("/demands", stage="weaving", category="denim")) == set()
    assert ids(api.get("/capacity-offers", stage="garment_making")) == set()


def test_the_message_is_in_the_readers_language(posts):
    body = assert_error(Api().get("/demands", category="nada", lang="zh-hans"), 422)
    assert body["message"].startswith("未知的产品品类“nada”（参数 category）"), body["message"]
    body = assert_error(
        Api().get("/demands", stage="weaving", category="nada", lang="zh-hans"), 422
    )
    assert "该环节的品类有" in body["message"], body["message"]
