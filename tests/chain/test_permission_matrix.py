"""Permission matrix of the chain app: rules, API operations and pages × roles × own/foreign.

"own" is Humen's (its cluster, its firm, an event Humen hosts with the Humen firm registered);
"foreign" is Keqiao's. Roles as in tests/test_permission_matrix.py.
"""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from weft.accounts.permissions import RULES, can
from weft.chain import docking
from weft.chain.models import ChainGap, DockingEvent, Meeting
from weft.chain.services import declare_gap, recompute_profiles
from weft.core.api import api as ninja_api

from ..factories import make_enterprise
from ..matrix import post_as_each_role, post_pages
from ..test_permission_matrix import ROLES, expand

pytestmark = pytest.mark.django_db
Y, N = True, False


@pytest.fixture
def m(world, links):
    world.operator.is_staff = world.operator.is_superuser = True
    world.operator.save()
    make_enterprise(name_zh="虎门矩阵制衣有限公司", cluster=world.humen, employees=120)
    recompute_profiles()
    users = {role: getattr(world, role, None) for role in ROLES}
    users["anonymous"] = AnonymousUser()
    events, regs, meetings, gaps = {}, {}, {}, {}
    for obj, cluster, office, firm, partner in (
        ("own", world.humen, world.humen_office, world.firm, world.other_firm),
        ("foreign", world.keqiao, world.keqiao_office, world.other_firm, world.firm),
    ):
        event = docking.create_event(
            office,
            cluster,
            title_zh=f"{cluster.name_zh}对接会",
            place=cluster.name_zh,
            starts_on=dt.date(2026, 12, 1),
            first_slot=dt.datetime(2026, 12, 1, 9),
            n_slots=2,
        )
        reg = docking.register(
            world.operator, event, firm, needs=["weaving"], offers=["garment_making"]
        )
        other = docking.register(world.operator, event, partner, offers=["weaving"])
        docking.schedule_event(world.operator, event)
        events[obj], regs[obj] = event, reg
        meetings[obj] = Meeting.objects.get(event=event)
        gaps[obj] = declare_gap(office, cluster, stage="accessories", note="需要辅料")
        assert other.pk
    return {
        "world": world,
        "users": users,
        "objects": {
            "cluster": {"own": world.humen, "foreign": world.keqiao},
            "enterprise": {"own": world.firm, "foreign": world.other_firm},
            "event": events,
            "registration": regs,
            "meeting": meetings,
            "gap": gaps,
        },
    }


RULE_OBJECTS = {
    "chain.declare_gap": "cluster",
    "chain.recompute": None,
    "docking.create_event": "cluster",
    "docking.manage_event": "event",
    "docking.register": "enterprise",
    "docking.act_for": "registration",
    "docking.view_registration": "registration",
    "docking.print_schedule": "registration",
    "docking.print_tables": "event",
}

# fmt: off
CAN_GRID = {
    #                                            anon member admin other h_off k_off oper
    ("chain.declare_gap", "own"):                (N,  N,     N,    N,    Y,    N,    Y),
    ("chain.declare_gap", "foreign"):            (N,  N,     N,    N,    N,    Y,    Y),
    ("chain.recompute", "-"):                    (N,  N,     N,    N,    N,    N,    Y),
    ("docking.create_event", "own"):             (N,  N,     N,    N,    Y,    N,    Y),
    ("docking.create_event", "foreign"):         (N,  N,     N,    N,    N,    Y,    Y),
    ("docking.manage_event", "own"):             (N,  N,     N,    N,    Y,    N,    Y),
    ("docking.manage_event", "foreign"):         (N,  N,     N,    N,    N,    Y,    Y),
    ("docking.register", "own"):                 (N,  N,     Y,    N,    Y,    N,    Y),
    ("docking.register", "foreign"):             (N,  N,     N,    Y,    N,    Y,    Y),
    ("docking.act_for", "own"):                  (N,  N,     Y,    N,    Y,    N,    Y),
    ("docking.act_for", "foreign"):              (N,  N,     N,    Y,    N,    Y,    Y),
    ("docking.view_registration", "own"):        (N,  Y,     Y,    N,    Y,    N,    Y),
    ("docking.view_registration", "foreign"):    (N,  N,     N,    Y,    N,    Y,    Y),
    ("docking.print_schedule", "own"):           (N,  Y,     Y,    N,    Y,    N,    Y),
    ("docking.print_schedule", "foreign"):       (N,  N,     N,    Y,    N,    Y,    Y),
    ("docking.print_tables", "own"):             (N,  N,     N,    N,    Y,    N,    Y),
    ("docking.print_tables", "foreign"):         (N,  N,     N,    N,    N,    Y,    Y),
}
# fmt: on
CAN = expand(CAN_GRID)


