"""The `__among` lookup (weft/core/lookups.py): `__in` with the ids sent as one parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weft.registry.models import Enterprise

from .factories import make_enterprise

pytestmark = pytest.mark.django_db


def test_among_finds_the_same_rows_as_in_with_one_parameter():
    firms = [make_enterprise(name_zh=f"东莞市虎门镇第{i}制衣有限公司") for i in range(5)]
    wanted = {firms[0].pk, firms[3].pk, 10**9}  # an id nobody has is simply not found
    with CaptureQueriesContext(connection) as queries:
        found = set(Enterprise.objects.filter(pk__among=wanted).values_list("pk", flat=True))
    assert found == {firms[0].pk, firms[3].pk}
    assert found == set(Enterprise.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    sql = queries.captured_queries[0]["sql"]
    assert ("= ANY(" if connection.vendor == "postgresql" else "json_each(") in sql
    assert Enterprise.objects.filter(pk__among=[]).count() == 0


def test_among_on_a_foreign_key_in_a_join_an_update_and_a_delete():
    a, b, c = (make_enterprise(name_zh=f"东莞市虎门镇{n}服饰有限公司") for n in "甲乙丙")
    through = Enterprise.stages.through
    rows = through.objects.filter(enterprise_id__among=[a.pk, c.pk]).values_list(
        "enterprise_id", "chainstage__code"
    )
    assert sorted(rows) == sorted([(a.pk, "garment_making"), (c.pk, "garment_making")])
    Enterprise.objects.filter(pk__among=[b.pk]).update(employees=77)
    assert list(Enterprise.objects.filter(employees=77).values_list("pk", flat=True)) == [b.pk]
    through.objects.filter(enterprise_id__among={a.pk}).delete()
    assert set(through.objects.values_list("enterprise_id", flat=True)) >= {b.pk, c.pk}
    assert not through.objects.filter(enterprise_id=a.pk).exists()


def test_among_refuses_what_is_not_an_id():
    with pytest.raises(TypeError, match="integer ids"):
        list(Enterprise.objects.filter(pk__among=["虎门"]))
