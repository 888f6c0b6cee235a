"""Statistics permission matrix: every rule, API operation and page × every role, own and foreign.

Roles as in tests/test_permission_matrix.py: anonymous · firm_member · firm_admin (the Humen
firm) · other_firm_admin (the Keqiao firm) · humen_office · keqiao_office · operator.
"Own" is the Humen firm / cluster / round / warning; "foreign" the Keqiao ones. Each test runs
all seven roles over one fixture, to keep the suite quick.
"""

import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from weft.accounts.permissions import RULES, can
from weft.stats import services
from weft.stats.models import (
    AssessmentResult,
    AssessmentRun,
    AssessmentScheme,
    ClusterWarning,
    Indicator,
    ReportingRound,
    RoundReminder,
    Value,
    WarningRule,
)
from weft.stats.urls import urlpatterns

from ..factories import make_enterprise
from ..matrix import api_operations, post_as_each_role, post_pages

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
LOGIN = "login"


@pytest.fixture
def s(world):
    """The world plus rounds, figures, warnings and a published assessment in both clusters."""
    world.operator.is_staff = world.operator.is_superuser = True
    world.operator.save()
    year = services.period_for("year", 2025)
    deadline = datetime.date.today() + datetime.timedelta(days=7)
    indicators = Indicator.objects.filter(code__in=["revenue", "profit"])
    neighbour = make_enterprise(name_zh="东莞市虎门镇邻居服饰有限公司", cluster=world.humen)
    rounds = {
        "own": services.open_round(world.humen_office, world.humen, year, indicators, deadline),
        "foreign": services.open_round(
            world.keqiao_office, world.keqiao, year, indicators, deadline
        ),
    }
    services.submit_figures(world.humen_office, neighbour, year, {"revenue": "5000"})
    services.submit_figures(world.other_firm_admin, world.other_firm, year, {"revenue": "777"})
    month = services.period_for("month", 2025, 6)
    rule = WarningRule.objects.get(code="revenue_down_3m")
    warnings = {
        key: ClusterWarning.objects.create(
            cluster=c, rule=rule, period=month, message_zh="收入连续下降", message_en="Revenue down"
        )
        for key, c in (("own", world.humen), ("foreign", world.keqiao))
    }
    from weft.stats.assessment import default_scheme, new_version

    run = AssessmentRun.objects.create(
        scheme=default_scheme(), year=2025, status="published", medians={"scale": 50}
    )
    AssessmentResult.objects.create(
        run=run, cluster=world.humen, score=D("60"), rank=1, dimensions={"scale": 60}
    )
    AssessmentScheme.objects.filter(pk=run.scheme_id).update(status="published")
    draft_scheme = new_version(world.operator, run.scheme)
    draft = AssessmentRun.objects.create(scheme=draft_scheme, year=2025, medians={"scale": 50})
    AssessmentResult.objects.create(
        run=draft, cluster=world.humen, score=D("40"), rank=1, dimensions={"scale": 40}
    )
    users = {role: getattr(world, role, None) for role in ROLES}
    users["anonymous"] = AnonymousUser()
    return {
        "world": world,
        "users": users,
        "enterprise": {"own": world.firm, "foreign": world.other_firm},
        "cluster": {"own": world.humen, "foreign": world.keqiao, "-": None},
        "round": rounds,
        "warning": warnings,
        "run": run,
        "runs": {"-": run, "draft": draft},
        "schemes": {"-": AssessmentScheme.objects.get(pk=run.scheme_id), "draft": draft_scheme},
        "neighbour": neighbour,
        "year": year,
    }


# --- 1. can(...) -------------------------------------------------------------------------------

RULE_OBJECTS = {
    "stats.view_firm_figures": "enterprise",
    "stats.report": "enterprise",
    "stats.manage_round": "cluster",
    "stats.view_cluster_private": "cluster",
    "stats.view_round": "round",
    "stats.acknowledge_warning": "warning",
    "stats.manage_catalogue": None,
    "stats.view_assessment": "runs",
    "stats.manage_assessment": None,
}

