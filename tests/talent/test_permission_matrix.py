"""Talent permission matrix: rules, API operations and pages × the roles of the shared matrix.

Objects: "own" is on the Humen side (the Humen office's course, the Humen firm's job, a Humen
person's profile shown to their cluster); "foreign" is the Keqiao side. Profiles also come as
"public", "hidden" and "applied" (hidden, but the person applied to the Humen firm's job).
"""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.test_permission_matrix import ROLES, N, Y, url_patterns
from weft.accounts.permissions import RULES, can
from weft.talent.forms import job_firms, publisher_orgs
from weft.talent.models import Application, Course, Job, TalentProfile

from ..matrix import api_operations, post_as_each_role, post_pages
from .conftest import make_course, make_job, make_profile, png_upload

pytestmark = pytest.mark.django_db
LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND = "login", 200, 302, 403, 404


@pytest.fixture
def m(world):
    from weft.talent import services

    users = {role: getattr(world, role, None) for role in ROLES}
    users["anonymous"] = AnonymousUser()
    own_person, foreign_person = UserFactory(), UserFactory()
    own_profile = make_profile(own_person, cluster=world.humen, visibility="cluster", name="虎门人")
    services.add_portfolio_image(user=own_person, profile=own_profile, upload=png_upload())
    applied = make_profile(UserFactory(), cluster=world.humen, visibility="hidden", name="应聘人")
    own_job = make_job(world.firm, world.humen)
    Application.objects.create(job=own_job, profile=applied)
    objects = {
        "office": {"own": world.humen.office, "foreign": world.keqiao.office},
        "firm_org": {"own": world.firm_org},
        "course": {
            "own": make_course(world.humen.office, seats=50),
            "foreign": make_course(world.keqiao.office, seats=50, title="柯桥课"),
        },
        "enterprise": {"own": world.firm, "foreign": world.other_firm},
        "job": {
            "own": own_job,
            "foreign": make_job(world.other_firm, world.keqiao, title="柯桥岗"),
        },
        "profile": {
            "own": own_profile,
            "foreign": make_profile(foreign_person, cluster=world.keqiao, visibility="cluster"),
            "public": make_profile(UserFactory(), visibility="public", name="公开者"),
            "hidden": make_profile(UserFactory(), cluster=world.humen, visibility="hidden"),
            "applied": applied,
        },
        "cluster": {"own": world.humen, "foreign": world.keqiao},
        # A course's publisher: the Humen office ("own"), the Keqiao office, or the Humen firm.
        "publisher": {
            "own": world.humen.office,
            "foreign": world.keqiao.office,
            "firm": world.firm_org,
            "operator_org": world.operator.memberships.get().organisation,
        },
    }
    return users, objects


RULE_OBJECTS = {
    "talent.publish_course": "office",
    "talent.manage_course": "course",
    "talent.enrol": "course",
    "talent.post_job": "enterprise",
    "talent.manage_job": "job",
    "talent.apply": "job",
    "talent.view_profile": "profile",
    "talent.view_personal_data": "profile",
    "talent.search": "cluster",
}

