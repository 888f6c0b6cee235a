"""Directory answers are written with orjson, not by their pydantic schema; the suite checks every
one of them against the schema (WEFT_CHECK_ANSWERS), and the check fails on what pydantic would
have refused or written otherwise."""

import orjson
import pytest

from weft.core.response_cache import AnswerMismatch, check_answer
from weft.registry.directory import DirectoryMatches
from weft.registry.schemas import EnterprisePage

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


def page(**row_changes) -> dict:
    row = {
        "id": 7,
        "uscc": None,
        "name_zh": "虎门测试服饰有限公司",
        "name_en": "",
        "province": "广东省",
        "city": "东莞市",
        "county": "虎门镇",
        "main_products": "连衣裙",
        "size_band": "small",
        "stages": ["garment_making"],
        "clusters": [{"id": 1, "slug": "humen", "name_zh": "虎门", "name_en": "Humen"}],
        "is_demo": False,
    } | row_changes
    return {"count": 1, "page": 1, "page_size": 20, "pages": 1, "next": None, "previous": None,
            "results": [row]}  # fmt: skip


def test_a_page_of_the_declared_shape_passes():
    data = page()
    check_answer(EnterprisePage, data, orjson.dumps(data))


@pytest.mark.parametrize(
    "change",
    [
        {"is_demo": 1},  # equal to True in Python, but not what the schema writes
        {"id": "7"},
        {"stages": ("garment_making",)},
        {"clusters": [{"id": 1, "slug": "humen", "name_zh": "虎门"}]},
    ],
)
def test_values_not_of_their_declared_type_fail(change):
    data = page(**change)
    with pytest.raises(Exception) as caught:
        check_answer(EnterprisePage, data, orjson.dumps(data))
    assert "validation error" in str(caught.value)


def test_a_body_that_differs_from_the_data_fails():
    with pytest.raises(AnswerMismatch):
        check_answer(EnterprisePage, page(), orjson.dumps(page(city="广州市")))


def test_every_directory_answer_in_the_suite_is_checked(client, monkeypatch, settings):
    """A row of the wrong shape never reaches a test as a good answer (in production, where
    the check is off, it would)."""
    settings.WEFT_DIRECTORY_CACHE_SECONDS = 0
    make_enterprise(name_zh="虎门检查服饰有限公司")
    assert client.get("/api/v1/enterprises?q=虎门").json()["count"] == 1

    broken = DirectoryMatches.rows

    def rows(self, page, version=None):
        return [row | {"is_demo": int(row["is_demo"])} for row in broken(self, page, version)]

    monkeypatch.setattr(DirectoryMatches, "rows", rows)
    # The API's handler of unexpected errors answers 500: no test expecting an answer passes.
    assert client.get("/api/v1/enterprises?q=虎门").status_code == 500
    monkeypatch.setattr(settings, "WEFT_CHECK_ANSWERS", False)
    assert b'"is_demo":0' in client.get("/api/v1/enterprises?q=虎门").content
