"""A directory page's rows: one query for the page, and the names of its stages and clusters
kept per directory version, so a renamed cluster or stage shows at once.

Transactional tests: names are kept only outside a transaction, as the web reads them.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weft.registry.index_services import build_directory_index
from weft.registry.models import ChainStage, Cluster, ClusterMembership
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


def test_a_page_after_the_first_is_read_in_one_query_beside_the_directory_state(firm, client):
    only_row(client)
    with CaptureQueriesContext(connection) as queries:
        only_row(client)
    assert len(queries) == 2, [q["sql"] for q in queries]


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
