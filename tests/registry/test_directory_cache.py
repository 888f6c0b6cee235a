"""The directory API's cache: answers are reused until a write, and no write is ever missed.

Transactional tests: the version token is written by triggers that (on PostgreSQL) run at
commit, and nothing is cached inside a transaction, so these tests commit like production does.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import make_enterprise
from weft.registry.index_selectors import directory_state
from weft.registry.models import ChainStage, ClusterMembership, Enterprise
from weft.registry.services import refresh_search
from weft.registry.taxonomy import load_taxonomy

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/enterprises?q=虎门"


@pytest.fixture
def firm(clusters):
    load_taxonomy()  # a transactional test's flush emptied the taxonomy the migration loaded
    return make_enterprise(name_zh="东莞市虎门镇缓存测试制衣有限公司", cluster=clusters["humen"])


def _rename(enterprise, name):
    enterprise.name_zh = name
    enterprise.save(update_fields=["name_zh"])
    refresh_search(enterprise)


WRITES = {
    "create a firm": lambda firm, clusters: make_enterprise(name_zh="东莞市虎门镇新开制衣厂"),
    "rename a firm": lambda firm, clusters: _rename(firm, "东莞市虎门镇改名制衣有限公司"),
    "delete a firm": lambda firm, clusters: firm.delete(),
    "bulk-create firms": lambda firm, clusters: Enterprise.objects.bulk_create(
        [Enterprise(name_zh="批量导入的企业", name_sort="pi", province="广东省")]
    ),
    "raw SQL update": lambda firm, clusters: connection.cursor().execute(
        "UPDATE registry_enterprise SET employees = 7 WHERE id = %s", [firm.pk]
    ),
    "add a stage": lambda firm, clusters: firm.stages.add(
        ChainStage.objects.get(code="dyeing_finishing")
    ),
    "remove a stage": lambda firm, clusters: firm.stages.clear(),
    "leave a cluster": lambda firm, clusters: ClusterMembership.objects.filter(
        enterprise=firm
    ).update(status=ClusterMembership.Status.REJECTED),
    "join a cluster": lambda firm, clusters: ClusterMembership.objects.create(
        enterprise=firm, cluster=clusters["keqiao"], status=ClusterMembership.Status.APPROVED
    ),
    "rename a cluster": lambda firm, clusters: (
        clusters["humen"]
        .__class__.objects.filter(pk=clusters["humen"].pk)
        .update(name_en="Humen (renamed)")
    ),
    "rename a stage": lambda firm, clusters: ChainStage.objects.filter(
        code="dyeing_finishing"
    ).update(name_en="Dyeing and printing"),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_to_the_directory_tables_renews_the_version(write, firm, clusters):
    before = directory_state().version
    assert before is not None
    WRITES[write](firm, clusters)
    assert directory_state().version != before


def test_writes_elsewhere_leave_the_version(firm):
    from weft.accounts.models import Organisation

    before = directory_state().version
    Organisation.objects.create(kind=Organisation.Kind.ENTERPRISE, name_zh="与目录无关的组织")
    assert directory_state().version == before


def test_a_rolled_back_write_leaves_the_version(firm):
    before = directory_state().version
    with pytest.raises(RuntimeError), transaction.atomic():
        _rename(firm, "东莞市虎门镇回滚制衣有限公司")
        raise RuntimeError("roll back")
    assert directory_state().version == before


def test_answers_are_reused_until_a_write_then_rebuilt(client, firm, django_assert_max_num_queries):
    first = client.get(URL)
    assert first.status_code == 200
    assert [r["name_zh"] for r in first.json()["results"]] == [firm.name_zh]

    with django_assert_max_num_queries(1):  # the version token only
        again = client.get(URL)
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]

    newcomer = make_enterprise(name_zh="东莞市虎门镇后来制衣有限公司")
    _rename(firm, "东莞市虎门镇改名制衣有限公司")
    after = client.get(URL).json()
    assert after["count"] == 2
    names = {r["name_zh"] for r in after["results"]}
    assert names == {newcomer.name_zh, "东莞市虎门镇改名制衣有限公司"}


def test_each_query_and_page_has_its_own_answer(client, firm, clusters):
    for i in range(3):
        make_enterprise(name_zh=f"东莞市虎门镇分页{i}号制衣厂", cluster=clusters["humen"])
    page1 = client.get(URL + "&page_size=2").json()
    page2 = client.get(URL + "&page_size=2&page=2").json()
    assert page1["count"] == page2["count"] == 4
    assert {r["id"] for r in page1["results"]}.isdisjoint({r["id"] for r in page2["results"]})
    assert page1["next"].endswith("page=2") and page2["previous"].endswith("page=1")
    assert client.get("/api/v1/enterprises?q=柯桥").json()["count"] == 0


def test_nothing_is_cached_inside_a_transaction(client, firm, django_assert_num_queries):
    committed_name = firm.name_zh
    client.get(URL)
    with transaction.atomic():
        _rename(firm, "东莞市虎门镇未提交制衣有限公司")
        # The uncommitted name is what this transaction sees, cache or not...
        names = [r["name_zh"] for r in client.get(URL).json()["results"]]
        assert names == ["东莞市虎门镇未提交制衣有限公司"]
        transaction.set_rollback(True)
    # ...and after the rollback nobody is served it.
    assert [r["name_zh"] for r in client.get(URL).json()["results"]] == [committed_name]


def test_cache_off_builds_every_answer(client, firm, settings):
    settings.WEFT_DIRECTORY_CACHE_SECONDS = 0
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert len(queries) >= 2
