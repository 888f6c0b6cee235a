"""How the registry's firms are stored: derived columns, triggers, PostgreSQL's page fill."""

import pytest
from django.db import connection

from weft.registry.models import Enterprise

from ..factories import assert_name_keys_current

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage")


def page_of(pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT (ctid::text::point)[0] FROM registry_enterprise WHERE id = %s", [pk])
        return int(cursor.fetchone()[0])


@postgresql
@pytest.mark.django_db
def test_a_new_headcount_is_written_on_the_firms_own_page():
    # Rows of about 1.4 KB, as a generated firm's: five fill a page packed full, and a new
    # version of one would have to go to another page, with new entries in every index.
    # From an empty table (rolled back with the test): no page left half-used by earlier tests.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_enterprise CASCADE")
    firms = Enterprise.objects.bulk_create(
        Enterprise(
            name_zh=f"测试{i:03d}制衣有限公司",
            search_text="织" * 150,
            search_tokens=[f"{i:03d}{j:03d}" for j in range(120)],
        )
        for i in range(12)
    )
    first = firms[0].pk
    page = page_of(first)
    neighbours = [f.pk for f in firms[1:] if page_of(f.pk) == page]
    assert neighbours, "the page holds other firms too"

    Enterprise.objects.filter(pk=first).update(employees=42)

    assert page_of(first) == page


@postgresql
@pytest.mark.django_db
def test_the_firms_table_keeps_a_quarter_of_each_page_free():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'registry_enterprise'")
        assert cursor.fetchone()[0] == ["fillfactor=75"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
@pytest.mark.django_db
def test_the_registry_tables_keep_their_triggers_through_every_migration():
    # A migration that makes SQLite rebuild a table (adding a NOT NULL column, or an AlterField
    # such as dropping a foreign key's index) silently drops its triggers (migrations 0002 and
    # 0004): search would stop finding new firms and cached directory pages would never be
    # renewed. Migrations that change these tables must keep them (see core.migration_ops).
    from importlib import import_module

    watched = import_module("weft.registry.migrations.0004_directory_version").WATCHED
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        triggers = set(cursor.fetchall())
    expected = {
        ("registry_enterprise", f"registry_enterprise_fts_{event}") for event in ("ai", "ad", "au")
    } | {
        (table, f"{table}_version_{event}")
        for table in watched
        for event in ("insert", "update", "delete")
    }
    assert len(expected) == 18 and "registry_clustermembership" in watched
    assert expected <= triggers


@pytest.mark.django_db
def test_an_admin_edit_renews_the_name_keys(world):
    from django.contrib import admin

    from weft.registry.admin import EnterpriseAdmin

    firm = Enterprise.objects.get(pk=world.firm.pk)
    firm.name_zh, firm.adcode = "绍兴市柯桥区新名纺织有限公司", "330603"
    firm.save()
    EnterpriseAdmin(Enterprise, admin.site).after_admin_save(firm)
    assert Enterprise.objects.get(pk=firm.pk).match_key == "新名纺织"
    assert_name_keys_current()


COVERED = [  # (table, column): a foreign key whose own index another index makes redundant
    ("registry_clustermembership", "enterprise_id"),
    ("registry_clustermembership", "cluster_id"),
    ("imports_matchdecision", "job_id"),
    ("imports_rowerror", "job_id"),
    ("market_suppliercapability", "enterprise_id"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("table,column", COVERED)
def test_covered_foreign_keys_have_no_index_of_their_own(table, column):
    # Each costs an index entry per row a bulk import writes and answers nothing the covering
    # index does not; a later migration must not bring them back (see core.migration_ops).
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
    assert [column] not in indexed
    assert any(columns[0] == column and len(columns) > 1 for columns in indexed)


@pytest.mark.django_db
def test_the_firms_table_has_only_the_indexes_something_uses():
    # Every index is written for every firm an import inserts (and for every merged firm whose
    # update is not a heap-only one). Size band and demo flag are filtered through the search
    # tokens or not at all; sorting by name uses one plain index, without PostgreSQL's LIKE one.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "registry_enterprise")
    indexed = sorted(
        tuple(c["columns"])
        for c in constraints.values()
        if c["index"] or c["unique"] or c["primary_key"]
    )
    expected = [("id",), ("name_sort",), ("supplied_by_id",), ("supplied_by_org_id",), ("uscc",)]
    if connection.vendor == "postgresql":
        # The search tokens' GIN index (SQLite keeps them in an FTS5 table instead).
        expected += [("search_tokens",)]
    assert indexed == sorted(expected)


@postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    "table",
    ["registry_enterprise", "registry_clustermembership", "imports_matchdecision"],
)
def test_tables_an_import_writes_have_no_like_indexes(table):
    # Django adds one beside every indexed text column, for LIKE 'prefix%'; nothing here looks
    # anything up that way, and an import writes these tables for every row.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, "%pattern_ops%"],
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [table])
        assert cursor.fetchone()[0] > 1  # the other indexes are there
