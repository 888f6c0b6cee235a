"""Site-wide translation checks: the frame and the catalogues."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_language_switcher_names_each_language_in_itself(lang):
    html = Client(HTTP_ACCEPT_LANGUAGE=lang).get("/").content.decode()
    select = re.search(r'<select id="lang-select".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)" lang="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert options == [("zh-hans", "zh-Hans", "简体中文"), ("en", "en", "English")]
    assert "英语" not in select and "Simplified Chinese" not in select
