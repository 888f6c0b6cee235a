"""Events permission matrix: every rule, endpoint and page × the roles of the shared matrix.

"own" is Humen's (its competition, judged by the Humen firm's plain member, with an entry by the
Keqiao firm's admin; its office; its news), "foreign" Keqiao's.
"""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from tests.talent.conftest import png_upload
from tests.test_permission_matrix import ROLES, N, Y, url_patterns
from weft.accounts.permissions import RULES, can, publish_events_q
from weft.events import services
from weft.events.models import Event, NewsPost, RegionalBrand, Score
from weft.registry.models import Cluster

from ..matrix import api_operations, post_as_each_role, post_pages
from .conftest import at, make_event

pytestmark = pytest.mark.django_db
LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND = "login", 200, 302, 403, 404


@pytest.fixture
def m(world):
    users = {role: getattr(world, role, None) for role in ROLES}
    users["anonymous"] = AnonymousUser()
    contest = make_event(world.humen, kind="competition", title="虎门杯")
    contest.judges.add(world.firm_member)
    entry = services.submit_entry(
        user=world.other_firm_admin, event=contest, title="霓裳", statement="", upload=png_upload()
    )
    news = services.post_news(
        user=world.humen_office, org=world.humen.office, cluster=world.humen, title="新闻", body="b"
    )
    objects = {
        "cluster": {"own": world.humen, "foreign": world.keqiao},
        "event": {"own": contest, "foreign": make_event(world.keqiao, title="柯桥展")},
        "entry": {"own": entry},
        "org": {
            "own": world.humen.office,
            "foreign": world.keqiao.office,
            "firm": world.firm_org,
            "operator": world.operator.memberships.get().organisation,
        },
        "news": {"own": news},
    }
    return users, objects


RULE_OBJECTS = {
    "events.publish": "cluster",
    "events.manage": "event",
    "events.enter": "event",
    "events.judge": "event",
    "events.view_entry": "entry",
    "events.post_news": "org",
    "events.manage_brand": "cluster",
}

# fmt: off
CAN_GRID = {
    #                                      anon member admin other h_off k_off oper
    ("events.publish", "own"):             (N,  N,     N,    N,    Y,    N,    Y),
    ("events.publish", "foreign"):         (N,  N,     N,    N,    N,    Y,    Y),
    ("events.manage", "own"):              (N,  N,     N,    N,    Y,    N,    Y),
    ("events.manage", "foreign"):          (N,  N,     N,    N,    N,    Y,    Y),
    ("events.enter", "own"):               (N,  Y,     Y,    Y,    Y,    Y,    Y),
    ("events.enter", "foreign"):           (N,  N,     N,    N,    N,    N,    N),  # an exhibition
    ("events.judge", "own"):               (N,  Y,     N,    N,    N,    N,    N),
    ("events.view_entry", "own"):          (N,  Y,     N,    Y,    Y,    N,    Y),
    ("events.post_news", "own"):           (N,  N,     N,    N,    Y,    N,    Y),
    ("events.post_news", "foreign"):       (N,  N,     N,    N,    N,    Y,    Y),
    ("events.post_news", "firm"):          (N,  N,     N,    N,    N,    N,    N),  # news is no firm's
    ("events.post_news", "operator"):      (N,  N,     N,    N,    N,    N,    Y),
    ("events.manage_brand", "own"):        (N,  N,     N,    N,    Y,    N,    Y),
    ("events.manage_brand", "foreign"):    (N,  N,     N,    N,    N,    Y,    Y),
}
# fmt: on


def test_every_events_rule_is_in_the_matrix():
    rules = {r for r in RULES if r.startswith("events.")}
    assert rules == {a for a, _o in CAN_GRID} == set(RULE_OBJECTS)


@pytest.mark.parametrize(("action", "obj"), sorted(CAN_GRID))
def test_can(m, action, obj):
    users, objects = m
    target = objects[RULE_OBJECTS[action]][obj]
    assert tuple(can(users[r], action, target) for r in ROLES) == CAN_GRID[(action, obj)]


# The clusters the event form offers (`publish_events_q`): exactly those `events.publish` allows.
# fmt: off
PUBLISH_CLUSTERS_GRID = {
    #            anon member admin other h_off k_off oper
    "own":      (N,  N,     N,    N,    Y,    N,    Y),
    "foreign":  (N,  N,     N,    N,    N,    Y,    Y),
}
# fmt: on


