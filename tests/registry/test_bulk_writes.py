"""The registry's bulk writers, used by the demo generator and the bulk import."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection

from weft.registry.bulk import update_rows
from weft.registry.models import Enterprise
from weft.registry.search import query_tokens

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db

FIELDS = [
    "name_zh",
    "employees",
    "latitude",
    "field_provenance",
    "search_text",
    "search_tokens",
    "updated_at",
]


def prepared(values: dict) -> list:
    fields = [Enterprise._meta.get_field(n) for n in FIELDS]
    return fields, [f.get_db_prep_save(values[f.name], connection) for f in fields]


def test_update_rows_writes_each_rows_own_values_and_nothing_else(db):
    a = make_enterprise(name_zh="东莞市虎门镇甲制衣有限公司", employees=10)
    b = make_enterprise(name_zh="东莞市虎门镇乙制衣有限公司", employees=20)
    untouched = make_enterprise(name_zh="东莞市虎门镇丙制衣有限公司", employees=30)
    when = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
    fields, first = prepared(
        {
            "name_zh": "东莞市虎门镇甲服饰有限公司",
            "employees": 11,
            "latitude": Decimal("22.812345"),
            "field_provenance": {"employees": {"import": 7, "at": "2026-11-23"}},
            "search_text": "东莞市虎门镇甲服饰有限公司 婚纱",
            "search_tokens": ["婚纱", "婚", "纱", "p:广东"],
            "updated_at": when,
        }
    )
    _, second = prepared(
        {
            "name_zh": "东莞市虎门镇乙制衣有限公司",
            "employees": None,
            "latitude": None,
            "field_provenance": {},
            "search_text": "",
            "search_tokens": [],
            "updated_at": when,
        }
    )
    update_rows(Enterprise, fields, [first + [a.pk], second + [b.pk]])

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.name_zh, a.employees, a.latitude) == (
        "东莞市虎门镇甲服饰有限公司",
        11,
        Decimal("22.812345"),
    )
    assert a.field_provenance == {"employees": {"import": 7, "at": "2026-11-23"}}
    assert sorted(a.search_tokens) == sorted(["婚纱", "婚", "纱", "p:广东"])
    assert a.updated_at == when
    assert (b.employees, b.latitude, b.field_provenance, b.search_tokens) == (None, None, {}, [])
    assert Enterprise.objects.get(pk=untouched.pk).employees == 30
    # The search index follows the new tokens (GIN on PostgreSQL, the FTS5 trigger on SQLite).
    from weft.registry.selectors import EnterpriseFilters, enterprise_directory

    assert query_tokens("婚纱") == ["婚纱"]
    found = enterprise_directory(EnterpriseFilters(q="婚纱")).values_list("pk", flat=True)
    assert list(found) == [a.pk]


def test_update_rows_with_nothing_to_write_runs_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        update_rows(Enterprise, [Enterprise._meta.get_field("employees")], [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array text")
def test_token_lists_reach_postgresql_through_copy_as_they_were():
    from weft.registry.bulk import array_text, insert_rows, token_array_text

    tokens = ["虎门", "c:24", 'a"b', "back\\slash", "a,b", "{x}", "NULL", "tab\there"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [array_text(tokens)])
        assert cursor.fetchone()[0] == tokens
        cursor.execute("SELECT %s::text[]", [array_text([])])
        assert cursor.fetchone()[0] == []
        # Search tokens' quicker way, whatever they hold.
        for some in (tokens, tokens[:2], ["a", "b,c", "{}", "NULL"], ['"'], ["\\"], []):
            cursor.execute("SELECT %s::text[]", [token_array_text(some)])
            assert cursor.fetchone()[0] == some
        # The other types update_rows sends this way.
        when = datetime.datetime(2026, 11, 23, 8, 0, 1, 250, tzinfo=datetime.UTC)
        json_value = {"说明": 'a "quoted" \\ value', "n": [1, None]}
        cursor.execute(
            "SELECT %s::jsonb[], %s::timestamptz[], %s::numeric[], %s::boolean[], %s::int[]",
            [
                array_text([connection.ops.adapt_json_value(json_value, None), None]),
                array_text([when]),
                array_text([Decimal("12.50")]),
                array_text([True, False]),
                array_text([7, None]),
            ],
        )
        jsons, *others = cursor.fetchone()
        assert [json.loads(jsons[0]), jsons[1]] == [json_value, None]  # Django reads JSON as text
        assert others == [
            [when],
            [Decimal("12.50")],
            [True, False],
            [7, None],
        ]
    firm = make_enterprise(name_zh="东莞市虎门镇甲制衣有限公司")
    Enterprise.objects.filter(pk=firm.pk).delete()
    fields = Enterprise._meta.concrete_fields
    firm.search_tokens = tokens
    row = [
        array_text(tokens)
        if f.name == "search_tokens"
        else f.get_db_prep_save(f.pre_save(firm, True), connection)
        for f in fields
    ]
    insert_rows(Enterprise, [f.column for f in fields], [row])  # COPY
    assert Enterprise.objects.get(pk=firm.pk).search_tokens == tokens


def test_token_array_text_is_array_text_for_any_tokens():
    from weft.registry.bulk import array_text, token_array_text

    cases = [["虎门", "c:24", "p:44"], ['a"b', "c"], ["back\\slash"], ['","'], ["x"], []]
    for tokens in cases:
        assert token_array_text(tokens) == array_text(tokens)


@pytest.fixture
def few_sqlite_parameters():
    """SQLite taking only `width * 2` parameters per statement: rows split over statements."""
    import sqlite3

    connection.ensure_connection()
    raw = connection.connection
    kept = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    def limit(width: int) -> None:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, width * 2)

    yield limit
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, kept)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statements of many rows")
def test_sqlite_writes_rows_in_statements_of_as_many_as_its_parameters_allow(
    few_sqlite_parameters, django_assert_num_queries
):
    from weft.registry.bulk import insert_objects
    from weft.registry.selectors import EnterpriseFilters, enterprise_directory

    firms = [make_enterprise(name_zh=f"东莞市虎门镇{n}号制衣有限公司") for n in "一二三四五"]
    Enterprise.objects.filter(pk__in=[f.pk for f in firms]).delete()
    for firm in firms:
        firm.search_tokens = sorted({*firm.search_tokens, "婚纱"})
    few_sqlite_parameters(len(Enterprise._meta.concrete_fields))
    with django_assert_num_queries(3):  # 2 + 2 + 1 rows
        insert_objects(Enterprise, firms)
    assert sorted(Enterprise.objects.values_list("name_zh", flat=True)) == sorted(
        f.name_zh for f in firms
    )
    # Each firm is in the search index (the FTS5 trigger fires for every row of a statement).
    found = enterprise_directory(EnterpriseFilters(q="婚纱")).values_list("pk", flat=True)
    assert sorted(found) == sorted(f.pk for f in firms)

    fields, _ = prepared({n: None for n in FIELDS})
    rows = []
    for n, firm in enumerate(firms):
        _, values = prepared(
            {
                "name_zh": firm.name_zh,
                "employees": 100 + n,
                "latitude": Decimal("22.8"),
                "field_provenance": {"employees": {"import": n}},
                "search_text": firm.name_zh,
                "search_tokens": ["旗袍"] if n % 2 else ["婚纱"],
                "updated_at": datetime.datetime(2026, 11, 24, tzinfo=datetime.UTC),
            }
        )
        rows.append(values + [firm.pk])
    few_sqlite_parameters(len(fields) + 1)
    with django_assert_num_queries(3):
        update_rows(Enterprise, fields, rows)
    written = dict(Enterprise.objects.values_list("pk", "employees"))
    assert written == {f.pk: 100 + n for n, f in enumerate(firms)}
    for term, picked in (("婚纱", firms[0::2]), ("旗袍", firms[1::2])):
        found = enterprise_directory(EnterpriseFilters(q=term)).values_list("pk", flat=True)
        assert sorted(found) == sorted(f.pk for f in picked)
