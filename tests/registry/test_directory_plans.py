"""The directory's page plans give the same rows and count as the generic windowed search."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weft.registry import directory
from weft.registry.directory import DirectoryListing, DirectoryMatches, walk_is_cheaper
from weft.registry.models import Enterprise
from weft.registry.selectors import EnterpriseFilters, enterprise_directory

from ..factories import make_enterprise
from .search_firms import database_answer, make_search_firms

PRODUCTS = ["女装", "毛衫", "面料", "丝绸"]

QUERIES = [
    {"q": "虎门"},
    {"q": "面料", "province": "广东省"},
    {"q": "虎", "stage": "knitting"},
    {"q": "柯桥 丝绸"},
    {"province": "浙江省", "size_band": "micro"},
    {"q": "不存在"},
    # Terms the tokens cannot decide alone: the generic plan.
    {"q": "虎门镇"},
    {"q": "li"},
    {},
]


@pytest.fixture
def firms(db):
    return make_search_firms(60, 7, PRODUCTS)


@pytest.mark.django_db
@pytest.mark.parametrize("walk", [True, False], ids=["walk", "sort"])
def test_each_plan_gives_the_generic_rows_and_count(firms, monkeypatch, walk):
    monkeypatch.setattr(directory, "walk_is_cheaper", lambda *args: walk)
    for query in QUERIES:
        filters = EnterpriseFilters(**query)
        expected_total = enterprise_directory(filters).count()
        for start, size in [(0, 5), (5, 5), (0, 100), (expected_total, 5)]:
            assert DirectoryMatches(filters).window(start, size) == database_answer(
                filters, start, size
            )
        assert DirectoryMatches(filters).window(0, 100)[1] == expected_total
    # The fixture is not degenerate: searches match some firms and not all.
    assert 0 < DirectoryMatches(EnterpriseFilters(q="虎门")).window(0, 5)[1] < len(firms)


@pytest.mark.django_db
def test_pages_follow_writes_at_once(firms):
    filters = EnterpriseFilters(q="面料")
    before_ids, before = DirectoryMatches(filters).window(0, 100)
    added = make_enterprise(name_zh="阿阿面料有限公司", address="", products="")
    ids, count = DirectoryMatches(filters).window(0, 100)
    assert count == before + 1 and ids[0] == {"id": added.pk}
    Enterprise.objects.filter(pk=before_ids[0]["id"]).delete()
    ids, count = DirectoryMatches(filters).window(0, 100)
    assert count == before and before_ids[0] not in ids


def test_walk_is_cheaper_when_matches_are_dense():
    # 20 rows from a million firms: walking reads ~1,000 rows for 20,000 matches,
    # ~60,000 for 341 matches (sorting reads 341).
    assert walk_is_cheaper(20, 20_000, 1_000_000)
    assert not walk_is_cheaper(20, 341, 1_000_000)
    assert not walk_is_cheaper(2_000, 20_000, 1_000_000)  # deep pages walk far


@pytest.mark.django_db
def test_the_walk_goes_down_the_name_index_without_sorting(firms, monkeypatch):
    if connection.vendor == "postgresql":
        # PostgreSQL keeps the generic plan: the SQLite plans are never tried.
        monkeypatch.setattr(directory, "_sqlite_window", lambda *a: pytest.fail("SQLite plan"))
        assert DirectoryMatches(EnterpriseFilters(q="虎门")).window(0, 5)[1] > 0
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + directory._WALK, ['"x"', 20, 0])
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    assert "INDEX registry_enterprise_name_sort" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan


@pytest.mark.django_db
def test_directory_pages_list_the_same_firms_through_the_paginator(firms):
    for query in QUERIES:
        filters = EnterpriseFilters(**query)
        expected = list(enterprise_directory(filters))
        page = Paginator(DirectoryListing(filters), 7).get_page(2)
        assert page.paginator.count == len(expected)
        # get_page(2) is the last page when there is no second one.
        shown = expected[7:14] if len(expected) > 7 else expected
        assert [e.pk for e in page.object_list] == [e.pk for e in shown]
    # What a directory row shows is fetched with the page (no query per row).
    page = Paginator(DirectoryListing(EnterpriseFilters(q="虎门")), 20).get_page(1)
    with CaptureQueriesContext(connection) as queries:
        rows = [(e.name_zh, [s.code for s in e.stages.all()], e.approved_memberships) for e in page]
    assert rows and not queries.captured_queries
