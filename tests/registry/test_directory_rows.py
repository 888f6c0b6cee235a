"""A directory page's rows: from the listings the in-memory index keeps, or in one query for
the page; the names of its stages and clusters kept per directory version, so a renamed cluster
or stage shows at once; and whatever a firm's row shows, changed by any path, shows on the next
request (the change log's triggers, migration 0012).

Transactional tests: names are kept only outside a transaction, as the web reads them.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weft.registry import index_selectors
from weft.registry.directory_index import DirectoryIndex
from weft.registry.index_services import build_directory_index
from weft.registry.models import (
    ChainStage,
    Cluster,
    ClusterMembership,
    DirectoryIndexSnapshot,
    DirectoryVersion,
    Enterprise,
)
from weft.registry.taxonomy import load_clusters, load_taxonomy

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/enterprises?q=虎门"


@pytest.fixture
def firm(settings):
    settings.WEFT_DIRECTORY_CACHE_SECONDS = 0  # every request searches: the rows are read anew
    load_taxonomy()
    load_clusters()
    humen, dalang, keqiao = (Cluster.objects.get(slug=s) for s in ("humen", "dalang", "keqiao"))
    # Stages given out of the taxonomy's order; memberships: Dalang first, then Keqiao, then
    # Humen's still pending.
    firm = make_enterprise(stages=("garment_making", "fiber", "weaving"), cluster=dalang)
    for cluster, status in [
        (keqiao, ClusterMembership.Status.APPROVED),
        (humen, ClusterMembership.Status.PENDING),
    ]:
        ClusterMembership.objects.create(enterprise=firm, cluster=cluster, status=status)
    build_directory_index()
    return firm


def only_row(client) -> dict:
    body = client.get(URL).json()
    assert body["count"] == 1
    return body["results"][0]


def test_a_row_shows_stages_in_the_chains_order_and_approved_clusters_in_joining_order(
    firm, client
):
    row = only_row(client)
    assert row["id"] == firm.pk
    assert row["stages"] == ["fiber", "weaving", "garment_making"]
    assert [c["slug"] for c in row["clusters"]] == ["dalang", "keqiao"]
    assert row["clusters"][0]["name_zh"] == Cluster.objects.get(slug="dalang").name_zh


def test_a_page_after_the_first_costs_the_directory_state_alone(firm, client):
    """The index holds the page's listings: the directory's version is the only read."""
    only_row(client)
    with CaptureQueriesContext(connection) as queries:
        only_row(client)
    assert [q["sql"] for q in queries] == [index_selectors._STATE]


def test_a_snapshot_without_listings_reads_the_page_in_one_query(firm, client):
    """Snapshots built before listings were kept still answer: the rows come from the database."""
    expected = only_row(client)
    snapshot = DirectoryIndexSnapshot.objects.latest()
    index = DirectoryIndex.loads(bytes(snapshot.data))
    index.listings = None
    DirectoryIndexSnapshot.objects.filter(pk=snapshot.pk).update(data=index.dumps(), token=7)
    DirectoryVersion.objects.filter(pk=1).update(snapshot_token=7)  # processes load it anew
    assert only_row(client) == expected
    with CaptureQueriesContext(connection) as queries:
        assert only_row(client) == expected
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert index_selectors._held.index.listings is None


def test_rows_from_the_listings_are_the_databases(firm, client, settings):
    """Every field of every row, for firms of every shape: with the listings and without."""
    Enterprise.objects.filter(pk=firm.pk).update(name_en="Dalang Knit & Co. 大朗", is_demo=True)
    make_enterprise(name_zh="虎门无代码服饰店", uscc=None, stages=(), city="东莞市", employees=3)
    make_enterprise(name_zh="虎门测试二厂", stages=("dyeing_finishing",), county="虎门镇")
    build_directory_index()
    url = URL + "&page_size=50"
    from_listings = client.get(url).json()
    assert from_listings["count"] == 3
    assert index_selectors._held.index.listings is not None
    settings.WEFT_DIRECTORY_INDEX = False
    assert client.get(url).json() == from_listings


def test_whatever_a_row_shows_changed_by_any_path_shows_on_the_next_request(firm, client):
    """Written past the services (bulk and raw writes): the triggers log the firm as changed."""
    only_row(client)
    Enterprise.objects.filter(pk=firm.pk).update(
        city="苏州市", county="吴江区", is_demo=True, name_en="Renamed Knitwear"
    )
    row = only_row(client)
    assert (row["city"], row["county"], row["is_demo"], row["name_en"]) == (
        "苏州市",
        "吴江区",
        True,
        "Renamed Knitwear",
    )
    firm.stages.add(ChainStage.objects.get(code="dyeing_finishing"))
    assert only_row(client)["stages"] == ["fiber", "weaving", "dyeing_finishing", "garment_making"]
    firm.stages.remove(ChainStage.objects.get(code="fiber"))
    ClusterMembership.objects.filter(enterprise=firm, cluster__slug="dalang").delete()
    row = only_row(client)
    assert row["stages"] == ["weaving", "dyeing_finishing", "garment_making"]
    assert [c["slug"] for c in row["clusters"]] == ["keqiao"]


def test_renamed_clusters_and_stages_and_new_memberships_show_on_the_next_request(firm, client):
    only_row(client)  # the names are kept now
    Cluster.objects.filter(slug="dalang").update(name_zh="大朗毛织新名", name_en="Dalang renamed")
    ChainStage.objects.filter(code="fiber").update(order=99)
    ClusterMembership.objects.filter(enterprise=firm, cluster__slug="humen").update(
        status=ClusterMembership.Status.APPROVED
    )
    row = only_row(client)
    assert row["clusters"][0] == {
        "id": Cluster.objects.get(slug="dalang").pk,
        "slug": "dalang",
        "name_zh": "大朗毛织新名",
        "name_en": "Dalang renamed",
    }
    assert [c["slug"] for c in row["clusters"]] == ["dalang", "keqiao", "humen"]
    assert row["stages"] == ["weaving", "garment_making", "fiber"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner without statistics")
def test_listings_find_memberships_by_firm_without_statistics(firm):
    """Without ANALYZE (a new or demo database) SQLite would pick the status index and read every
    approved membership for each firm: 45 s to build the index of the 20,000 demo firms."""
    from weft.registry.selectors import listing_columns

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone()[0]:
            cursor.execute("DELETE FROM sqlite_stat1")
        cursor.execute(
            f"EXPLAIN QUERY PLAN SELECT {listing_columns()} FROM registry_enterprise AS e",  # noqa: S608
            [ClusterMembership.Status.APPROVED],
        )
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "status" not in plan, plan
    assert "(enterprise_id=?)" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_the_directory_state_is_read_by_a_prepared_statement(firm, client):
    """Every directory request reads the state: on PostgreSQL it is parsed and planned once per
    connection, not per request (settings.py: WEFT_DB_PREPARE)."""
    only_row(client)
    only_row(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert index_selectors._STATE in prepared
