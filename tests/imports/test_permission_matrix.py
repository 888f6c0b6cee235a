"""Imports permission matrix: every rule, API operation and page × role × own/foreign object.

Roles as in tests/test_permission_matrix.py. "own" is Humen's (a Humen import, its potential
match, the Humen cluster), "foreign" Keqiao's; "-" means no object.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import URLResolver, get_resolver, reverse

from weft.accounts.permissions import RULES, can
from weft.core.api import api  # noqa: F401 - registers the routers first (import order)
from weft.imports import services
from weft.imports.api import router
from weft.imports.models import ImportJob, MatchDecision

from ..matrix import post_pages, row_counts
from .files import firm_row, xlsx

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "firm_member",
    "firm_admin",
    "other_firm_admin",
    "humen_office",
    "keqiao_office",
    "operator",
)
Y, N = True, False


def expand(grid):
    out = {}
    for (action, obj), values in grid.items():
        assert len(values) == len(ROLES)
        for role, value in zip(ROLES, values, strict=True):
            out[(role, action, obj)] = value
    return out


@pytest.fixture
def m(world):
    users = {role: getattr(world, role, None) for role in ROLES}
    users["anonymous"] = AnonymousUser()
    objects = {"cluster": {"own": world.humen, "foreign": world.keqiao, "-": None}}
    jobs, decisions, merged = {}, {}, {}
    for side, cluster, office, firm in (
        ("own", world.humen, world.humen_office, world.firm),
        ("foreign", world.keqiao, world.keqiao_office, world.other_firm),
    ):
        job = services.create_job(
            user=office, upload=SimpleUploadedFile("l.xlsx", xlsx([firm_row()])), cluster=cluster
        )
        jobs[side] = job
        decisions[side] = MatchDecision.objects.create(
            job=job,
            row=2,
            incoming={"name_zh": firm.name_zh + "坊", "main_products": "矩阵"},
            candidate=firm,
            score=80,
            reason="fuzzy",
            outcome="pending",
        )
        merged[side] = MatchDecision.objects.create(
            job=job,
            row=3,
            incoming={"name_zh": firm.name_zh},
            candidate=firm,
            enterprise=firm,
            score=100,
            reason="uscc",
            outcome="merged",
            changes={},
        )
    objects.update(job=jobs, decision=decisions, merged=merged)
    return {"users": users, "objects": objects, "world": world}


# --- 1. can(...) ---------------------------------------------------------------------------------
RULE_OBJECTS = {
    "imports.import_enterprises": "cluster",
    "imports.view_import": "job",
    "imports.decide_match": "decision",
    "imports.undo_merge": "merged",
    "imports.export_directory": None,
}
# fmt: off
CAN_GRID = {
    #                                           anon member admin other h_off k_off oper
    ("imports.import_enterprises", "own"):     (N,   N,     N,    N,    Y,    N,    Y),
    ("imports.import_enterprises", "foreign"): (N,   N,     N,    N,    N,    Y,    Y),
    ("imports.import_enterprises", "-"):       (N,   N,     N,    N,    N,    N,    Y),  # whole registry
    ("imports.view_import", "own"):            (N,   N,     N,    N,    Y,    N,    Y),
    ("imports.view_import", "foreign"):        (N,   N,     N,    N,    N,    Y,    Y),
    ("imports.decide_match", "own"):           (N,   N,     N,    N,    Y,    N,    Y),
    ("imports.decide_match", "foreign"):       (N,   N,     N,    N,    N,    Y,    Y),
    ("imports.undo_merge", "own"):             (N,   N,     N,    N,    N,    N,    Y),
    ("imports.undo_merge", "foreign"):         (N,   N,     N,    N,    N,    N,    Y),
    ("imports.export_directory", "-"):         (N,   Y,     Y,    Y,    Y,    Y,    Y),
}
# fmt: on
CAN = expand(CAN_GRID)


def test_every_imports_rule_is_in_the_matrix():
    rules = {r for r in RULES if r.startswith("imports.")}
    assert rules == {a for a, _o in CAN_GRID} == set(RULE_OBJECTS)


@pytest.mark.parametrize(("role", "action", "obj"), sorted(CAN))
def test_can(m, role, action, obj):
    kind = RULE_OBJECTS[action]
    target = None if kind is None else m["objects"][kind][obj]
    assert can(m["users"][role], action, target) is CAN[(role, action, obj)]


# --- 2. API ---------------------------------------------------------------------------------------
# fmt: off
API_GRID = {
    #                                                    anon member admin other h_off k_off oper
    ("POST /imports", "own"):                           (401, 403,  403,  403,  201,  403,  201),
    ("POST /imports", "foreign"):                       (401, 403,  403,  403,  403,  201,  201),
    ("POST /imports", "-"):                             (401, 403,  403,  403,  403,  403,  201),
    ("GET /imports/{job_id}", "own"):                   (401, 404,  404,  404,  200,  404,  200),
    ("GET /imports/{job_id}", "foreign"):               (401, 404,  404,  404,  404,  200,  200),
    ("POST /imports/{job_id}/start", "own"):            (401, 404,  404,  404,  200,  404,  200),
    ("POST /imports/{job_id}/start", "foreign"):        (401, 404,  404,  404,  404,  200,  200),
    ("GET /imports/{job_id}/report.xlsx", "own"):       (401, 404,  404,  404,  200,  404,  200),
    ("GET /imports/{job_id}/report.xlsx", "foreign"):   (401, 404,  404,  404,  404,  200,  200),
    ("GET /imports/{job_id}/matches", "own"):           (401, 404,  404,  404,  200,  404,  200),
    ("GET /imports/{job_id}/matches", "foreign"):       (401, 404,  404,  404,  404,  200,  200),
    ("POST /matches/{decision_id}/confirm", "own"):     (401, 404,  404,  404,  200,  404,  200),
    ("POST /matches/{decision_id}/confirm", "foreign"): (401, 404,  404,  404,  404,  200,  200),
    ("POST /matches/{decision_id}/reject", "own"):      (401, 404,  404,  404,  200,  404,  200),
    ("POST /matches/{decision_id}/reject", "foreign"):  (401, 404,  404,  404,  404,  200,  200),
    ("POST /matches/{decision_id}/undo", "own"):        (401, 404,  404,  404,  403,  404,  200),
    ("POST /matches/{decision_id}/undo", "foreign"):    (401, 404,  404,  404,  404,  403,  200),
    ("GET /enterprises/export", "-"):                   (401, 200,  200,  200,  200,  200,  200),
}
# fmt: on
API_EXPECTED = expand(API_GRID)


def test_every_imports_api_operation_is_in_the_matrix():
    documented = set()
    for path, view in router.path_operations.items():
        for operation in view.operations:
            for method in operation.methods:
                route = "/" + path.lstrip("/")
                route = route.replace("<int:", "{").replace("<", "{").replace(">", "}")
                documented.add(f"{method} {route}")
    assert documented == {op for op, _o in API_GRID}


@pytest.mark.parametrize(("role", "operation", "obj"), sorted(API_EXPECTED))
def test_api(m, role, operation, obj):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(m["users"][role])
    method, path = operation.split(" ", 1)
    objects = m["objects"]
    job = objects["job"].get(obj)
    decision = (objects["merged"] if path.endswith("/undo") else objects["decision"]).get(obj)
    url = "/api/v1" + path.format(
        job_id=getattr(job, "pk", 0), decision_id=getattr(decision, "pk", 0)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        if operation == "POST /imports":
            cluster = objects["cluster"][obj]
            data = {"file": SimpleUploadedFile("l.xlsx", xlsx([firm_row()]))}
            if cluster is not None:
                data["cluster"] = cluster.pk
            response = client.post(url, data)
        elif path.endswith("/start"):
            response = client.post(
                url, {"mapping": {"0": "name_zh"}}, content_type="application/json"
            )
        elif method == "POST":
            response = client.post(url)
        else:
            response = client.get(url)
    expected = API_EXPECTED[(role, operation, obj)]
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert {"code", "message", "details"} <= set(response.json())
    if path.endswith("/confirm") or path.endswith("/reject"):
        outcome = MatchDecision.objects.get(pk=decision.pk).outcome
        assert (outcome != "pending") is (expected == 200)


# --- 3. pages -------------------------------------------------------------------------------------
LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND = "login", 200, 302, 403, 404
# fmt: off
PAGE_GRID = {
    #                                 anon   member     admin      other      h_off      k_off      oper
    ("imports:list", "-"):           (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,        OK,        OK),
    ("imports:template", "-"):       (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("imports:review_all", "-"):     (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("imports:detail", "own"):       (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, OK),
    ("imports:detail", "foreign"):   (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        OK),
    ("imports:progress", "own"):     (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, OK),
    ("imports:progress", "foreign"): (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        OK),
    ("imports:start", "own"):        (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT,  NOT_FOUND, REDIRECT),
    ("imports:start", "foreign"):    (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT,  REDIRECT),
    ("imports:review", "own"):       (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, OK),
    ("imports:review", "foreign"):   (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        OK),
    ("imports:decide", "own"):       (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT,  NOT_FOUND, REDIRECT),
    ("imports:decide", "foreign"):   (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT,  REDIRECT),
}
# fmt: on
PAGE_EXPECTED = expand(PAGE_GRID)
POST_ONLY = ("imports:start", "imports:decide")  # rows above that are POSTs


def test_every_imports_page_is_in_the_matrix():
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "imports":
            names |= {f"imports:{p.name}" for p in pattern.url_patterns}
    assert names == {n for n, _o in PAGE_GRID}


@pytest.mark.parametrize(("role", "name", "obj"), sorted(PAGE_EXPECTED))
def test_page(m, role, name, obj):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(m["users"][role])
    job = m["objects"]["job"].get(obj)
    decision = m["objects"]["decision"].get(obj)
    kwargs = {}
    if name in ("imports:detail", "imports:progress", "imports:start", "imports:review"):
        kwargs = {"pk": job.pk}
    elif name == "imports:decide":
        kwargs = {"decision_id": decision.pk, "action": "confirm"}
    url = reverse(name, kwargs=kwargs)
    with TestCase.captureOnCommitCallbacks(execute=True):
        posted = name in POST_ONLY
        response = client.post(url, {"col-0": "name_zh"}) if posted else client.get(url)
    expected = PAGE_EXPECTED[(role, name, obj)]
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    assert response.status_code == expected, (url, response.status_code)
    if name == "imports:detail" and expected == OK:
        assert job.original_name in response.content.decode()
    if name == "imports:decide":
        outcome = MatchDecision.objects.get(pk=decision.pk).outcome
        assert (outcome == "confirmed") is (expected == REDIRECT)


# A finished import's page lists its merges, each with its Undo button, to whoever may undo them
# (imports.undo_merge: the operator, whether or not the account is also a superuser).
# fmt: off
UNDO_SHOWN_GRID = {
    #            anon member admin other h_off k_off oper
    "own":      (N,  N,     N,    N,    N,    N,    Y),
    "foreign":  (N,  N,     N,    N,    N,    N,    Y),
}
# fmt: on


@pytest.mark.parametrize("obj", sorted(UNDO_SHOWN_GRID))
def test_finished_import_lists_merges_to_who_may_undo_them(m, obj):
    job, merged = m["objects"]["job"][obj], m["objects"]["merged"][obj]
    job.status = job.Status.DONE
    job.save(update_fields=["status"])
    shown = []
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(m["users"][role])
        page = client.get(reverse("imports:detail", kwargs={"pk": job.pk}))
        shown.append(page.status_code == OK and f'id="match-{merged.pk}"' in page.text)
    assert tuple(shown) == UNDO_SHOWN_GRID[obj], dict(zip(ROLES, shown, strict=True))
    assert tuple(shown) == tuple(can(m["users"][r], "imports.undo_merge", merged) for r in ROLES)


# --- the upload: the POST of the list page --------------------------------------------------------
#
# A valid list posted for a cluster ("own" Humen, "foreign" Keqiao, "-" the whole registry).
#   DONE  302 to the new import and the job is in the database; anything else writes nothing.
DONE = "done"
# fmt: off
POST_GRID = {
    #                                 anon   member     admin      other      h_off      k_off      oper
    ("imports:list", "own"):         (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,      FORBIDDEN, DONE),
    ("imports:list", "foreign"):     (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,      DONE),
    ("imports:list", "-"):           (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE),
}
# fmt: on
POST_EXPECTED = expand(POST_GRID)


def test_every_imports_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    assert post_pages("imports") == set(POST_ONLY) | {name for name, _o in POST_GRID}


@pytest.mark.parametrize(("role", "name", "obj"), sorted(POST_EXPECTED))
def test_upload(m, role, name, obj):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(m["users"][role])
    cluster = m["objects"]["cluster"][obj]
    data = {
        "cluster": cluster.pk if cluster else "",
        "file": SimpleUploadedFile("矩阵名录.xlsx", xlsx([firm_row()])),
    }
    before = row_counts()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse(name), data)
    expected = POST_EXPECTED[(role, name, obj)]
    job = ImportJob.objects.filter(original_name="矩阵名录.xlsx").first()
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif expected == DONE:
        assert response.status_code == 302, response.status_code
        assert job is not None and job.cluster == cluster
        assert response["Location"] == reverse("imports:detail", kwargs={"pk": job.pk})
    else:
        assert response.status_code == expected, response.status_code
    if expected != DONE:
        assert job is None and row_counts() == before
