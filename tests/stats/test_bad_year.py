"""Statistics pages asked for a year that is no year: a 400 page that says what a year looks
like, never a 500 and never quietly another year's figures."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _urls(world):
    slug = world.humen.slug
    return [
        reverse("stats:national"),
        reverse("stats:compare") + f"?c={slug}",
        reverse("stats:cluster", args=[slug]),
        reverse("stats:report", args=[slug]),
        reverse("stats:national_report"),
        reverse("stats:download_ranking", args=["csv"]),
    ]


@pytest.mark.parametrize("year", ["abc", "1e9", "-1", "0", "20240", "2024.5", "²", "9" * 30])
def test_a_year_that_is_no_year_is_400_saying_so(world, year):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for url in _urls(world):
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}year={year}")
        assert response.status_code == 400, (url, year)
        body = response.content.decode()
        assert "is not a year: give four digits, such as 2024." in body, (url, body[:300])


def test_the_message_is_in_the_readers_language(world):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("stats:national") + "?year=abc")
    assert response.status_code == 400
    assert "不是有效的年份：请填写四位数字，如 2024。" in response.content.decode()


def test_no_year_or_a_year_without_figures_is_still_a_page(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for url in _urls(world):
        sep = "&" if "?" in url else "?"
        assert client.get(url).status_code == 200, url
        assert client.get(f"{url}{sep}year=").status_code == 200, url
        assert client.get(f"{url}{sep}year=1999").status_code == 200, url