# fmt: off
CAN_GRID = {
    #                                             anon member admin other h_off k_off oper
    ("talent.publish_course", "own"):             (N,  N,     N,    N,    Y,    N,    Y),
    ("talent.publish_course", "foreign"):         (N,  N,     N,    N,    N,    Y,    Y),
    ("talent.manage_course", "own"):              (N,  N,     N,    N,    Y,    N,    Y),
    ("talent.manage_course", "foreign"):          (N,  N,     N,    N,    N,    Y,    Y),
    ("talent.enrol", "own"):                      (N,  Y,     Y,    Y,    Y,    Y,    Y),
    ("talent.post_job", "own"):                   (N,  N,     Y,    N,    N,    N,    Y),
    ("talent.post_job", "foreign"):               (N,  N,     N,    Y,    N,    N,    Y),
    ("talent.manage_job", "own"):                 (N,  N,     Y,    N,    N,    N,    Y),
    ("talent.manage_job", "foreign"):             (N,  N,     N,    Y,    N,    N,    Y),
    ("talent.apply", "own"):                      (N,  N,     N,    Y,    Y,    Y,    Y),
    ("talent.apply", "foreign"):                  (N,  Y,     Y,    N,    Y,    Y,    Y),
    ("talent.view_profile", "own"):               (N,  Y,     Y,    N,    Y,    N,    Y),
    ("talent.view_profile", "foreign"):           (N,  N,     N,    Y,    N,    Y,    Y),
    ("talent.view_profile", "public"):            (Y,  Y,     Y,    Y,    Y,    Y,    Y),
    ("talent.view_profile", "hidden"):            (N,  N,     N,    N,    N,    N,    N),
    ("talent.view_profile", "applied"):           (N,  Y,     Y,    N,    N,    N,    N),
    ("talent.view_personal_data", "own"):         (N,  N,     N,    N,    N,    N,    N),
    ("talent.view_personal_data", "public"):      (N,  N,     N,    N,    N,    N,    N),
    ("talent.view_personal_data", "applied"):     (N,  Y,     Y,    N,    N,    N,    N),
    ("talent.search", "own"):                     (N,  Y,     Y,    N,    Y,    N,    Y),
    ("talent.search", "foreign"):                 (N,  N,     N,    Y,    N,    Y,    Y),
}
# fmt: on


def test_every_talent_rule_is_in_the_matrix():
    talent_rules = {r for r in RULES if r.startswith("talent.")}
    assert talent_rules == {a for a, _o in CAN_GRID} == set(RULE_OBJECTS)


@pytest.mark.parametrize(("action", "obj"), sorted(CAN_GRID))
def test_can(m, action, obj):
    users, objects = m
    target = objects[RULE_OBJECTS[action]][obj]
    got = tuple(can(users[role], action, target) for role in ROLES)
    assert got == CAN_GRID[(action, obj)]


# What the course and job forms offer (`course_publishers_q`, `job_firms_q`): exactly what the rule
# allows. Not even the operator publishes courses as the operator organisation.
# fmt: off
CHOICE_GRID = {
    #                                             anon member admin other h_off k_off oper
    ("talent.publish_course", "own"):             (N,  N,     N,    N,    Y,    N,    Y),
    ("talent.publish_course", "foreign"):         (N,  N,     N,    N,    N,    Y,    Y),
    ("talent.publish_course", "firm"):            (N,  N,     Y,    N,    N,    N,    Y),
    ("talent.publish_course", "operator_org"):    (N,  N,     N,    N,    N,    N,    N),
    ("talent.post_job", "own"):                   (N,  N,     Y,    N,    N,    N,    Y),
    ("talent.post_job", "foreign"):               (N,  N,     N,    Y,    N,    N,    Y),
}
# fmt: on


@pytest.mark.parametrize(("action", "obj"), sorted(CHOICE_GRID))
def test_forms_offer_what_the_rule_allows(m, action, obj):
    users, objects = m
    if action == "talent.publish_course":
        target = objects["publisher"][obj]
        offered = [publisher_orgs(users[role]) for role in ROLES]
    else:
        target = objects["enterprise"][obj]
        offered = [job_firms(users[role]) for role in ROLES]
    got = tuple(choices.filter(pk=target.pk).exists() for choices in offered)
    assert got == CHOICE_GRID[(action, obj)], dict(zip(ROLES, got, strict=True))
    assert got == tuple(can(users[role], action, target) for role in ROLES)


def test_a_person_sees_and_owns_their_profile(m):
    _users, objects = m
    for key in ("own", "hidden", "applied"):
        profile = objects["profile"][key]
        assert can(profile.user, "talent.view_profile", profile)
        assert can(profile.user, "talent.view_personal_data", profile)


# --- API ---------------------------------------------------------------------------------------

API = "/api/v1"


