"""How the registry's table is stored on PostgreSQL (migration 0005)."""

import pytest
from django.db import connection

from weft.registry.models import Enterprise

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
