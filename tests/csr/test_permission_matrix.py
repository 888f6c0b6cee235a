"""Social responsibility permission matrix: answers only to the firm, its cluster office, the
operator and an invited auditor (tested in test_services); every endpoint and page × role.

"own" is the Humen firm's assessment (fully answered, with one evidence file and one planned
action), "foreign" the Keqiao firm's. State-changing calls reset the assessment's status first,
so each role meets the same state.
"""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.test_permission_matrix import ROLES, N, Y, url_patterns
from weft.accounts.models import Membership, Organisation
from weft.accounts.permissions import RULES, can
from weft.csr import services
from weft.csr.models import Assessment, DischargePermit

from ..factories import member_of
from ..matrix import api_operations, post_as_each_role, post_pages
from .conftest import PDF, all_answers

pytestmark = pytest.mark.django_db
LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND = "login", 200, 302, 403, 404


@pytest.fixture
def m(world):
    users = {role: getattr(world, role, None) for role in ROLES}
    users["anonymous"] = AnonymousUser()
    own = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    services.save_answers(user=world.firm_admin, assessment=own, answers=all_answers())
    evidence = services.add_evidence(
        user=world.firm_admin,
        assessment=own,
        question="ms1",
        upload=SimpleUploadedFile("方针.pdf", PDF),
    )
    action = services.add_action(
        user=world.firm_admin,
        assessment=own,
        area="environment",
        action="办理排污许可延续",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    foreign = services.start_assessment(user=world.other_firm_admin, enterprise=world.other_firm)
    objects = {
        "assessment": {"own": own, "foreign": foreign},
        "enterprise": {"own": world.firm, "foreign": world.other_firm},
        "cluster": {"own": world.humen, "foreign": world.keqiao},
        "evidence": {"own": evidence},
        "action": {"own": action},
    }
    return users, objects


RULE_OBJECTS = {
    "csr.start": "enterprise",
    "csr.view": "assessment",
    "csr.edit": "assessment",
    "csr.review": "assessment",
    "csr.manage_permits": "enterprise",
    "csr.view_permits": "enterprise",
    "csr.view_green_firms": "cluster",
}

# fmt: off
CAN_GRID = {
    #                                          anon member admin other h_off k_off oper
    ("csr.start", "own"):                      (N,  N,     Y,    N,    N,    N,    Y),
    ("csr.start", "foreign"):                  (N,  N,     N,    Y,    N,    N,    Y),
    ("csr.view", "own"):                       (N,  Y,     Y,    N,    Y,    N,    Y),
    ("csr.view", "foreign"):                   (N,  N,     N,    Y,    N,    Y,    Y),
    ("csr.edit", "own"):                       (N,  N,     Y,    N,    N,    N,    Y),
    ("csr.edit", "foreign"):                   (N,  N,     N,    Y,    N,    N,    Y),
    ("csr.review", "own"):                     (N,  N,     N,    N,    Y,    N,    Y),
    ("csr.review", "foreign"):                 (N,  N,     N,    N,    N,    Y,    Y),
    ("csr.manage_permits", "own"):             (N,  N,     Y,    N,    Y,    N,    Y),
    ("csr.manage_permits", "foreign"):         (N,  N,     N,    Y,    N,    Y,    Y),
    ("csr.view_permits", "own"):               (N,  Y,     Y,    N,    Y,    N,    Y),
    ("csr.view_permits", "foreign"):           (N,  N,     N,    Y,    N,    Y,    Y),
    ("csr.view_green_firms", "own"):           (N,  N,     N,    N,    Y,    N,    Y),
    ("csr.view_green_firms", "foreign"):       (N,  N,     N,    N,    N,    Y,    Y),
}
# fmt: on


def test_every_csr_rule_is_in_the_matrix():
    assert (
        {r for r in RULES if r.startswith("csr.")} == {a for a, _o in CAN_GRID} == set(RULE_OBJECTS)
    )


@pytest.mark.parametrize(("action", "obj"), sorted(CAN_GRID))
def test_can(m, action, obj):
    users, objects = m
    target = objects[RULE_OBJECTS[action]][obj]
    assert tuple(can(users[r], action, target) for r in ROLES) == CAN_GRID[(action, obj)]


# Status each state-changing operation needs to succeed.
STATE = {"answers": "draft", "submit": "draft", "review": "submitted"}

# fmt: off
API_GRID = {
    #                                                                anon member admin other h_off k_off oper
    ("GET /csr/assessments", "-"):                                   (401, 200,  200,  200,  200,  200,  200),
    ("POST /csr/assessments", "own"):                                (401, 403,  201,  403,  403,  403,  201),
    ("GET /csr/assessments/{assessment_id}", "own"):                 (401, 200,  200,  404,  200,  404,  200),
    ("GET /csr/assessments/{assessment_id}", "foreign"):             (401, 404,  404,  200,  404,  200,  200),
    ("PUT /csr/assessments/{assessment_id}/answers", "own"):         (401, 403,  200,  404,  403,  404,  200),
    ("POST /csr/assessments/{assessment_id}/submit", "own"):         (401, 403,  200,  404,  403,  404,  200),
    ("POST /csr/assessments/{assessment_id}/review", "own"):         (401, 403,  403,  404,  200,  404,  200),
    ("POST /csr/assessments/{assessment_id}/review", "foreign"):     (401, 404,  404,  403,  404,  200,  200),
    ("GET /green/clusters/{cluster_id}", "own"):                     (200, 200,  200,  200,  200,  200,  200),
}
# fmt: on


def test_every_csr_api_operation_is_in_the_matrix():
    documented = api_operations("csr")
    assert documented == {op for op, _o in API_GRID}


def _body(operation, objects, obj):
    if operation == "POST /csr/assessments":
        return {"enterprise_id": objects["enterprise"][obj].pk}
    if operation.endswith("/answers"):
        return {"ms2": {"choice": "partly", "comment": "矩阵"}}
    if operation.endswith("/review"):
        return {"decision": "verify"}
    return {}


@pytest.mark.parametrize(("operation", "obj"), sorted(API_GRID))
def test_api(m, operation, obj):
    users, objects = m
    for role, expected in zip(ROLES, API_GRID[(operation, obj)], strict=True):
        assessment = objects["assessment"].get(obj)
        step = operation.rsplit("/", 1)[-1]
        if assessment is not None and step in STATE:
            Assessment.objects.filter(pk=assessment.pk).update(status=STATE[step])
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(users[role])
        method, path = operation.split(" ", 1)
        url = "/api/v1" + path.format(
            assessment_id=assessment.pk if assessment else 0,
            cluster_id=objects["cluster"].get(obj, objects["cluster"]["own"]).pk,
        )
        if method == "GET":
            response = client.get(url)
        else:
            response = getattr(client, method.lower())(
                url, json.dumps(_body(operation, objects, obj)), content_type="application/json"
            )
        assert response.status_code == expected, (role, response.content[:300])
        if expected >= 400:
            assert {"code", "message", "details"} <= set(response.json())
        if operation.endswith("/answers"):
            changed = assessment.answers.filter(question="ms2", choice="partly").exists()
            assert changed is (expected == 200), role
            assessment.answers.filter(question="ms2").update(choice="yes")


PAGES = {
    "csr:my": ("get", None, None),
    "csr:start": ("post", "enterprise", None),
    "csr:badge": ("get", "enterprise", None),
    "csr:permits": ("get", "enterprise", None),
    "csr:assessment": ("get", "assessment", None),
    "csr:evidence_upload": ("post", "assessment", "evidence"),
    "csr:submit": ("post", "assessment", None),
    "csr:invite": ("post", "assessment", None),
    "csr:review": ("post", "assessment", {"decision": "verify"}),
    "csr:action_add": ("post", "assessment", "action"),
    "csr:action_done": ("post", "action", None),
    "csr:evidence_file": ("get", "evidence", None),
}
PAGE_STATE = {"csr:submit": "draft", "csr:review": "submitted", "csr:evidence_upload": "draft"}

# fmt: off
PAGE_GRID = {
    #                                 anon   member     admin      other      h_off      k_off      oper
    ("csr:my", "-"):                  (LOGIN, OK,       OK,        OK,        OK,        OK,        OK),
    ("csr:start", "own"):             (LOGIN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
    ("csr:badge", "own"):             (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("csr:permits", "own"):           (LOGIN, OK,       OK,        FORBIDDEN, OK,        FORBIDDEN, OK),
    ("csr:assessment", "own"):        (LOGIN, OK,       OK,        NOT_FOUND, OK,        NOT_FOUND, OK),
    ("csr:assessment", "foreign"):    (LOGIN, NOT_FOUND, NOT_FOUND, OK,       NOT_FOUND, OK,        OK),
    ("csr:evidence_upload", "own"):   (LOGIN, FORBIDDEN, REDIRECT, NOT_FOUND, FORBIDDEN, NOT_FOUND, REDIRECT),
    ("csr:submit", "own"):            (LOGIN, FORBIDDEN, REDIRECT, NOT_FOUND, FORBIDDEN, NOT_FOUND, REDIRECT),
    ("csr:invite", "own"):            (LOGIN, FORBIDDEN, REDIRECT, NOT_FOUND, FORBIDDEN, NOT_FOUND, REDIRECT),
    ("csr:review", "own"):            (LOGIN, FORBIDDEN, FORBIDDEN, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
    ("csr:action_add", "own"):        (LOGIN, FORBIDDEN, REDIRECT, NOT_FOUND, FORBIDDEN, NOT_FOUND, REDIRECT),
    ("csr:action_done", "own"):       (LOGIN, FORBIDDEN, REDIRECT, NOT_FOUND, FORBIDDEN, NOT_FOUND, REDIRECT),
    ("csr:evidence_file", "own"):     (LOGIN, OK,       OK,        NOT_FOUND, OK,        NOT_FOUND, OK),
}
# fmt: on


# The firms csr:my offers to start a self-assessment for: the user's own firms that csr.start
# allows. The operator may start one for any firm, from the firm's page, but has none of its own.
# fmt: off
START_OFFERED_GRID = {
    #            anon member admin other h_off k_off oper
    "own":      (N,  N,     Y,    N,    N,    N,    N),
    "foreign":  (N,  N,     N,    Y,    N,    N,    N),
}
# fmt: on


@pytest.mark.parametrize("obj", sorted(START_OFFERED_GRID))
def test_my_page_offers_starting_only_where_csr_start_allows(m, obj):
    users, objects = m
    firm = objects["enterprise"][obj]
    form = reverse("csr:start", kwargs={"pk": firm.pk})
    shown = []
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(users[role])
        shown.append(f'action="{form}"' in client.get(reverse("csr:my")).content.decode())
    assert tuple(shown) == START_OFFERED_GRID[obj], dict(zip(ROLES, shown, strict=True))
    assert all(can(users[r], "csr.start", firm) for r, s in zip(ROLES, shown, strict=True) if s)


def test_every_csr_page_is_in_the_matrix():
    pages = {name for _r, name in url_patterns() if (name or "").startswith("csr:")}
    assert pages == set(PAGES) == {name for name, _o in PAGE_GRID}


def _data(kind):
    if kind == "evidence":
        return {"question": "hs1", "file": SimpleUploadedFile("演练.pdf", PDF)}
    if kind == "action":
        due = (timezone.localdate() + timedelta(days=10)).isoformat()
        return {"area": "health_safety", "action": "消防演练", "due_on": due}
    return kind or {}


@pytest.mark.parametrize(("name", "obj"), sorted(PAGE_GRID))
def test_page(m, name, obj):
    users, objects = m
    method, kind, data = PAGES[name]
    for role, expected in zip(ROLES, PAGE_GRID[(name, obj)], strict=True):
        if name in PAGE_STATE:
            Assessment.objects.filter(pk=objects["assessment"][obj].pk).update(
                status=PAGE_STATE[name]
            )
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(users[role])
        url = reverse(name, kwargs={"pk": objects[kind][obj].pk} if kind else {})
        response = client.get(url) if method == "get" else client.post(url, _data(data))
        if expected == LOGIN:
            assert response.status_code == 302 and "/login/" in response["Location"], role
            continue
        assert response.status_code == expected, (role, url, response.status_code)
        if name == "csr:assessment" and expected == OK:
            assert objects["assessment"][obj].enterprise.name_zh in response.content.decode()


def test_a_firm_does_not_verify_itself_through_an_auditor_it_runs(m):
    """Anyone may start a service provider organisation: a firm's admin who invites one they run
    as auditor still may not review the firm's own answers (page and API), while an outside
    member of that organisation may."""
    users, objects = m
    own = objects["assessment"]["own"]
    admin = users["firm_admin"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    client.post(reverse("accounts:organisation_new"), {"name_zh": "自家审核所"})
    auditor_org = Organisation.objects.get(name_zh="自家审核所")
    client.post(reverse("csr:invite", kwargs={"pk": own.pk}), {"auditor": auditor_org.pk})
    client.post(reverse("csr:submit", kwargs={"pk": own.pk}))
    own.refresh_from_db()
    assert own.auditor == auditor_org and own.status == "submitted"
    assert not can(admin, "csr.review", own)
    response = client.post(reverse("csr:review", kwargs={"pk": own.pk}), {"decision": "verify"})
    assert response.status_code == FORBIDDEN
    response = client.post(
        f"/api/v1/csr/assessments/{own.pk}/review",
        json.dumps({"decision": "verify"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == "submitted" and not own.level
    outsider = member_of(auditor_org, Membership.Role.ADMIN)
    assert can(outsider, "csr.review", own)


def test_refused_page_writes_change_nothing(m):
    users, objects = m
    own = objects["assessment"]["own"]
    Assessment.objects.filter(pk=own.pk).update(status="submitted")
    for role in ("firm_member", "firm_admin", "keqiao_office", "other_firm_admin"):
        client = Client()
        client.force_login(users[role])
        client.post(reverse("csr:review", kwargs={"pk": own.pk}), {"decision": "verify"})
    own.refresh_from_db()
    assert own.status == "submitted" and not own.level
    before = own.evidence.count()
    member = Client()
    member.force_login(users["firm_member"])
    member.post(reverse("csr:evidence_upload", kwargs={"pk": own.pk}), _data("evidence"))
    assert own.evidence.count() == before


# --- POSTs of the form pages ---------------------------------------------------------------------
#
# The write of each page that shows a form (its GET is in PAGE_GRID), with valid data.
#   DONE      302 and the write is in the database
#   REDIRECT  302 back with a message, nothing written
#   LOGIN / FORBIDDEN / NOT_FOUND: refused, nothing written
DONE = "done"


def _permit(o, obj):
    today = timezone.localdate()
    return {
        "number": "91440000MATRIX001P",
        "issued_by": "东莞市生态环境局",
        "pollutants": "COD",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }


FORM_POSTS = {
    # The answer to one question changes (the assessment is a draft, so it may).
    "csr:assessment": (
        "assessment",
        lambda o, obj: {"q-ms2": "partly", "c-ms2": "矩阵"},
        lambda o, obj: (
            o["assessment"][obj].answers.filter(question="ms2", choice="partly").exists()
        ),
    ),
    "csr:permits": (
        "enterprise",
        _permit,
        lambda o, obj: DischargePermit.objects.filter(number="91440000MATRIX001P").exists(),
    ),
}

# fmt: off
FORM_POST_GRID = {
    #                                 anon   member     admin      other      h_off      k_off      oper
    ("csr:assessment", "own"):        (LOGIN, FORBIDDEN, DONE,     NOT_FOUND, FORBIDDEN, NOT_FOUND, DONE),
    ("csr:assessment", "foreign"):    (LOGIN, NOT_FOUND, NOT_FOUND, DONE,     NOT_FOUND, FORBIDDEN, DONE),
    ("csr:permits", "own"):           (LOGIN, FORBIDDEN, DONE,     FORBIDDEN, DONE,      FORBIDDEN, DONE),
    ("csr:permits", "foreign"):       (LOGIN, FORBIDDEN, FORBIDDEN, DONE,     FORBIDDEN, DONE,      DONE),
}
# fmt: on


def test_every_csr_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    posted = {name for name, (method, _kind, _data) in PAGES.items() if method == "post"}
    posted |= {name for name, _o in FORM_POST_GRID}
    assert set(FORM_POSTS) == {name for name, _o in FORM_POST_GRID}
    assert post_pages("csr") == posted


@pytest.mark.parametrize(("name", "obj"), sorted(FORM_POST_GRID))
def test_form_post(m, name, obj):
    users, objects = m
    kind, data, written = FORM_POSTS[name]
    Assessment.objects.filter(pk=objects["assessment"][obj].pk).update(status="draft")
    url = reverse(name, kwargs={"pk": objects[kind][obj].pk})
    got = post_as_each_role(
        users, ROLES, url, lambda: data(objects, obj), lambda: written(objects, obj)
    )
    assert got == FORM_POST_GRID[(name, obj)], dict(zip(ROLES, got, strict=True))


# --- the list: another firm's assessments are absent ----------------------------------------------


def test_assessment_list_shows_exactly_what_the_role_may_see(m, auditor):
    """GET /csr/assessments answers as csr.view does, assessment by assessment; an invited auditor
    lists the one it was invited to and nothing else."""
    users, objects = m
    by_id = {a.pk: key for key, a in objects["assessment"].items()}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(users[role])
        rows = client.get("/api/v1/csr/assessments").json()
        expected = {
            key
            for key in by_id.values()
            if dict(zip(ROLES, CAN_GRID[("csr.view", key)], strict=True))[role]
        }
        assert {by_id[row["id"]] for row in rows} == expected, role
    auditor_org, auditor_admin = auditor
    services.invite_auditor(
        user=users["other_firm_admin"],
        assessment=objects["assessment"]["foreign"],
        auditor=auditor_org,
    )
    client = Client()
    client.force_login(auditor_admin)
    rows = client.get("/api/v1/csr/assessments").json()
    assert [row["id"] for row in rows] == [objects["assessment"]["foreign"].pk]
