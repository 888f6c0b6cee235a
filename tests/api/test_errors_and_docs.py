"""Errors are JSON in the request's language; OpenAPI and the docs page are served locally."""

import re

import pytest

from weft.core.api import api as ninja_api

from .helpers import API, assert_error

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_json_404(api):
    for path in ("/no-such-thing", "/enterprises/1/no/such", "/v2/clusters"):
        body = assert_error(api.get(path), 404, None)
        assert body["code"] == "not_found"
    body = api.get("/nope").json()
    assert body["details"] == {"path": f"{API}/nope"}
    assert body["message"] == "No such API endpoint."


def test_wrong_method_is_not_html(api, db):
    response = api.delete("/clusters")
    assert response.status_code == 405
    assert not response.content.lstrip().startswith(b"<")


def test_malformed_json_body_is_json_error(api, world):
    response = api.client_for_ip("127.0.0.1")
    response.force_login(world.operator)
    response = response.post(f"{API}/enterprises", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("bad_request", "invalid_request")


@pytest.mark.parametrize(
    ("path", "status", "code", "english", "chinese"),
    [
        (
            "/enterprises/424242",
            404,
            "not_found",
            "No enterprise has id 424242.",
            "没有编号为 424242 的企业。",
        ),
        ("/clusters/424242", 404, "not_found", "Not found.", "未找到。"),
        (
            "/clusters?page=50",
            404,
            "page_out_of_range",
            "Page 50 does not exist; the last page is 3.",
            "第 50 页不存在，最后一页是第 3 页。",
        ),
        (
            "/me",
            401,
            "unauthenticated",
            "Sign in or send a valid API token.",
            "请登录或提供有效的 API 令牌。",
        ),
        (
            "/geocode?address=",
            422,
            "invalid_request",
            "Give an address to locate.",
            "请提供要定位的地址。",
        ),
        (
            "/clusters?page_size=abc",
            422,
            "invalid_request",
            "The request is not valid.",
            "请求无效。",
        ),
        (
            "/clusters?q=" + "x" * 101,
            422,
            "invalid_request",
            "The search “q” may have at most 100 characters; this one has 101.",
            "搜索参数“q”最多 100 个字符，这次有 101 个。",
        ),
        (
            "/enterprises?size_band=huge",
            422,
            "invalid_request",
            "Unknown size band “huge” (parameter size_band): use micro, small, medium or large.",
            "未知的企业规模“huge”（参数 size_band）：可用 micro、small、medium 或 large。",
        ),
        ("/no-such-endpoint", 404, "not_found", "No such API endpoint.", "没有这个 API 接口。"),
    ],
)
def test_errors_in_english_and_chinese(api, clusters, path, status, code, english, chinese):
    en = assert_error(api.get(path, lang="en"), status, code)
    assert en["message"] == english
    zh = assert_error(api.get(path, lang="zh-hans"), status, code)
    assert zh["message"] == chinese
    # Without a preference the site's default language (Chinese) answers.
    assert assert_error(api.get(path, lang=None), status, code)["message"] == chinese


def test_uscc_messages_follow_the_language(api, db):
    en = api.get("/identifiers/uscc/914403001922038217", lang="en").json()["errors"][0]["message"]
    zh = api.get("/identifiers/uscc/914403001922038217", lang="zh-hans").json()["errors"][0][
        "message"
    ]
    assert en == "The check character (position 18) should be 6, not 7."
    assert zh == "校验码（第 18 位）应为 6，而不是 7。"


@pytest.mark.parametrize(
    ("path", "param", "signed_in"),
    [
        ("/enterprises", "q", False),
        ("/clusters", "q", False),
        ("/demands", "q", False),
        ("/capacity-offers", "q", False),
        ("/services", "q", False),
        ("/courses", "topic", False),
        ("/jobs", "topic", False),
        ("/talent-profiles", "topic", True),
        ("/enterprises/export", "q", True),
    ],
)
def test_free_text_searches_are_limited_to_100_characters(api, world, path, param, signed_in):
    """A thousand short words made SQLite refuse the query ("Expression tree is too large")."""
    user = world.operator if signed_in else None
    body = assert_error(api.get(path, user=user, **{param: "ab " * 1000}), 422, "invalid_request")
    assert f"“{param}”" in body["message"] and "100" in body["message"]
    assert body["details"][0]["loc"] == ["query", param]
    # As long as the web forms allow, however many words, is answered.
    assert api.get(path, user=user, **{param: "a " * 50}).status_code == 200


def test_english_validation_details_name_the_field(api, db):
    body = assert_error(api.get("/clusters", page_size="abc"), 422, "invalid_request")
    assert any(d["loc"][-1] == "page_size" for d in body["details"])


def test_openapi_lists_every_path(api, db):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    paths = set(spec["paths"])
    expected = {
        f"{API}/clusters",
        f"{API}/clusters/{{cluster_id}}",
        f"{API}/enterprises",
        f"{API}/enterprises/{{enterprise_id}}",
        f"{API}/taxonomy/stages",
        f"{API}/taxonomy/industry-codes",
        f"{API}/identifiers/uscc/{{code}}",
        f"{API}/geocode",
        f"{API}/auth/tokens",
        f"{API}/auth/tokens/{{token_id}}",
        f"{API}/me",
    }
    assert expected <= paths, expected - paths
    assert set(spec["paths"][f"{API}/enterprises/{{enterprise_id}}"]) >= {"get", "patch"}
    assert set(spec["paths"][f"{API}/enterprises"]) >= {"get", "post"}
    # Every route the API object knows is documented.
    routed = {
        "/"
        + "/".join(
            part.strip("/")
            for part in (API, prefix, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))
            if part.strip("/")
        )
        for prefix, router in ninja_api._routers
        for path in router.path_operations
    }
    assert routed <= paths, routed - paths
    assert spec["info"]["title"] == "Weft API"


def test_docs_page_uses_only_local_files(api, db):
    response = api.get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, html
    assert not [u for u in urls if re.match(r"^(https?:)?//", u)], urls
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)", html)
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html


def test_docs_static_files_exist(db):
    from django.contrib.staticfiles import finders

    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name
