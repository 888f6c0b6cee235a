import pytest

from weft.registry.selectors import EnterpriseFilters, enterprise_directory

pytestmark = pytest.mark.django_db


def test_chinese_substring_finds_town_in_address_and_not_reversed(world):
    names = {e.name_zh for e in enterprise_directory(EnterpriseFilters(q="虎门"))}
    assert names == {"东莞市虎门镇丽人制衣有限公司"}
    assert not enterprise_directory(EnterpriseFilters(q="门虎")).exists()


def test_filters_combine_with_search(world):
    assert (
        enterprise_directory(EnterpriseFilters(q="纺织", stage="weaving", province="浙江")).count()
        == 1
    )
    assert (
        enterprise_directory(EnterpriseFilters(q="纺织", stage="weaving", province="广东")).count()
        == 0
    )
    assert enterprise_directory(EnterpriseFilters(cluster=world.humen.pk)).count() == 1
