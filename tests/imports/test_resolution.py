"""Entity resolution: keys, rules, and the labelled test set's precision and recall."""

import pytest

from weft.imports.resolution import Index, Record, resolve
from weft.imports.testset import build, evaluate
from weft.registry.naming import match_key


@pytest.mark.parametrize(
    ("name", "adcode", "key"),
    [
        ("东莞市虎门镇丽人制衣有限公司", "441900", "丽人制衣"),
        ("丽人制衣（东莞）有限责任公司", "441900", "丽人制衣"),
        ("丽人制衣厂", "441900", "丽人制衣"),
        ("ＡＢＣ服饰有限公司", "441900", "abc服饰"),
        ("绍兴柯桥锦绣纺织有限公司", "330603", "锦绣纺织"),
        ("浙江锦绣纺织股份有限公司", "330603", "锦绣纺织"),
        # Trade names that are counties elsewhere stay: 新昌 is in Shaoxing, not in Foshan.
        ("佛山新昌织造厂", "440605", "新昌织造"),
        ("成华面料（苏州）有限公司", "320581", "成华面料"),
        # Without a location only full division names are taken off.
        ("广东省锦绣服装厂", "", "锦绣服装"),
        ("嘉兴纺织有限公司", "", "嘉兴纺织"),
        ("广州市番禺区沙湾镇锦绣服装厂", "440113", "锦绣服装"),
    ],
)
def test_match_key(name, adcode, key):
    assert match_key(name, adcode) == key


def known(id_, name, address, adcode="441900", uscc=None):
    return Record(id_, uscc, name, address, adcode)


def test_rules_in_order():
    a = known(
        1, "东莞市虎门镇丽人制衣有限公司", "广东省东莞市虎门镇连升路1号", uscc="91441900MA0000001X"
    )
    index = Index(preload=[a])
    same_code = resolve(Record(0, "91441900MA0000001X", "完全不同的名字", "", "330603"), index)
    assert (same_code.reason, same_code.action, same_code.candidate) == ("uscc", "merge", a)
    by_name = resolve(
        Record(0, None, "丽人制衣（东莞）有限公司", "东莞市虎门镇太平路9号", "441900"), index
    )
    assert (by_name.reason, by_name.action) == ("name_county", "merge")
    # Different valid codes: different firms, however alike the names.
    other_code = resolve(
        Record(0, "91441900MA0000002X", "东莞市虎门镇丽人制衣有限公司", "", "441900"), index
    )
    assert other_code.action == "new"
    near = resolve(
        Record(0, None, "东莞市虎门镇丽仁制衣有限公司", "广东省东莞市虎门镇连升路1号", "441900"),
        index,
    )
    assert near.reason == "fuzzy" and near.action == "review" and 72 <= near.score < 90
    far = resolve(
        Record(0, None, "东莞市虎门镇远航制衣有限公司", "广东省东莞市虎门镇银龙路5号", "441900"),
        index,
    )
    assert far.action == "new"


def test_labelled_set_precision_and_recall():
    pairs = build(seed=7)
    assert len(pairs) >= 2000
    kinds = {p.kind for p in pairs}
    assert {"typo", "full_width", "other_county", "moved_same_county", "missing_uscc"} <= kinds
    result = evaluate(pairs)
    assert result.precision >= 0.99, result.by_kind
    assert result.recall >= 0.95, result.by_kind
    # Near-identical names in other counties are never merged without a person.
    assert result.by_kind["other_county"]["merge"] == 0


def test_thresholds_are_settings(settings):
    settings.WEFT_MATCH_AUTO = 80
    a = known(1, "东莞市虎门镇丽人制衣有限公司", "广东省东莞市虎门镇连升路1号")
    near = resolve(
        Record(0, None, "东莞市虎门镇丽仁制衣有限公司", "广东省东莞市虎门镇连升路1号", "441900"),
        Index(preload=[a]),
    )
    assert near.action == "merge"