def test_every_chain_rule_is_in_the_matrix():
    ours = {a for a in RULES if a.split(".")[0] in ("chain", "docking")}
    assert ours == {a for a, _o in CAN_GRID} == set(RULE_OBJECTS)


@pytest.mark.parametrize(("role", "action", "obj"), sorted(CAN))
def test_can(m, role, action, obj):
    kind = RULE_OBJECTS[action]
    target = None if kind is None else m["objects"][kind][obj]
    assert can(m["users"][role], action, target) is CAN[(role, action, obj)]


# --- API -----------------------------------------------------------------------------------------

# fmt: off
API_GRID = {
    #                                                                         anon member admin other h_off k_off oper
    ("GET /chain/stages", "-"):                                               (200, 200, 200, 200, 200, 200, 200),
    ("POST /chain/recompute", "-"):                                           (401, 403, 403, 403, 403, 403, 202),
    ("GET /clusters/{cluster_id}/chain", "own"):                              (200, 200, 200, 200, 200, 200, 200),
    ("GET /clusters/{cluster_id}/gaps", "own"):                               (200, 200, 200, 200, 200, 200, 200),
    ("POST /clusters/{cluster_id}/gaps", "own"):                              (401, 403, 403, 403, 201, 403, 201),
    ("POST /clusters/{cluster_id}/gaps", "foreign"):                          (401, 403, 403, 403, 403, 201, 201),
    ("DELETE /clusters/{cluster_id}/gaps/{gap_id}", "own"):                   (401, 403, 403, 403, 204, 403, 204),
    ("DELETE /clusters/{cluster_id}/gaps/{gap_id}", "foreign"):               (401, 403, 403, 403, 403, 204, 204),
    ("GET /clusters/{cluster_id}/gaps/{stage}/partners", "own"):              (200, 200, 200, 200, 200, 200, 200),
    ("GET /partners", "own"):                                                 (200, 200, 200, 200, 200, 200, 200),
    ("GET /events/docking", "-"):                                             (200, 200, 200, 200, 200, 200, 200),
    ("POST /events/docking", "own"):                                          (401, 403, 403, 403, 201, 403, 201),
    ("POST /events/docking", "foreign"):                                      (401, 403, 403, 403, 403, 201, 201),
    ("GET /events/docking/{event_id}", "own"):                                (200, 200, 200, 200, 200, 200, 200),
    ("GET /events/docking/{event_id}/registrations", "own"):                  (200, 200, 200, 200, 200, 200, 200),
    ("POST /events/docking/{event_id}/registrations", "own"):                 (401, 403, 201, 403, 201, 403, 201),
    ("POST /events/docking/{event_id}/requests", "own"):                      (401, 403, 201, 403, 201, 403, 201),
    ("POST /events/docking/{event_id}/schedule", "own"):                      (401, 403, 403, 403, 200, 403, 200),
    ("POST /events/docking/{event_id}/schedule", "foreign"):                  (401, 403, 403, 403, 403, 200, 200),
    ("GET /events/docking/{event_id}/registrations/{registration_id}/meetings", "own"): (401, 200, 200, 403, 200, 403, 200),
    ("GET /events/docking/{event_id}/registrations/{registration_id}/meetings", "foreign"): (401, 403, 403, 200, 403, 200, 200),
    ("POST /events/docking/{event_id}/meetings/{meeting_id}/respond", "own"): (401, 403, 200, 403, 200, 403, 200),
    ("PUT /events/docking/{event_id}/meetings/{meeting_id}/outcome", "own"):  (401, 403, 200, 403, 200, 403, 200),
    # "own"/"foreign": a participant's schedule (?registration_id=); "-": every table of Humen's
    ("GET /events/docking/{event_id}/schedule.pdf", "own"):                   (401, 200, 200, 403, 200, 403, 200),
    ("GET /events/docking/{event_id}/schedule.pdf", "foreign"):               (401, 403, 403, 200, 403, 200, 200),
    ("GET /events/docking/{event_id}/schedule.pdf", "-"):                     (401, 403, 403, 403, 200, 403, 200),
    ("GET /events/docking/{event_id}/schedule.xlsx", "own"):                  (401, 200, 200, 403, 200, 403, 200),
    ("GET /events/docking/{event_id}/schedule.xlsx", "foreign"):              (401, 403, 403, 200, 403, 200, 200),
    ("GET /events/docking/{event_id}/schedule.xlsx", "-"):                    (401, 403, 403, 403, 200, 403, 200),
}
# fmt: on
API_EXPECTED = expand(API_GRID)


