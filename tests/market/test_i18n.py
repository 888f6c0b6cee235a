"""The marketplace names clusters in the reader's language."""

import re
from html import unescape

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def cluster_options(lang) -> dict[str, str]:
    html = Client(HTTP_ACCEPT_LANGUAGE=lang).get("/market/").content.decode()
    select = re.search(r'<select name="cluster".*?</select>', html, re.S).group(0)
    return {
        int(pk): unescape(label)
        for pk, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)
    }


def test_cluster_filter_in_the_readers_language(clusters):
    en, zh = cluster_options("en"), cluster_options("zh-hans")
    assert set(en) == set(zh) == {c.pk for c in clusters.values()}  # values stay the ids
    for cluster in clusters.values():
        assert en[cluster.pk] == cluster.name_en
        assert zh[cluster.pk] == cluster.name_zh