@pytest.mark.parametrize("obj", sorted(PUBLISH_CLUSTERS_GRID))
def test_event_form_offers_the_clusters_events_publish_allows(m, obj):
    users, objects = m
    cluster = objects["cluster"][obj]
    got = tuple(
        Cluster.objects.filter(publish_events_q(users[role]), pk=cluster.pk).exists()
        for role in ROLES
    )
    assert got == PUBLISH_CLUSTERS_GRID[obj], dict(zip(ROLES, got, strict=True))
    assert got == tuple(can(users[role], "events.publish", cluster) for role in ROLES)


# fmt: off
API_GRID = {
    #                                  anon member admin other h_off k_off oper
    ("GET /events", "-"):              (200, 200,  200,  200,  200,  200,  200),
    ("GET /events/{event_id}", "own"): (200, 200,  200,  200,  200,  200,  200),
    ("POST /events", "own"):           (401, 403,  403,  403,  201,  403,  201),
    ("POST /events", "foreign"):       (401, 403,  403,  403,  403,  201,  201),
    ("GET /news", "-"):                (200, 200,  200,  200,  200,  200,  200),
    ("POST /news", "own"):             (401, 403,  403,  403,  201,  403,  201),
    ("POST /news", "foreign"):         (401, 403,  403,  403,  403,  201,  201),
}
# fmt: on


def test_every_events_api_operation_is_in_the_matrix():
    documented = api_operations("events")
    assert documented == {op for op, _o in API_GRID}


@pytest.mark.parametrize(("operation", "obj"), sorted(API_GRID))
def test_api(m, operation, obj):
    users, objects = m
    for role, expected in zip(ROLES, API_GRID[(operation, obj)], strict=True):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(users[role])
        method, path = operation.split(" ", 1)
        url = "/api/v1" + path.format(
            event_id=objects["event"].get(obj, objects["event"]["own"]).pk
        )
        if method == "GET":
            response = client.get(url)
        else:
            if path == "/events":
                body = {
                    "cluster_id": objects["cluster"][obj].pk,
                    "kind": "forum",
                    "title": "矩阵论坛",
                    "starts_at": at(3).isoformat(),
                    "ends_at": at(3, 17).isoformat(),
                }
            else:
                body = {"organisation_id": objects["org"][obj].pk, "title": "矩阵新闻", "body": "b"}
            response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == expected, (role, response.content[:300])
        if expected >= 400:
            assert {"code", "message", "details"} <= set(response.json())
        for model, title in ((Event, "矩阵论坛"), (NewsPost, "矩阵新闻")):
            made = model.objects.filter(title=title)
            if made.exists():
                assert expected == 201, role
                made.delete()


PAGES = {
    "events:calendar": ("get", None),
    "events:ical": ("get", None),
    "events:new": ("get", None),
    "events:detail": ("get", "event"),
    "events:enter": ("post", "event"),
    "events:judging": ("get", "event"),
    "events:publish_results": ("post", "event"),
    "events:entry_image": ("get", "entry"),
    "events:news_list": ("get", None),
    "events:news_new": ("get", None),
    "events:news_detail": ("get", "news"),
    "events:brand": ("get", "cluster"),
    "events:brand_edit": ("get", "cluster"),
}