def test_every_chain_api_operation_is_in_the_matrix():
    documented = set()
    for prefix, router in ninja_api._routers:
        if not set(router.tags or ()) & {"chain", "docking events"}:
            continue
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    documented.add(f"{method} {(prefix or '') + '/' + path.lstrip('/')}")
    assert documented == {op for op, _o in API_GRID}


def _body(m, operation, obj):
    w, o = m["world"], m["objects"]
    cluster = o["cluster"]["own" if obj == "-" else obj]
    if operation == "POST /clusters/{cluster_id}/gaps":
        return {"stage": "design", "note": "需要设计师"}
    if operation == "POST /events/docking":
        return {
            "host_cluster_id": cluster.pk,
            "title_zh": "对接会",
            "place": "会场",
            "starts_on": "2026-12-02",
            "first_slot": "2026-12-02T09:00:00+08:00",
            "slots": 2,
        }
    if operation == "POST /events/docking/{event_id}/registrations":
        # A new firm of the Humen cluster, whose admin is the Humen firm's admin too.
        from weft.accounts.models import Membership, Organisation

        firm = make_enterprise(name_zh="虎门矩阵新制衣有限公司", cluster=w.humen)
        org = Organisation.objects.create(kind="enterprise", name_zh=firm.name_zh, enterprise=firm)
        Membership.objects.create(user=w.firm_admin, organisation=org, role="admin")
        Membership.objects.create(user=w.firm_member, organisation=org, role="member")
        return {"enterprise_id": firm.pk, "needs": ["weaving"]}
    reg = o["registration"]["own" if obj == "-" else obj]
    if operation == "POST /events/docking/{event_id}/requests":
        target = o["event"][obj].registrations.exclude(pk=reg.pk).first()
        return {"registration_id": reg.pk, "target_id": target.pk}
    if operation.endswith("/respond"):
        return {"registration_id": reg.pk, "accept": True}
    if operation.endswith("/outcome"):
        return {"registration_id": reg.pk, "contact_made": True}
    return {}


@pytest.mark.parametrize(("role", "operation", "obj"), sorted(API_EXPECTED))
def test_api(m, role, operation, obj):
    user = m["users"][role]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(user)
    o = m["objects"]
    key = "own" if obj == "-" else obj
    method, path = operation.split(" ", 1)
    url = path.format(
        cluster_id=o["cluster"][key].pk,
        gap_id=o["gap"][key].pk,
        stage="accessories",
        event_id=o["event"][key].pk,
        registration_id=o["registration"][key].pk,
        meeting_id=o["meeting"][key].pk,
    )
    params = None
    if path == "/partners":
        params = {"stage": "garment_making", "near_cluster": o["cluster"]["foreign"].pk}
    if path.endswith(("schedule.pdf", "schedule.xlsx")) and obj != "-":
        params = {"registration_id": o["registration"][key].pk}
    if method == "GET":
        response = client.get("/api/v1" + url, params)
    else:
        response = getattr(client, method.lower())(
            "/api/v1" + url, json.dumps(_body(m, operation, obj)), content_type="application/json"
        )
    expected = API_EXPECTED[(role, operation, obj)]
    assert response.status_code == expected, response.content[:300]
    if path.endswith("schedule.pdf") and expected == 200:
        assert response.content.startswith(b"%PDF-")
    if expected >= 400:
        assert {"code", "message", "details"} <= set(response.json())
    if operation.startswith("DELETE"):
        assert ChainGap.objects.filter(pk=o["gap"][key].pk).exists() is (expected != 204)


# --- pages ---------------------------------------------------------------------------------------

OK, LOGIN, FORBIDDEN, REDIRECT = 200, "login", 403, 302