def _body(operation, objects, obj):
    if operation == "POST /courses":
        provider = objects["office"][obj]
        return {
            "provider_id": provider.pk,
            "title": "矩阵课",
            "topic": "设计",
            "starts_on": "2099-01-01",
            "ends_on": "2099-01-02",
            "place": "虎门",
            "seats": 5,
            "fee": "100.00",
        }
    if operation == "POST /enrolments":
        return {"course_id": objects["course"][obj].pk}
    if operation == "POST /jobs":
        return {
            "enterprise_id": objects["enterprise"][obj].pk,
            "role": "designer",
            "title": "矩阵岗",
            "pay_min": "5000",
            "pay_max": "8000",
            "place": "虎门",
        }
    if operation == "PUT /talent-profiles/me":
        return {"name": "矩阵人", "role": "designer"}
    return {}


# fmt: off
API_GRID = {
    #                                                anon member admin other h_off k_off oper
    ("GET /courses", "-"):                           (200, 200,  200,  200,  200,  200,  200),
    ("GET /courses/{course_id}", "own"):             (200, 200,  200,  200,  200,  200,  200),
    ("POST /courses", "own"):                        (401, 403,  403,  403,  201,  403,  201),
    ("POST /courses", "foreign"):                    (401, 403,  403,  403,  403,  201,  201),
    ("GET /enrolments", "-"):                        (401, 200,  200,  200,  200,  200,  200),
    ("POST /enrolments", "own"):                     (401, 201,  201,  201,  201,  201,  201),
    ("GET /jobs", "-"):                              (200, 200,  200,  200,  200,  200,  200),
    ("GET /jobs/{job_id}", "own"):                   (200, 200,  200,  200,  200,  200,  200),
    ("POST /jobs", "own"):                           (401, 403,  201,  403,  403,  403,  201),
    ("POST /jobs", "foreign"):                       (401, 403,  403,  201,  403,  403,  201),
    ("POST /jobs/{job_id}/applications", "own"):     (401, 403,  403,  201,  201,  201,  201),
    ("POST /jobs/{job_id}/applications", "foreign"): (401, 201,  201,  403,  201,  201,  201),
    ("GET /talent-profiles", "-"):                   (200, 200,  200,  200,  200,  200,  200),
    ("PUT /talent-profiles/me", "-"):                (401, 200,  200,  200,  200,  200,  200),
    ("GET /talent-profiles/{profile_id}", "own"):    (404, 200,  200,  404,  200,  404,  200),
    ("GET /talent-profiles/{profile_id}", "foreign"): (404, 404, 404,  200,  404,  200,  200),
    ("GET /talent-profiles/{profile_id}", "public"): (200, 200,  200,  200,  200,  200,  200),
    ("GET /talent-profiles/{profile_id}", "hidden"): (404, 404,  404,  404,  404,  404,  404),
    ("GET /talent-profiles/{profile_id}", "applied"): (404, 200, 200,  404,  404,  404,  404),
}
# fmt: on


def test_every_talent_api_operation_is_in_the_matrix():
    documented = api_operations("talent")
    assert documented == {op for op, _o in API_GRID}


# One world per grid row (building it is the slow part); every role is called against it.
@pytest.mark.parametrize(("operation", "obj"), sorted(API_GRID))
def test_api(m, operation, obj):
    for role in ROLES:
        _check_api(m, role, operation, obj)


def _check_api(m, role, operation, obj):
    users, objects = m
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(users[role])
        if operation.startswith("POST /jobs/{job_id}/applications"):
            make_profile(users[role], name="申请人")
    method, path = operation.split(" ", 1)
    url = API + path.format(
        course_id=objects["course"].get(obj, objects["course"]["own"]).pk if obj != "-" else 0,
        job_id=objects["job"].get(obj, objects["job"]["own"]).pk if obj != "-" else 0,
        profile_id=objects["profile"].get(obj, objects["profile"]["own"]).pk if obj != "-" else 0,
    )
    if method == "GET":
        response = client.get(url)
    else:
        response = getattr(client, method.lower())(
            url, json.dumps(_body(operation, objects, obj)), content_type="application/json"
        )
    expected = dict(zip(ROLES, API_GRID[(operation, obj)], strict=True))[role]
    assert response.status_code == expected, (role, response.content[:300])
    if expected >= 400:
        assert {"code", "message", "details"} <= set(response.json())
    if operation == "POST /jobs":
        made = Job.objects.filter(title="矩阵岗")
        assert made.exists() is (expected == 201), role
        made.delete()
    if operation == "POST /courses":
        made = Course.objects.filter(title="矩阵课")
        assert made.exists() is (expected == 201), role
        made.delete()