# fmt: off
CAN_GRID = {
    #                                          anon  member admin  other  h_off  k_off  oper
    ("stats.view_firm_figures", "own"):        (N,   Y,     Y,     N,     Y,     N,     Y),
    ("stats.view_firm_figures", "foreign"):    (N,   N,     N,     Y,     N,     Y,     Y),
    ("stats.report", "own"):                   (N,   Y,     Y,     N,     Y,     N,     Y),
    ("stats.report", "foreign"):               (N,   N,     N,     Y,     N,     Y,     Y),
    ("stats.manage_round", "own"):             (N,   N,     N,     N,     Y,     N,     Y),
    ("stats.manage_round", "foreign"):         (N,   N,     N,     N,     N,     Y,     Y),
    ("stats.view_cluster_private", "own"):     (N,   N,     N,     N,     Y,     N,     Y),
    ("stats.view_cluster_private", "foreign"): (N,   N,     N,     N,     N,     Y,     Y),
    ("stats.view_round", "own"):               (N,   Y,     Y,     N,     Y,     N,     Y),
    ("stats.view_round", "foreign"):           (N,   N,     N,     Y,     N,     Y,     Y),
    ("stats.acknowledge_warning", "own"):      (N,   N,     N,     N,     Y,     N,     Y),
    ("stats.acknowledge_warning", "foreign"):  (N,   N,     N,     N,     N,     Y,     Y),
    ("stats.manage_catalogue", "-"):           (N,   N,     N,     N,     N,     N,     Y),
    ("stats.view_assessment", "-"):            (Y,   Y,     Y,     Y,     Y,     Y,     Y),
    ("stats.view_assessment", "draft"):        (N,   N,     N,     N,     N,     N,     Y),
    ("stats.manage_assessment", "-"):          (N,   N,     N,     N,     N,     N,     Y),
}
# fmt: on


def test_every_stats_rule_is_in_the_matrix():
    rules = {r for r in RULES if r.startswith("stats.")}
    assert rules == {a for a, _o in CAN_GRID} == set(RULE_OBJECTS)


@pytest.mark.parametrize(("action", "obj"), sorted(CAN_GRID))
def test_can(s, action, obj):
    kind = RULE_OBJECTS[action]
    target = None if kind is None else s[kind][obj]
    got = tuple(can(s["users"][role], action, target) for role in ROLES)
    assert got == CAN_GRID[(action, obj)]


# --- 2. the API --------------------------------------------------------------------------------

# fmt: off
API_GRID = {
    #                                                      anon  member admin other h_off k_off oper
    ("GET /indicators", "-"):                              (200, 200,   200,  200,  200,  200,  200),
    ("GET /stats/series", "own"):                          (200, 200,   200,  200,  200,  200,  200),
    ("GET /clusters/{cluster_id}/indicators", "own"):      (200, 200,   200,  200,  200,  200,  200),
    ("GET /clusters/{cluster_id}/warnings", "own"):        (200, 200,   200,  200,  200,  200,  200),
    ("POST /warnings/{warning_id}/acknowledge", "own"):    (401, 403,   403,  403,  200,  403,  200),
    ("POST /warnings/{warning_id}/acknowledge", "foreign"): (401, 403,  403,  403,  403,  200,  200),
    ("GET /assessments", "-"):                             (200, 200,   200,  200,  200,  200,  200),
    ("GET /assessments/{run_id}/ranking", "-"):            (200, 200,   200,  200,  200,  200,  200),
    ("GET /rounds", "-"):                                  (401, 200,   200,  200,  200,  200,  200),
    ("POST /rounds", "own"):                               (401, 403,   403,  403,  201,  403,  201),
    ("POST /rounds", "foreign"):                           (401, 403,   403,  403,  403,  201,  201),
    ("GET /rounds/{round_id}", "own"):                     (401, 200,   200,  403,  200,  403,  200),
    ("GET /rounds/{round_id}", "foreign"):                 (401, 403,   403,  200,  403,  200,  200),
    ("POST /rounds/{round_id}/submissions", "own"):        (401, 201,   201,  403,  201,  403,  201),
    ("POST /rounds/{round_id}/submissions", "foreign"):    (401, 403,   403,  201,  403,  201,  201),
    ("GET /rounds/{round_id}/submissions", "own"):         (401, 200,   200,  403,  200,  403,  200),
    ("GET /rounds/{round_id}/submissions", "foreign"):     (401, 403,   403,  200,  403,  200,  200),
}
# fmt: on


