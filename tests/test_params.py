"""Ids, whole numbers and years read from a form's POST or a query string."""

import pytest
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.test import Client
from django.utils import translation

from weft.core.params import MAX_ID, id_param, int_param, parse_id, year_param


def q(value) -> QueryDict:
    data = QueryDict(mutable=True)
    if value is not None:
        data["x"] = value
    return data


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (None, None),
        ("", None),
        ("abc", None),
        ("1e9", None),
        ("-1", None),
        ("+1", None),
        ("0", None),
        ("4.0", None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits: str.isdigit says yes, a database id says no
        (str(MAX_ID + 1), None),
        ("1\n", 1),
        ("1 2", None),
    ],
)
def test_id_param(value, expected):
    assert id_param(q(value), "x") == expected


def test_parse_id_reads_a_bare_value_as_id_param_does():
    assert parse_id(" 12 ") == 12
    assert parse_id("²") is parse_id(str(MAX_ID + 1)) is parse_id(None) is None


def test_id_param_takes_plain_dicts_with_numbers():
    assert id_param({"x": 5}, "x") == 5
    assert id_param({"x": 0}, "x") is None
    assert id_param({}, "x") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5), ("-1", -1), ("+3", 3), (" 0 ", 0), ("", None), ("1e9", None), ("4.5", None)],
)
def test_int_param(value, expected):
    assert int_param(q(value), "x") == expected


def test_int_param_refuses_absurdly_long_numbers():
    assert int_param(q("9" * 5000), "x") is None


@translation.override("en")
def test_year_param():
    assert year_param(q(None), 2024, "x") == 2024
    assert year_param(q(" "), None, "x") is None
    assert year_param(q("2019"), 2024, "x") == 2019
    for bad in ("abc", "-1", "0", "999", "20240", "1e3"):
        with pytest.raises(BadRequest, match="is not a year"):
            year_param(q(bad), 2024, "x")


def test_a_400_for_a_bad_host_says_nothing_about_it(db, settings):
    settings.ALLOWED_HOSTS = ["weft.test"]
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "evil.example" not in body and "Request not understood" in body