# --- lists: what is absent matters as much as what is there --------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_profile_list_shows_exactly_the_profiles_the_role_may_see(m, role):
    """The list answers as talent.view_profile does, profile by profile: a hidden profile, another
    cluster's, one applied to another firm are absent, and no personal data is listed."""
    users, objects = m
    by_id = {profile.pk: key for key, profile in objects["profile"].items()}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(users[role])
    rows = client.get(API + "/talent-profiles", {"page_size": 100}).json()["results"]
    assert all(row["id"] in by_id for row in rows), rows
    expected = {
        key
        for key in objects["profile"]
        if dict(zip(ROLES, CAN_GRID[("talent.view_profile", key)], strict=True))[role]
    }
    assert {by_id[row["id"]] for row in rows} == expected
    for row in rows:
        assert not {"phone", "email", "id_number"} & set(row)


def test_enrolment_list_shows_only_ones_own(m):
    users, objects = m
    own, foreign = objects["course"]["own"], objects["course"]["foreign"]
    mine = {
        "firm_member": own.enrolments.create(person=users["firm_member"]).pk,
        "other_firm_admin": foreign.enrolments.create(person=users["other_firm_admin"]).pk,
        "keqiao_office": own.enrolments.create(person=users["keqiao_office"]).pk,
    }
    for role in ROLES[1:]:
        client = Client()
        client.force_login(users[role])
        ids = {row["id"] for row in client.get(API + "/enrolments").json()}
        assert ids == ({mine[role]} if role in mine else set()), role


# --- pages -------------------------------------------------------------------------------------

PAGES = {
    "talent:course_list": ("get", None),
    "talent:course_new": ("get", None),
    "talent:course_detail": ("get", "course"),
    "talent:course_enrol": ("post", "course"),
    "talent:course_roster": ("get", "course"),
    "talent:job_list": ("get", None),
    "talent:job_new": ("get", None),
    "talent:job_detail": ("get", "job"),
    "talent:job_apply": ("post", "job"),
    "talent:job_applications": ("get", "job"),
    "talent:profile_edit": ("get", None),
    "talent:people": ("get", None),
    "talent:people_export": ("get", None),
    "talent:profile_detail": ("get", "profile"),
    "talent:portfolio_image": ("get", "image"),
    "talent:dashboard": ("get", "cluster"),
}

