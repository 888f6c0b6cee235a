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
