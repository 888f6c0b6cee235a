"""Geocoding by administrative part: the same places as locating each address whole."""

from weft.imports import validation
from weft.imports.validation import PlaceCache
from weft.registry.geocoding import geocode_many

ADDRESSES = [
    "广东省东莞市虎门镇连升路8号",
    "广东省东莞市虎门镇银龙路9号",
    "浙江省绍兴市柯桥区钱陶公路1号",
    "浙江省嘉兴市海宁市海州路10号",
    "江苏省苏州市常熟市碧溪街道锦绣路17号",
    "浙江省台州市路桥区路桥街道1号",  # 路 inside a district's name
    "新疆维吾尔自治区乌鲁木齐市天山区解放路1号",  # 区 of an autonomous region is no district
    "湖北省长阳土家族自治县龙舟坪镇",
    "江苏省苏州工业园区星湖街328号",  # a park, not a county: located whole
    "山东省滨州市发展大道305号",  # city only: located whole
    "虎门镇连升路",
    "某某乡下",
    "not an address",
]


def test_same_places_as_whole_addresses_and_each_part_located_once(monkeypatch):
    calls = []
    real = validation.geocode_many

    def counting(addresses):
        calls.append(list(addresses))
        return real(addresses)

    monkeypatch.setattr(validation, "geocode_many", counting)
    cache = PlaceCache()
    assert cache.locate(ADDRESSES) == geocode_many(ADDRESSES)
    # Both 虎门镇 addresses share one part, located once; a second batch locates nothing new
    # for the parts already known to be counties.
    assert sum(a.startswith("广东省东莞市虎门镇") for a in calls[0]) == 1
    calls.clear()
    again = ["广东省东莞市虎门镇新路1号", "浙江省绍兴市柯桥区新路2号"]
    assert cache.locate(again) == geocode_many(again)
    assert calls == []
