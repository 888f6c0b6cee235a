"""JSON text written in bulk reads back as the standard library would have written it."""

import json

import pytest

from weft.core.jsontext import json_text


@pytest.mark.parametrize(
    "value",
    [
        {
            "name_zh": ["东莞市虎门镇富民服装厂", "东莞市虎门镇富民服装有限公司"],
            "employees": [None, 120],
        },
        {"stages": {"user": 3, "at": "2026-11-24T03:00:00+00:00", "import": 7}},
        ['引号 " 反斜杠 \\ 换行 \n', 1.5, True, None, -0.0],
        {},
    ],
)
def test_reads_back_as_json_dumps_wrote_it(value):
    assert json.loads(json_text(value)) == json.loads(json.dumps(value))


def test_keys_that_are_not_strings_become_strings():
    assert json.loads(json_text({12: "a", "b": 1})) == {"12": "a", "b": 1}


def test_chinese_stays_readable():
    assert json_text({"城市": "东莞"}) == '{"城市":"东莞"}'