# fmt: off
PAGE_GRID = {
    #                                      anon   member     admin      other      h_off      k_off      oper
    ("events:calendar", "-"):              (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("events:ical", "-"):                  (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("events:new", "-"):                   (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       OK,        OK),
    ("events:detail", "own"):              (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("events:enter", "own"):               (LOGIN, REDIRECT, REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("events:judging", "own"):             (LOGIN, OK,       FORBIDDEN, FORBIDDEN, OK,        FORBIDDEN, OK),
    ("events:publish_results", "own"):     (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ("events:entry_image", "own"):         (NOT_FOUND, OK,   NOT_FOUND, OK,        OK,        NOT_FOUND, OK),
    ("events:news_list", "-"):             (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("events:news_new", "-"):              (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       OK,        OK),
    ("events:news_detail", "own"):         (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("events:brand", "own"):               (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("events:brand_edit", "own"):          (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       FORBIDDEN, OK),
    ("events:brand_edit", "foreign"):      (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       OK),
}
# fmt: on


def test_every_events_page_is_in_the_matrix():
    pages = {name for _r, name in url_patterns() if (name or "").startswith("events:")}
    assert pages == set(PAGES) == {name for name, _o in PAGE_GRID}


@pytest.mark.parametrize(("name", "obj"), sorted(PAGE_GRID))
def test_page(m, name, obj):
    users, objects = m
    method, kind = PAGES[name]
    for role, expected in zip(ROLES, PAGE_GRID[(name, obj)], strict=True):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(users[role])
        if kind is None:
            url = reverse(name)
        elif kind == "cluster":
            url = reverse(name, kwargs={"slug": objects["cluster"][obj].slug})
        else:
            url = reverse(name, kwargs={"pk": objects[kind][obj].pk})
        if method == "get":
            response = client.get(url)
        else:
            data = {"title": "矩阵作品", "image": png_upload()} if name == "events:enter" else {}
            response = client.post(url, data)
        if expected == LOGIN:
            assert response.status_code == 302 and "/login/" in response["Location"], role
            continue
        assert response.status_code == expected, (role, url, response.status_code)
    if name == "events:publish_results":
        assert (
            not objects["event"]["own"]
            .__class__.objects.get(pk=objects["event"]["own"].pk)
            .results_published
        )


# --- POSTs of the form pages ---------------------------------------------------------------------
#
# The write of each page that shows a form (its GET is in PAGE_GRID), with valid data. "own" and
# "foreign" are the cluster (or its office) chosen in the form, or the event judged.
#   DONE      302 and the write is in the database
#   REDIRECT  302 back with a message, nothing written
#   OK        the form shown again with the refusal, nothing written
#   LOGIN / FORBIDDEN: refused, nothing written
DONE = "done"


def _when(days, hour):
    return at(days, hour).strftime("%Y-%m-%dT%H:%M")


FORM_POSTS = {
    "events:new": (
        None,
        lambda o, obj: {
            "cluster": o["cluster"][obj].pk,
            "kind": "forum",
            "title": "矩阵论坛",
            "summary": "",
            "place": "会场",
            "starts_at": _when(5, 9),
            "ends_at": _when(5, 17),
        },
        lambda o, obj: Event.objects.filter(title="矩阵论坛").exists(),
    ),
    "events:news_new": (
        None,
        lambda o, obj: {"org": o["org"][obj].pk, "title": "矩阵新闻", "body": "正文"},
        lambda o, obj: NewsPost.objects.filter(title="矩阵新闻").exists(),
    ),
    "events:judging": (
        "event",
        lambda o, obj: {"entry": o["entry"][obj].pk, "points": "8", "comment": "矩阵"},
        lambda o, obj: Score.objects.filter(entry=o["entry"][obj]).exists(),
    ),
    "events:brand_edit": (
        "cluster",
        lambda o, obj: {"name": "矩阵品牌", "story": "故事", "trademark": ""},
        lambda o, obj: RegionalBrand.objects.filter(
            cluster=o["cluster"][obj], name="矩阵品牌"
        ).exists(),
    ),
}

# fmt: off
FORM_POST_GRID = {
    #                                      anon   member     admin      other      h_off      k_off      oper
    ("events:new", "own"):                 (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,     FORBIDDEN, DONE),
    ("events:new", "foreign"):             (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,     DONE),
    # The page offers each office its own organisation, the operator the operator's.
    ("events:news_new", "own"):            (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,     OK,        OK),
    ("events:news_new", "foreign"):        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       DONE,      OK),
    ("events:news_new", "operator"):       (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       OK,        DONE),
    # The organiser sees the judging but only the judges (the Humen firm's member) score.
    ("events:judging", "own"):             (LOGIN, DONE,      FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("events:brand_edit", "own"):          (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,     FORBIDDEN, DONE),
    ("events:brand_edit", "foreign"):      (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,     DONE),
}
# fmt: on


def test_every_events_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    posted = {name for name, (method, _kind) in PAGES.items() if method == "post"}
    posted |= {name for name, _o in FORM_POST_GRID}
    assert set(FORM_POSTS) == {name for name, _o in FORM_POST_GRID}
    assert post_pages("events") == posted


@pytest.mark.parametrize(("name", "obj"), sorted(FORM_POST_GRID))
def test_form_post(m, name, obj):
    users, objects = m
    kind, data, written = FORM_POSTS[name]
    if kind is None:
        url = reverse(name)
    elif kind == "cluster":
        url = reverse(name, kwargs={"slug": objects["cluster"][obj].slug})
    else:
        url = reverse(name, kwargs={"pk": objects[kind][obj].pk})
    got = post_as_each_role(
        users, ROLES, url, lambda: data(objects, obj), lambda: written(objects, obj)
    )
    assert got == FORM_POST_GRID[(name, obj)], dict(zip(ROLES, got, strict=True))