# fmt: off
PAGE_GRID = {
    #                                     anon   member     admin      other      h_off      k_off      oper
    ("chain:cluster_chain", "own"):       (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("chain:gap_partners", "own"):        (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("chain:declare_gap", "own"):         (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ("chain:event_list", "-"):            (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("chain:event_detail", "own"):        (OK,   OK,        OK,        OK,        OK,        OK,        OK),
    ("chain:event_register", "own"):      (LOGIN, REDIRECT, REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("chain:event_schedule", "own"):      (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ("chain:event_new", "-"):             (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       OK,        OK),
    ("chain:meeting_request", "own"):     (LOGIN, FORBIDDEN, REDIRECT,  FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ("chain:meeting_respond", "own"):     (LOGIN, FORBIDDEN, REDIRECT,  FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ("chain:meeting_outcome", "own"):     (LOGIN, FORBIDDEN, REDIRECT,  FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ("chain:event_xlsx", "own"):          (LOGIN, OK,        OK,        FORBIDDEN, OK,       FORBIDDEN, OK),
    ("chain:event_pdf", "own"):           (LOGIN, OK,        OK,        FORBIDDEN, OK,       FORBIDDEN, OK),
    # "-": the schedule of every table of Humen's event, no registration given
    ("chain:event_xlsx", "-"):            (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       FORBIDDEN, OK),
    ("chain:event_pdf", "-"):             (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       FORBIDDEN, OK),
}
# fmt: on
PAGE_EXPECTED = expand(PAGE_GRID)
POST_ONLY = (  # rows above that are POSTs
    "chain:declare_gap",
    "chain:event_register",
    "chain:event_schedule",
    "chain:meeting_request",
    "chain:meeting_respond",
    "chain:meeting_outcome",
)


def test_every_chain_page_is_in_the_matrix():
    from ..test_permission_matrix import url_patterns

    names = {name for _route, name in url_patterns() if (name or "").startswith("chain:")}
    assert names == {n for n, _o in PAGE_GRID}


@pytest.mark.parametrize(("role", "name", "obj"), sorted(PAGE_EXPECTED))
def test_page(m, role, name, obj):
    o = m["objects"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(m["users"][role])
    kwargs = {}
    if name in ("chain:cluster_chain", "chain:gap_partners", "chain:declare_gap"):
        kwargs["slug"] = o["cluster"]["own"].slug
    if name == "chain:gap_partners":
        kwargs["group"] = "accessories"
    event, reg = o["event"]["own"], o["registration"]["own"]
    if name.startswith(("chain:event_", "chain:meeting_")) and name not in (
        "chain:event_list",
        "chain:event_new",
    ):
        kwargs["pk"] = event.pk
    if name in ("chain:meeting_respond", "chain:meeting_outcome"):
        kwargs["meeting_id"] = o["meeting"]["own"].pk
    url = reverse(name, kwargs=kwargs)
    posted = {
        "stage": "design",
        "note": "需要设计",
        "registration": reg.pk,
        "target": event.registrations.exclude(pk=reg.pk).first().pk,
        "decision": "accept",
        "contact_made": "on",
    }
    if name in POST_ONLY:
        response = client.post(url, posted)
    else:
        printed = name in ("chain:event_xlsx", "chain:event_pdf") and obj == "own"
        response = client.get(url + (f"?registration={reg.pk}" if printed else ""))
    expected = PAGE_EXPECTED[(role, name, obj)]
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    assert response.status_code == expected, (url, response.status_code)


def test_refused_schedule_changes_nothing(m):
    event = m["objects"]["event"]["own"]
    before = list(Meeting.objects.filter(event=event).values_list("id", flat=True))
    client = Client()
    client.force_login(m["world"].keqiao_office)
    client.post(reverse("chain:event_schedule", kwargs={"pk": event.pk}))
    assert list(Meeting.objects.filter(event=event).values_list("id", flat=True)) == before
    assert DockingEvent.objects.get(pk=event.pk).status == "scheduled"


# --- the new-event form's POST ---------------------------------------------------------------------
#
# A valid event hosted by the cluster chosen ("own" Humen, "foreign" Keqiao). DONE: 302 and the
# event is in the database; OK: the form again (a host the role may not choose), nothing written.
DONE = "done"
# fmt: off
FORM_POST_GRID = {
    #                                     anon   member     admin      other      h_off      k_off      oper
    ("chain:event_new", "own"):           (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE,     OK,        DONE),
    ("chain:event_new", "foreign"):       (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,       DONE,      DONE),
}
# fmt: on


def test_every_chain_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    assert post_pages("chain") == set(POST_ONLY) | {name for name, _o in FORM_POST_GRID}


@pytest.mark.parametrize(("name", "obj"), sorted(FORM_POST_GRID))
def test_form_post(m, name, obj):
    data = {
        "host": m["objects"]["cluster"][obj].pk,
        "title_zh": "矩阵对接会",
        "place": "会场",
        "starts_on": "2026-12-02",
        "first_slot": "09:00",
        "slot_minutes": "20",
        "n_slots": "4",
        "tables": "5",
        "max_meetings": "3",
    }
    got = post_as_each_role(
        m["users"],
        ROLES,
        reverse(name),
        lambda: data,
        DockingEvent.objects.filter(title_zh="矩阵对接会").exists,
    )
    assert got == FORM_POST_GRID[(name, obj)], dict(zip(ROLES, got, strict=True))