def test_every_stats_api_operation_is_in_the_matrix():
    documented = api_operations("stats")
    assert documented == {op for op, _o in API_GRID}


def api_call(s, role, operation, obj):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(s["users"][role])
    method, path = operation.split(" ", 1)
    cluster = s["cluster"].get(obj)
    rnd = s["round"].get(obj)
    url = path.format(
        cluster_id=getattr(cluster, "pk", 0),
        warning_id=s["warning"][obj].pk if obj in s["warning"] else 0,
        run_id=s["run"].pk,
        round_id=getattr(rnd, "pk", 0),
    )
    body = {}
    if operation == "POST /warnings/{warning_id}/acknowledge":
        body = {"note": "已约谈重点企业"}
    elif operation == "POST /rounds":
        body = {
            "cluster_id": cluster.pk,
            "period_kind": "year",
            "year": 2024,
            "indicators": ["revenue"],
            "deadline": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
        }
    elif operation == "POST /rounds/{round_id}/submissions":
        body = {
            "enterprise_id": s["enterprise"][obj].pk,
            "figures": {"revenue": "1234"},
            "reasons": {"revenue": "矩阵测试更正"},
        }
    if method == "GET":
        params = (
            {"indicator": "revenue", "level": "cluster", "id": cluster.pk}
            if "series" in path
            else None
        )
        return client.get("/api/v1" + url, params)
    return client.post("/api/v1" + url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("operation", "obj"), sorted(API_GRID))
def test_api(s, operation, obj):
    got = []
    for role in ROLES:
        response = api_call(s, role, operation, obj)
        got.append(response.status_code)
        if response.status_code >= 400:
            assert {"code", "message", "details"} <= set(response.json())
    assert tuple(got) == API_GRID[(operation, obj)]


def test_a_firm_never_sees_another_firms_figures(s):
    world, rnd = s["world"], s["round"]["own"]
    services.submit_figures(world.firm_member, world.firm, s["year"], {"revenue": "900"}, round=rnd)
    services.submit_figures(
        world.humen_office, s["neighbour"], s["year"], {"profit": "9"}, reasons={}, round=rnd
    )

    def names(user):
        client = Client()
        client.force_login(user)
        return {row["name"] for row in client.get(f"/api/v1/rounds/{rnd.pk}/submissions").json()}

    assert names(world.firm_member) == {world.firm.name_zh}
    assert names(world.humen_office) == {world.firm.name_zh, s["neighbour"].name_zh}
    # The round's status (who reported) is for the office only.
    client = Client()
    client.force_login(world.firm_member)
    assert "firms" not in client.get(f"/api/v1/rounds/{rnd.pk}").json()
    client.force_login(world.humen_office)
    assert len(client.get(f"/api/v1/rounds/{rnd.pk}").json()["firms"]) == 2


# Rounds each role lists, and whose figures it sees in each round it may open (None: 403).
# fmt: off
ROUND_LISTS = {
    #                   rounds listed       own round's firms           foreign round's firms
    "firm_member":      ({"own"},            {"firm"},                   None),
    "firm_admin":       ({"own"},            {"firm"},                   None),
    "other_firm_admin": ({"foreign"},        None,                       {"other_firm"}),
    "humen_office":     ({"own"},            {"firm", "neighbour"},      None),
    "keqiao_office":    ({"foreign"},        None,                       {"other_firm"}),
    "operator":         ({"own", "foreign"}, {"firm", "neighbour"},      {"other_firm"}),
}
# fmt: on


@pytest.mark.parametrize("role", sorted(ROUND_LISTS))
def test_round_lists_leave_out_other_clusters_and_firms(s, role):
    world, rnd = s["world"], s["round"]
    year = s["year"]
    services.submit_figures(
        world.firm_member, world.firm, year, {"revenue": "900"}, round=rnd["own"]
    )
    services.submit_figures(
        world.humen_office, s["neighbour"], year, {"profit": "9"}, reasons={}, round=rnd["own"]
    )
    services.submit_figures(
        world.other_firm_admin,
        world.other_firm,
        year,
        {"revenue": "778"},
        reasons={"revenue": "更正"},
        confirmed={"revenue"},
        round=rnd["foreign"],
    )
    names = {
        world.firm.name_zh: "firm",
        s["neighbour"].name_zh: "neighbour",
        world.other_firm.name_zh: "other_firm",
    }
    client = Client()
    client.force_login(s["users"][role])
    by_id = {r.pk: key for key, r in rnd.items()}
    listed = client.get("/api/v1/rounds").json()
    assert all(row["id"] in by_id for row in listed)
    rounds_seen, own_firms, foreign_firms = ROUND_LISTS[role]
    assert {by_id[row["id"]] for row in listed} == rounds_seen
    for key, expected in (("own", own_firms), ("foreign", foreign_firms)):
        response = client.get(f"/api/v1/rounds/{rnd[key].pk}/submissions")
        if expected is None:
            assert response.status_code == 403, key
        else:
            assert {names[row["name"]] for row in response.json()} == expected, key


