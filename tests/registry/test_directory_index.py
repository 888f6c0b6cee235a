"""The in-memory directory index answers exactly as the database does, before and after writes.

Transactional tests: the index tells a committed change from one still running by the writing
transaction (on PostgreSQL), so these tests commit their writes as the web does.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from weft.registry import index_selectors, index_services
from weft.registry.directory import DirectoryMatches
from weft.registry.directory_index import DirectoryIndex
from weft.registry.directory_listings import ListingsBuilder
from weft.registry.index_services import build_directory_index
from weft.registry.models import (
    DirectoryChange,
    DirectoryIndexSnapshot,
    DirectoryVersion,
    Enterprise,
)
from weft.registry.naming import set_name_keys
from weft.registry.selectors import EnterpriseFilters, enterprise_directory
from weft.registry.services import refresh_search
from weft.registry.tasks import rebuild_directory_index
from weft.registry.taxonomy import load_taxonomy

from ..factories import make_enterprise
from .search_firms import database_answer, make_search_firms

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTS = ["女装", "羊毛衫", "面料", "丝绸", "连衣裙"]

QUERIES = [
    {"q": "虎门"},
    {"q": "虎门镇"},  # three characters: the index's trigram decides it
    {"q": "羊毛衫", "province": "浙江省"},
    {"q": "面料", "province": "广东省", "stage": "weaving"},
    {"q": "虎", "stage": "knitting"},
    {"q": "柯桥 丝绸"},
    {"q": "连衣裙", "size_band": "micro"},
    {"province": "浙江省", "size_band": "micro"},
    {"q": "不存在"},
    {"q": "ltd"},
    {},
]


@pytest.fixture
def firms(db):
    load_taxonomy()
    return make_search_firms(80, 11, PRODUCTS, english=True)


def assert_index_answers_as_database():
    for query in QUERIES:
        filters = EnterpriseFilters(**query)
        total = enterprise_directory(filters).count()
        matches = DirectoryMatches(filters)
        assert matches._indexed is not None, query
        assert matches.count() == total, query
        for start, size in [(0, 5), (5, 5), (0, 200), (max(total - 2, 0), 5), (total, 5)]:
            assert DirectoryMatches(filters).window(start, size) == database_answer(
                filters, start, size
            ), (query, start, size)


def test_the_index_answers_every_search_it_can_decide_as_the_database(firms):
    build_directory_index()
    assert_index_answers_as_database()
    # Not degenerate: searches match some firms and not all.
    assert 0 < DirectoryMatches(EnterpriseFilters(q="虎门")).count() < len(firms)
    assert DirectoryMatches(EnterpriseFilters(q="虎门镇")).count() > 0


def test_searches_the_index_cannot_decide_go_to_the_database(firms):
    build_directory_index()
    for q in ["东莞市虎门", "trading", "li"]:
        matches = DirectoryMatches(EnterpriseFilters(q=q))
        assert matches._indexed is None, q
        assert matches.count() == enterprise_directory(EnterpriseFilters(q=q)).count()


def test_firms_written_after_the_build_are_found_as_they_are_now(firms):
    build_directory_index()
    added = make_enterprise(
        name_zh="阿阿虎门面料有限公司", address="广东省虎门镇新1号", products="面料"
    )
    renamed = firms[3]
    renamed.name_zh = "啊啊啊柯桥丝绸有限公司"  # to the front of the directory's order
    renamed.main_products = "香云纱"
    set_name_keys(renamed)
    renamed.save()
    refresh_search(renamed)
    deleted = firms[4]
    deleted_id = deleted.pk
    deleted.delete()

    assert_index_answers_as_database()
    assert DirectoryMatches(EnterpriseFilters(q="香云纱")).window(0, 5) == ([{"id": renamed.pk}], 1)
    first, _ = DirectoryMatches(EnterpriseFilters()).window(0, 1)
    assert first == [{"id": renamed.pk}]
    ids = [r["id"] for r in DirectoryMatches(EnterpriseFilters(q="虎门")).window(0, 200)[0]]
    assert added.pk in ids
    assert deleted_id not in ids


def test_deep_pages_with_changes_are_left_to_the_database(firms, monkeypatch):
    build_directory_index()
    make_enterprise(name_zh="阿阿虎门面料有限公司", address="广东省虎门镇新1号", products="面料")
    monkeypatch.setattr(index_selectors, "MERGE_LIMIT", 3)
    assert_index_answers_as_database()


def logged_since(last_id: int) -> list[int]:
    return list(
        DirectoryChange.objects.filter(id__gt=last_id).values_list("enterprise_id", flat=True)
    )


def test_only_changes_of_what_the_index_holds_are_logged(firms):
    build_directory_index()
    # What the build kept depends on other transactions then running (on PostgreSQL, in the
    # whole server): count from here.
    last = DirectoryChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    firm = firms[0]
    firm.employees = 999  # not searchable
    firm.save()
    assert logged_since(last) == []
    # Raw SQL is logged too: the log is written by triggers.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_enterprise SET search_text = %s WHERE id = %s", ["x", firms[1].pk]
        )
    assert logged_since(last) == [firms[1].pk]


def test_past_the_change_limit_the_database_answers_and_a_rebuild_is_asked_for(firms, settings):
    settings.WEFT_DIRECTORY_INDEX_MAX_CHANGES = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    build_directory_index()
    first = DirectoryIndexSnapshot.objects.get()
    for firm in firms[:3]:
        firm.main_products = "羊绒衫"
        refresh_search(firm)

    # Background tasks run at once here: the search that saw three changes rebuilt.
    matches = DirectoryMatches(EnterpriseFilters(q="羊绒衫"))
    assert matches._indexed is None
    assert matches.count() == 3
    latest = DirectoryIndexSnapshot.objects.latest()
    assert latest.pk != first.pk
    after = DirectoryMatches(EnterpriseFilters(q="羊绒衫"))
    assert after._indexed is not None
    assert after.count() == 3


def test_a_build_keeps_one_snapshot_before_it_and_the_changes_it_needs(firms):
    build_directory_index()
    make_enterprise(name_zh="甲虎门有限公司")
    second = build_directory_index()
    make_enterprise(name_zh="乙虎门有限公司")
    third = build_directory_index()
    assert list(DirectoryIndexSnapshot.objects.order_by("id").values_list("id", flat=True)) == [
        second.pk,
        third.pk,
    ]
    assert not DirectoryChange.objects.filter(seq__lt=second.watermark).exists()


def test_switched_off_the_database_answers(firms, settings):
    build_directory_index()
    settings.WEFT_DIRECTORY_INDEX = False
    assert DirectoryMatches(EnterpriseFilters(q="虎门"))._indexed is None


def test_the_api_answers_the_same_from_the_index(firms, client, settings):
    settings.WEFT_DIRECTORY_CACHE_SECONDS = 0
    url = "/api/v1/enterprises?q=虎门&province=广东省&page_size=7&page=2"
    from_database = client.get(url).json()
    build_directory_index()
    assert DirectoryMatches(EnterpriseFilters(q="虎门", province="广东省"))._indexed is not None
    assert client.get(url).json() == from_database
    assert from_database["count"] > 7


def test_a_snapshot_survives_its_bytes():
    index = DirectoryIndex.build([(5, ["a", "p:44"], "虎门镇"), (3, ["a"], ""), (9, [], "虎门")])
    again = DirectoryIndex.loads(index.dumps())
    assert again.ids(again.matching(["a"])) == [5, 3]
    assert again.ids(again.matching(["虎门镇"])) == [5]
    assert again.ids(again.matching([])) == [5, 3, 9]
    assert list(again.positions_of([9, 5, 4])) == [0, 2]
    with pytest.raises(ValueError):
        DirectoryIndex.loads(b"not an index")


def test_listings_survive_the_snapshots_bytes():
    builder = ListingsBuilder()
    rows = [
        ((5, "91441900MA4UJ9KX3B", "虎门制衣", "Humen Garments", "广东省", "东莞市", "虎门镇",
          "女装、连衣裙", "small", True), [3, 1], [7]),
        ((3, "", "无名工坊", "", "", "", "", "", "", False), [], []),
        ((9, "92330621MA2BX8W91L", "柯桥纺织", "Keqiao \"Textile\"", "浙江省", "绍兴市",
          "柯桥区", "坯布", "micro", False), [1, 3], [7, 2]),
    ]  # fmt: skip
    for values, stages, clusters in rows:
        builder.add(values, stages, clusters)
    index = DirectoryIndex.build([(5, ["a"], ""), (3, ["a"], ""), (9, [], "")])
    index.listings = builder.done()
    again = DirectoryIndex.loads(index.dumps())
    assert again.positions([9, 4, 5]) == [2, None, 0]
    expected = [(values, sorted(stages), clusters) for values, stages, clusters in rows]
    assert again.listings.at([9, 5, 3], [2, 0, 1]) == [expected[2], expected[0], expected[1]]
    assert len(again.listings.places) == 3 and len(again.listings.stages) == 2


def test_the_directory_state_names_the_newest_snapshot_whichever_build_commits_last(firms):
    DirectoryVersion.objects.all().delete()  # no write since the database was made
    first = build_directory_index()
    state = index_selectors.directory_state()
    assert (state.snapshot_id, state.snapshot_token) == (first.pk, first.token)
    second = build_directory_index()
    index_services._announce(first)  # a build that overlapped the second one, committed last
    state = index_selectors.directory_state()
    assert (state.snapshot_id, state.snapshot_token) == (second.pk, second.token)


def test_a_stored_snapshot_is_read_back_whole_in_pieces(firms, monkeypatch):
    snapshot = build_directory_index()
    stored = bytes(snapshot.data)
    monkeypatch.setattr(index_selectors, "SNAPSHOT_PIECE", len(stored) // 3 - 7)  # 4 pieces
    assert bytes(index_selectors.snapshot_data(snapshot.pk)) == stored
    DirectoryIndexSnapshot.objects.filter(pk=snapshot.pk).delete()
    assert index_selectors.snapshot_data(snapshot.pk) is None


def test_every_firm_of_the_database_is_in_a_fresh_snapshot(firms):
    snapshot = build_directory_index()
    index = DirectoryIndex.loads(bytes(snapshot.data))
    assert sorted(index.ids(range(len(index)))) == sorted(
        Enterprise.objects.values_list("id", flat=True)
    )


def test_a_rebuild_asked_for_a_replaced_snapshot_is_skipped(firms, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    first = build_directory_index()
    build_directory_index()
    assert "skipped" in rebuild_directory_index.enqueue(replacing=first.pk).return_value
    assert DirectoryIndexSnapshot.objects.count() == 2
    rebuilt = rebuild_directory_index.enqueue(replacing=None).return_value
    assert rebuilt["firms"] == len(firms)


def test_past_the_limit_one_rebuild_is_queued_and_the_verdict_kept_until_the_next_write(
    firms, settings
):
    settings.WEFT_DIRECTORY_INDEX_MAX_CHANGES = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    build_directory_index()
    for firm in firms[:2]:
        firm.main_products = "羊绒衫"
        refresh_search(firm)
    filters = EnterpriseFilters(q="羊绒衫")
    assert DirectoryMatches(filters)._indexed is None
    with CaptureQueriesContext(connection) as queries:
        assert DirectoryMatches(filters).count() == 2
    assert not [q for q in queries if "registry_directorychange" in q["sql"]]
    queued = DBTaskResult.objects.filter(task_path__endswith="rebuild_directory_index")
    assert queued.count() == 1
    assert queued.get().args_kwargs["kwargs"] == {
        "replacing": DirectoryIndexSnapshot.objects.get().pk
    }


def test_on_postgresql_a_build_tells_changes_committed_before_it_from_running_ones(firms):
    """A transaction running during the build holds the server's xmin back: the changes
    committed after it began are in the snapshot all the same, and only its own are not."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: no transaction runs during a build")
    running, built = threading.Event(), threading.Event()

    def write_during_the_build():
        try:
            with transaction.atomic():
                firm = Enterprise.objects.get(pk=firms[1].pk)
                firm.main_products = "莨绸"
                refresh_search(firm)
                running.set()
                built.wait(30)
        finally:
            connection.close()  # this thread's

    writer = threading.Thread(target=write_during_the_build)
    writer.start()
    assert running.wait(30)
    committed = firms[0]
    committed.main_products = "香云纱"
    refresh_search(committed)  # committed by a transaction that began after the running one
    snapshot = build_directory_index()
    built.set()
    writer.join(30)

    assert index_selectors.firms_changed_since(snapshot) == 1
    assert DirectoryMatches(EnterpriseFilters(q="莨绸")).window(0, 5) == ([{"id": firms[1].pk}], 1)
    from_index = DirectoryMatches(EnterpriseFilters(q="香云纱"))
    assert from_index._indexed is not None and not from_index._indexed.changed_matches
    assert from_index.window(0, 5) == ([{"id": committed.pk}], 1)
    assert_index_answers_as_database()