# fmt: off
PAGE_GRID = {
    #                                         anon   member     admin      other      h_off      k_off      oper
    ("talent:course_list", "-"):              (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("talent:course_new", "-"):               (LOGIN, FORBIDDEN, OK,       OK,        OK,        OK,        OK),
    ("talent:course_detail", "own"):          (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("talent:course_enrol", "own"):           (LOGIN, REDIRECT, REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("talent:course_roster", "own"):          (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       FORBIDDEN, OK),
    ("talent:course_roster", "foreign"):      (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       OK),
    ("talent:job_list", "-"):                 (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("talent:job_new", "-"):                  (LOGIN, FORBIDDEN, OK,       OK,        FORBIDDEN, FORBIDDEN, OK),
    ("talent:job_detail", "own"):             (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("talent:job_apply", "own"):              (LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT,  REDIRECT,  REDIRECT),
    ("talent:job_applications", "own"):       (LOGIN, FORBIDDEN, OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("talent:job_applications", "foreign"):   (LOGIN, FORBIDDEN, FORBIDDEN, OK,       FORBIDDEN, FORBIDDEN, OK),
    ("talent:profile_edit", "-"):             (LOGIN, OK,       OK,        OK,        OK,        OK,        OK),
    ("talent:people", "-"):                   (LOGIN, OK,       OK,        OK,        OK,        OK,        OK),
    ("talent:people_export", "-"):            (LOGIN, OK,       OK,        OK,        OK,        OK,        OK),
    ("talent:profile_detail", "own"):         (NOT_FOUND, OK,   OK,        NOT_FOUND, OK,        NOT_FOUND, OK),
    ("talent:profile_detail", "hidden"):      (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("talent:profile_detail", "applied"):     (NOT_FOUND, OK,   OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("talent:portfolio_image", "own"):        (NOT_FOUND, OK,   OK,        NOT_FOUND, OK,        NOT_FOUND, OK),
    ("talent:dashboard", "own"):              (OK,   OK,        OK,        OK,        OK,        OK,        OK),
}
# fmt: on


def test_every_talent_page_is_in_the_matrix():
    pages = {name for _route, name in url_patterns() if (name or "").startswith("talent:")}
    assert pages == set(PAGES) == {name for name, _o in PAGE_GRID}


def _page_url(objects, name, obj):
    kind = PAGES[name][1]
    if kind is None:
        return reverse(name)
    if kind == "cluster":
        return reverse(name, kwargs={"slug": objects["cluster"][obj].slug})
    if kind == "image":
        return reverse(name, kwargs={"pk": objects["profile"][obj].portfolio.first().pk})
    return reverse(name, kwargs={"pk": objects[kind][obj].pk})


@pytest.mark.parametrize(("name", "obj"), sorted(PAGE_GRID))
def test_page(m, name, obj):
    for role in ROLES:
        _check_page(m, role, name, obj)


def _check_page(m, role, name, obj):
    users, objects = m
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(users[role])
    url = _page_url(objects, name, obj)
    response = client.get(url) if PAGES[name][0] == "get" else client.post(url, {})
    expected = dict(zip(ROLES, PAGE_GRID[(name, obj)], strict=True))[role]
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"], role
        return
    assert response.status_code == expected, (role, url, response.status_code)
    if name == "talent:profile_detail" and expected == OK:
        profile = objects["profile"][obj]
        html = response.content.decode()
        assert profile.name in html
        # Contact shows only to firms the person applied to.
        assert (profile.phone in html) is (obj == "applied")


# --- POSTs of the form pages ---------------------------------------------------------------------
#
# The write of each page that shows a form (its GET is in PAGE_GRID), with valid data. 302 is the
# write done; anything else must leave the database as it was. Each role starts from the same state.


def _course_post(objects, obj):
    start = timezone.localdate() + timedelta(days=20)
    return {
        "provider": objects["publisher"][obj].pk,
        "title": "矩阵课",
        "topic": "制版",
        "level": "beginner",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=1)).isoformat(),
        "mode": "on_site",
        "place": "虎门镇",
        "seats": "10",
        "fee": "100.00",
        "description": "",
    }


def _job_post(objects, obj):
    return {
        "enterprise": objects["enterprise"][obj].pk,
        "role": "designer",
        "title": "矩阵岗",
        "openings": "1",
        "pay_min": "5000",
        "pay_max": "8000",
        "place": "虎门镇",
        "description": "",
    }


def _profile_post(objects, obj):
    return {
        "p-name": "矩阵人",
        "p-role": "designer",
        "p-skills": "制版",
        "p-experience_years": "3",
        "p-availability": "available",
        "p-visibility": "cluster",
        "p-cluster": objects["cluster"]["own"].pk,
    }


def _roster_post(objects, obj):
    course = objects["course"][obj]
    enrolment = course.enrolments.get_or_create(person=objects["learner"])[0]
    return {"enrolment": enrolment.pk, "attended": "on", "certify": "on"}


def _applications_post(objects, obj):
    application = Application.objects.get(job=objects["job"][obj])
    return {"application": application.pk, "status": "shortlisted"}


# name: (URL object kind or None, POST data, the write is in the database)
FORM_POSTS = {
    "talent:course_new": (
        None,
        _course_post,
        lambda o, obj: Course.objects.filter(title="矩阵课").exists(),
    ),
    "talent:job_new": (
        None,
        _job_post,
        lambda o, obj: Job.objects.filter(title="矩阵岗").exists(),
    ),
    "talent:profile_edit": (
        None,
        _profile_post,
        lambda o, obj: TalentProfile.objects.filter(name="矩阵人").exists(),
    ),
    "talent:course_roster": (
        "course",
        _roster_post,
        lambda o, obj: o["course"][obj].enrolments.filter(attended=True).exists(),
    ),
    "talent:job_applications": (
        "job",
        _applications_post,
        lambda o, obj: Application.objects.filter(job=o["job"][obj], status="shortlisted").exists(),
    ),
}

# "own"/"foreign"/"firm" on course_new is the publisher chosen; on job_new the firm.
# 200 is the form shown again with the refusal (a publisher or firm the role may not choose).
# fmt: off
FORM_POST_GRID = {
    #                                         anon   member     admin      other      h_off      k_off      oper
    ("talent:course_new", "own"):             (LOGIN, FORBIDDEN, OK,       OK,        REDIRECT,  OK,        REDIRECT),
    ("talent:course_new", "foreign"):         (LOGIN, FORBIDDEN, OK,       OK,        OK,        REDIRECT,  REDIRECT),
    ("talent:course_new", "firm"):            (LOGIN, FORBIDDEN, REDIRECT, OK,        OK,        OK,        REDIRECT),
    ("talent:job_new", "own"):                (LOGIN, FORBIDDEN, REDIRECT, OK,        FORBIDDEN, FORBIDDEN, REDIRECT),
    ("talent:job_new", "foreign"):            (LOGIN, FORBIDDEN, OK,       REDIRECT,  FORBIDDEN, FORBIDDEN, REDIRECT),
    ("talent:profile_edit", "-"):             (LOGIN, REDIRECT,  REDIRECT, REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("talent:course_roster", "own"):          (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ("talent:course_roster", "foreign"):      (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ("talent:job_applications", "own"):       (LOGIN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
}
# fmt: on


def test_every_talent_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    posted = {name for name, (method, _kind) in PAGES.items() if method == "post"}
    posted |= {name for name, _o in FORM_POST_GRID}
    assert set(FORM_POSTS) == {name for name, _o in FORM_POST_GRID}
    assert post_pages("talent") == posted


@pytest.mark.parametrize(("name", "obj"), sorted(FORM_POST_GRID))
def test_form_post(m, name, obj):
    users, objects = m
    objects["learner"] = UserFactory()
    kind, data, written = FORM_POSTS[name]
    url = reverse(name, kwargs={"pk": objects[kind][obj].pk} if kind else {})
    got = post_as_each_role(
        users,
        ROLES,
        url,
        lambda: data(objects, obj),
        lambda: written(objects, obj),
        done=REDIRECT,
    )
    assert got == FORM_POST_GRID[(name, obj)], dict(zip(ROLES, got, strict=True))


def test_refused_writes_change_nothing(m):
    users, objects = m
    job = objects["job"]["own"]
    outsider = Client()
    outsider.force_login(users["other_firm_admin"])
    application = Application.objects.get(job=job)
    outsider.post(
        reverse("talent:job_applications", kwargs={"pk": job.pk}),
        {"application": application.pk, "status": "hired"},
    )
    application.refresh_from_db()
    assert application.status == "submitted"
    course = objects["course"]["own"]
    enrolment = course.enrolments.create(person=users["firm_member"])
    outsider.post(
        reverse("talent:course_roster", kwargs={"pk": course.pk}),
        {"enrolment": enrolment.pk, "attended": "on", "certify": "on"},
    )
    enrolment.refresh_from_db()
    assert not enrolment.attended and not enrolment.certificate_number
    assert TalentProfile.objects.filter(visibility="hidden").count() == 2
