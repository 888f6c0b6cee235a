"""Talent forms explain their fields in the reader's language."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def form_page(user, url, lang):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "url", "zh", "en"),
    [
        (
            "firm_member",
            "/talent/me/",
            "本人自述的工作经历。",
            "Work history in the person's words.",
        ),
        (
            "firm_member",
            "/talent/me/",
            "本人居住或工作所在的集群。",
            "The cluster the person lives or works in.",
        ),
        ("firm_admin", "/talent/jobs/new/", "招聘人数。", "How many people are wanted."),
        ("firm_admin", "/talent/jobs/new/", "元/月。", "Yuan/month."),
        ("humen_office", "/talent/courses/new/", "每人费用（元）。", "Fee per person in yuan."),
        (
            "humen_office",
            "/talent/courses/new/",
            "例如：服装设计、制版、印染工艺。",
            "e.g. garment design",
        ),
        ("humen_office", "/talent/courses/new/", "线下授课时的地址。", "Address when on site."),
    ],
)
def test_help_texts_in_the_readers_language(world, who, url, zh, en):
    user = getattr(world, who)
    chinese = form_page(user, url, "zh-hans")
    assert zh in chinese and en not in chinese
    english = form_page(user, url, "en")
    assert en in english and zh not in english