def test_top_firms_and_small_aggregates_only_for_the_office(s):
    world = s["world"]
    services.submit_figures(world.firm_member, world.firm, s["year"], {"output_value": "100"})
    for role, sees in (
        ("anonymous", False),
        ("firm_admin", False),
        ("keqiao_office", False),
        ("humen_office", True),
        ("operator", True),
    ):
        client = Client()
        if role != "anonymous":
            client.force_login(s["users"][role])
        body = client.get(f"/api/v1/clusters/{world.humen.pk}/indicators?year=2025").json()
        assert (body["top_firms"] is not None) is sees, role
        series = client.get(
            "/api/v1/stats/series",
            {"indicator": "revenue", "level": "cluster", "id": world.humen.pk},
        ).json()["points"]
        # Two firms reported revenue in Humen: too few to publish without giving one away.
        assert (series[0]["value"] is None) is (not sees), role
        assert series[0]["firms"] == 1


def test_wrong_ids_answer_404_in_json(s):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(s["world"].operator)
    for url in (
        "/api/v1/clusters/99999/indicators",
        "/api/v1/rounds/99999",
        "/api/v1/assessments/99999/ranking",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client.get("/api/v1/stats/series", {"indicator": "nope"})
    assert response.status_code == 404
    # Digits str.isdigit takes ("²") or past any id: no cluster, not a 500.
    for key in ("²", "99999999999999999999", "no-such-cluster"):
        response = client.get(
            "/api/v1/stats/series", {"indicator": "revenue", "level": "cluster", "id": key}
        )
        assert response.status_code == 404 and response.json()["code"] == "not_found", key
    response = client.post(
        f"/api/v1/rounds/{s['round']['own'].pk}/submissions",
        json.dumps({"enterprise_id": 99999, "figures": {"revenue": "1"}}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Value.objects.filter(value=1).exists()


# --- 3. pages ----------------------------------------------------------------------------------

PAGE_ARGS = {
    "national": lambda s, o: {},
    "compare": lambda s, o: {},
    "cluster": lambda s, o: {"slug": s["cluster"][o].slug},
    "report": lambda s, o: {"slug": s["cluster"][o].slug},
    "report_pdf": lambda s, o: {"slug": s["cluster"][o].slug},
    "round_new": lambda s, o: {"slug": s["cluster"][o].slug},
    "download_series": lambda s, o: {"fmt": "csv"},
    "download_ranking": lambda s, o: {"fmt": "xlsx"},
    "acknowledge": lambda s, o: {"pk": s["warning"][o].pk},
    "rounds": lambda s, o: {},
    "round": lambda s, o: {"pk": s["round"][o].pk},
    "round_template": lambda s, o: {"pk": s["round"][o].pk},
    "round_upload": lambda s, o: {"pk": s["round"][o].pk},
    "round_remind": lambda s, o: {"pk": s["round"][o].pk},
    "assessment": lambda s, o: {"pk": s["runs"][o].pk},
    "assessments": lambda s, o: {},
    "assessment_publish": lambda s, o: {"pk": s["runs"][o].pk},
    "assessment_cluster": lambda s, o: {"pk": s["runs"][o].pk, "slug": s["world"].humen.slug},
    "scheme_new": lambda s, o: {},
    "scheme": lambda s, o: {"pk": s["schemes"][o].pk},
    "scheme_run": lambda s, o: {"pk": s["schemes"][o].pk},
    "scheme_version": lambda s, o: {"pk": s["schemes"][o].pk},
    "national_report": lambda s, o: {},
    "national_report_pdf": lambda s, o: {},
}

# GET requests; the POST-only pages answer 405 to everyone (their writes: POST_GRID and
# ROUND_POST_GRID below).
# fmt: off
PAGE_GRID = {
    #                               anon   member admin other h_off k_off oper
    ("national", "-"):              (200,  200,   200,  200,  200,  200,  200),
    ("compare", "-"):               (200,  200,   200,  200,  200,  200,  200),
    ("cluster", "own"):             (200,  200,   200,  200,  200,  200,  200),
    ("report", "own"):              (200,  200,   200,  200,  200,  200,  200),
    ("report_pdf", "own"):          (200,  200,   200,  200,  200,  200,  200),
    ("round_new", "own"):           (LOGIN, 403,  403,  403,  200,  403,  200),
    ("round_new", "foreign"):       (LOGIN, 403,  403,  403,  403,  200,  200),
    ("download_series", "-"):       (200,  200,   200,  200,  200,  200,  200),
    ("download_ranking", "-"):      (200,  200,   200,  200,  200,  200,  200),
    ("acknowledge", "own"):         (405,  405,   405,  405,  405,  405,  405),
    ("rounds", "-"):                (LOGIN, 200,  200,  200,  200,  200,  200),
    ("round", "own"):               (LOGIN, 200,  200,  403,  200,  403,  200),
    ("round", "foreign"):           (LOGIN, 403,  403,  200,  403,  200,  200),
    ("round_template", "own"):      (LOGIN, 403,  403,  403,  200,  403,  200),
    ("round_upload", "own"):        (405,  405,   405,  405,  405,  405,  405),
    ("round_remind", "own"):        (405,  405,   405,  405,  405,  405,  405),
    ("assessment", "-"):            (200,  200,   200,  200,  200,  200,  200),
    ("assessment", "draft"):        (404,  404,   404,  404,  404,  404,  200),
    ("assessments", "-"):           (200,  200,   200,  200,  200,  200,  200),
    ("assessment_publish", "-"):    (405,  405,   405,  405,  405,  405,  405),
    ("assessment_cluster", "-"):    (200,  200,   200,  200,  200,  200,  200),
    ("assessment_cluster", "draft"): (404, 404,   404,  404,  404,  404,  200),
    ("scheme_new", "-"):            (LOGIN, 403,  403,  403,  403,  403,  200),
    ("scheme", "-"):                (200,  200,   200,  200,  200,  200,  200),
    ("scheme", "draft"):            (404,  404,   404,  404,  404,  404,  200),
    ("scheme_run", "-"):            (405,  405,   405,  405,  405,  405,  405),
    ("scheme_version", "-"):        (405,  405,   405,  405,  405,  405,  405),
    ("national_report", "-"):       (200,  200,   200,  200,  200,  200,  200),
    ("national_report_pdf", "-"):   (200,  200,   200,  200,  200,  200,  200),
}
# fmt: on


def test_every_stats_page_is_in_the_matrix():
    assert {p.name for p in urlpatterns} == {n for n, _o in PAGE_GRID} == set(PAGE_ARGS)


@pytest.mark.parametrize(("name", "obj"), sorted(PAGE_GRID))
def test_page(s, name, obj):
    url = reverse(f"stats:{name}", kwargs=PAGE_ARGS[name](s, obj))
    if name == "download_series":
        url += "?indicator=revenue&level=nation&id=CN"
    for role, expected in zip(ROLES, PAGE_GRID[(name, obj)], strict=True):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(s["users"][role])
        response = client.get(url)
        if expected == LOGIN:
            assert response.status_code == 302 and "/login/" in response["Location"], (role, url)
        else:
            assert response.status_code == expected, (role, url, response.status_code)


# The cluster page offers the Acknowledge form on a warning to whoever stats.acknowledge_warning
# allows (the "Open a reporting round" link follows stats.manage_round, a rule of its own).
# fmt: off
ACK_SHOWN_GRID = {
    #            anon member admin  other  h_off  k_off  oper
    "own":      (N,   N,     N,     N,     Y,     N,     Y),
    "foreign":  (N,   N,     N,     N,     N,     Y,     Y),
}
# fmt: on


@pytest.mark.parametrize("obj", sorted(ACK_SHOWN_GRID))
def test_cluster_page_offers_acknowledging_to_who_may(s, obj):
    warning = s["warning"][obj]
    url = reverse("stats:cluster", kwargs={"slug": warning.cluster.slug})
    form = reverse("stats:acknowledge", kwargs={"pk": warning.pk})
    shown = []
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(s["users"][role])
        shown.append(f'action="{form}"' in client.get(url).content.decode())
    assert tuple(shown) == ACK_SHOWN_GRID[obj], dict(zip(ROLES, shown, strict=True))
    assert tuple(shown) == tuple(
        can(s["users"][r], "stats.acknowledge_warning", warning) for r in ROLES
    )


def test_round_page_shows_a_firm_only_its_own_form(s):
    world, rnd = s["world"], s["round"]["own"]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.firm_member)
    html = client.get(reverse("stats:round", kwargs={"pk": rnd.pk})).content.decode()
    assert world.firm.name_zh in html and s["neighbour"].name_zh not in html
    client.force_login(world.humen_office)
    html = client.get(reverse("stats:round", kwargs={"pk": rnd.pk})).content.decode()
    assert s["neighbour"].name_zh in html and 'id="round-status"' in html


def test_series_from_to_and_bad_parameters(s):
    world = s["world"]
    for year in (2023, 2024):
        services.submit_figures(
            world.other_firm_admin,
            world.other_firm,
            services.period_for("year", year),
            {"revenue": "700"},
        )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.operator)
    params = {"indicator": "revenue", "level": "cluster", "id": world.keqiao.pk}
    periods = [
        p["period"]
        for p in client.get("/api/v1/stats/series", params | {"from": 2024, "to": 2025}).json()[
            "points"
        ]
    ]
    assert periods == ["2024", "2025"]
    bad = client.get("/api/v1/stats/series", params | {"level": "galaxy"})
    assert bad.status_code == 422 and "level must be one of" in bad.json()["message"]
    bad = client.get("/api/v1/stats/series", params | {"period_kind": "week"})
    assert bad.status_code == 422


# POSTs of the assessment pages. The operator comes last, so its write cannot hide another's.
# fmt: off
POST_GRID = {
    #                                  anon   member admin other h_off k_off oper
    ("scheme_new", "-"):               (LOGIN, 403,  403,  403,  403,  403,  302),
    ("scheme", "-"):                   (403,  403,   403,  403,  403,  403,  400),
    ("scheme", "draft"):               (404,  404,   404,  404,  404,  404,  302),
    ("scheme_run", "-"):               (LOGIN, 403,  403,  403,  403,  403,  302),
    ("scheme_run", "draft"):           (LOGIN, 404,  404,  404,  404,  404,  302),
    ("scheme_version", "-"):           (LOGIN, 403,  403,  403,  403,  403,  302),
    ("scheme_version", "draft"):       (LOGIN, 404,  404,  404,  404,  404,  302),
    ("assessment_publish", "-"):       (LOGIN, 403,  403,  403,  403,  403,  302),
    ("assessment_publish", "draft"):   (LOGIN, 404,  404,  404,  404,  404,  302),
}
# fmt: on
POST_DATA = {
    "scheme_new": {"code": "matrix", "name_zh": "矩阵方案"},
    "scheme": {
        "rows": "1",
        "dimension_0": "scale",
        "metric_0": "output_value",
        "weight_0": "1",
        "direction_0": "higher",
        "normalisation_0": "min_max",
    },
    "scheme_run": {"year": "2025"},
}  # fmt: skip


@pytest.mark.parametrize(("name", "obj"), sorted(POST_GRID))
def test_assessment_posts(s, name, obj):
    url = reverse(f"stats:{name}", kwargs=PAGE_ARGS[name](s, obj))
    runs_before = AssessmentRun.objects.filter(status="published").count()
    for role, expected in zip(ROLES, POST_GRID[(name, obj)], strict=True):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(s["users"][role])
        response = client.post(url, POST_DATA.get(name, {}))
        if expected == LOGIN:
            assert response.status_code == 302 and "/login/" in response["Location"], (role, url)
        else:
            assert response.status_code == expected, (role, url, response.status_code)
        if role != "operator":
            # Nobody but the operator changed anything.
            assert AssessmentRun.objects.filter(status="published").count() == runs_before
            assert not AssessmentScheme.objects.filter(code="matrix").exists()
            assert s["schemes"]["draft"].items.count() == 11


# --- POSTs of the round and warning pages ---------------------------------------------------------
#
# The write of each page that takes a POST and is not an assessment page (those are in POST_GRID):
# the form pages (their GET is in PAGE_GRID) and the POST-only ones (GET answers 405 above), with
# valid data. "own" is Humen's cluster / round / warning, "foreign" Keqiao's.
#   DONE   302 and the write is in the database
#   200    the page shown again, nothing written (an office has no firm of its own to report for)
#   LOGIN / 403: refused, nothing written
DONE = "done"
REVISED = D("4321")


def _round_new(s, o):
    return {
        "title": "矩阵轮次",
        "period_kind": "year",
        "year": "2024",
        "number": "1",
        "indicators": [Indicator.objects.get(code="revenue").pk],
        "deadline": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
    }


def _round_form(s, o):
    return {
        "enterprise": s["enterprise"][o].pk,
        "revenue": str(REVISED),
        "reason_revenue": "矩阵测试更正",
        "confirm_revenue": "on",
    }


def _round_sheet(s, o):
    from openpyxl import Workbook

    firm = s["enterprise"][o]
    wb = Workbook()
    wb.active.append(["统一社会信用代码 USCC", "企业名称 Firm", "营业收入 [revenue]", "说明 Note"])
    wb.active.append([firm.uscc, firm.name_zh, float(REVISED), "矩阵测试更正"])
    out = io.BytesIO()
    wb.save(out)
    return {"file": SimpleUploadedFile("round.xlsx", out.getvalue())}


def _revised(s, o):
    return Value.objects.filter(
        enterprise=s["enterprise"][o], indicator__code="revenue", value=REVISED
    ).exists()


ROUND_POSTS = {
    "round_new": (
        _round_new,
        lambda s, o: ReportingRound.objects.filter(title="矩阵轮次").exists(),
    ),
    "acknowledge": (
        lambda s, o: {"note": "已约谈重点企业"},
        lambda s, o: ClusterWarning.objects.filter(
            pk=s["warning"][o].pk, acknowledged_at__isnull=False
        ).exists(),
    ),
    "round": (_round_form, _revised),
    "round_upload": (_round_sheet, _revised),
    "round_remind": (
        lambda s, o: {},
        lambda s, o: RoundReminder.objects.filter(round=s["round"][o]).exists(),
    ),
}

# fmt: off
ROUND_POST_GRID = {
    #                               anon   member admin  other  h_off  k_off  oper
    ("round_new", "own"):           (LOGIN, 403,  403,   403,   DONE,  403,   DONE),
    ("round_new", "foreign"):       (LOGIN, 403,  403,   403,   403,   DONE,  DONE),
    ("acknowledge", "own"):         (LOGIN, 403,  403,   403,   DONE,  403,   DONE),
    ("acknowledge", "foreign"):     (LOGIN, 403,  403,   403,   403,   DONE,  DONE),
    ("round", "own"):               (LOGIN, DONE, DONE,  403,   200,   403,   200),
    ("round", "foreign"):           (LOGIN, 403,  403,   DONE,  403,   200,   200),
    ("round_upload", "own"):        (LOGIN, 403,  403,   403,   DONE,  403,   DONE),
    ("round_upload", "foreign"):    (LOGIN, 403,  403,   403,   403,   DONE,  DONE),
    ("round_remind", "own"):        (LOGIN, 403,  403,   403,   DONE,  403,   DONE),
    ("round_remind", "foreign"):    (LOGIN, 403,  403,   403,   403,   DONE,  DONE),
}
# fmt: on


def test_every_stats_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    posted = {f"stats:{name}" for name, _o in (*POST_GRID, *ROUND_POST_GRID)}
    assert set(ROUND_POSTS) == {name for name, _o in ROUND_POST_GRID}
    assert post_pages("stats") == posted


@pytest.mark.parametrize(("name", "obj"), sorted(ROUND_POST_GRID))
def test_round_posts(s, name, obj):
    data, written = ROUND_POSTS[name]
    url = reverse(f"stats:{name}", kwargs=PAGE_ARGS[name](s, obj))
    got = post_as_each_role(s["users"], ROLES, url, lambda: data(s, obj), lambda: written(s, obj))
    assert got == ROUND_POST_GRID[(name, obj)], dict(zip(ROLES, got, strict=True))
