"""The marketplace's permission matrix: every rule, API operation and page × every role, on own,
foreign, cluster-only and draft objects. Each row lists the outcome per role in ROLES order.

Roles: anonymous · firm_member / firm_admin (the Humen garment firm, the buyer) ·
other_firm_admin (the Keqiao mill, a supplier in another cluster) · humen_mill_admin (a supplier
in the buyer's cluster) · humen_office / keqiao_office (cluster office admins) · operator.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from weft.accounts.permissions import RULES, can, firms_to_post_for
from weft.market import services
from weft.market.models import CapacityOffer, Demand, Quote, Report

from ..matrix import api_operations, as_post, post_as_each_role, post_pages, row_counts
from .conftest import demand_data, offer_data, post_open

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "firm_member",
    "firm_admin",
    "other_firm_admin",
    "humen_mill_admin",
    "humen_office",
    "keqiao_office",
    "operator",
)
Y, N = True, False
LOGIN = "login"


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n"


def _pdf(objects=None):
    return {"file": SimpleUploadedFile("报价明细.pdf", PDF, "application/pdf")}


@pytest.fixture
def mx(market, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    w = market.world
    users = {
        "anonymous": AnonymousUser(),
        "firm_member": market.buyer_member,
        "firm_admin": market.buyer_admin,
        "other_firm_admin": market.keqiao_admin,
        "humen_mill_admin": market.humen_mill_admin,
        "humen_office": w.humen_office,
        "keqiao_office": w.keqiao_office,
        "operator": w.operator,
    }
    public = post_open(market.buyer_admin)
    cluster = post_open(
        market.buyer_admin, title="虎门内部采购", category="denim", visibility="cluster"
    )
    draft = services.post_demand(
        user=market.buyer_admin, data=demand_data(title="草稿需求", category="silk_woven")
    )
    quote_data = {
        "unit_price": Decimal("12"),
        "quantity": Decimal("1000"),
        "lead_time_days": 20,
        "valid_until": timezone.localdate() + datetime.timedelta(days=9),
    }
    quote = services.submit_quote(user=market.keqiao_admin, demand=public, data=quote_data)
    delivered = post_open(market.buyer_admin, title="已交货需求", category="linen_woven")
    done = services.submit_quote(user=market.keqiao_admin, demand=delivered, data=quote_data)
    award = services.award(user=market.buyer_admin, quote=done)
    for action in ("start_production", "deliver"):
        services.act(market.buyer_admin, delivered, action)
    offer = services.post_offer(user=market.keqiao_admin, data=offer_data())
    report = services.report_post(user=market.keqiao_admin, post=public, reason="信息不实")
    quote_file = services.add_attachment(
        user=market.keqiao_admin, upload=_pdf()["file"], quote=quote
    )
    demand_file = services.add_attachment(
        user=market.buyer_admin, upload=_pdf()["file"], demand=cluster
    )
    # Keqiao's side: the Keqiao mill buys too (a post only its cluster sees, and an open one with a
    # Humen mill's quote, reported by the Humen buyer), so Humen's people act on a foreign object.
    kq_cluster = post_open(
        market.keqiao_admin, title="柯桥内部采购", category="denim", visibility="cluster"
    )
    kq_public = post_open(market.keqiao_admin, title="柯桥公开采购", category="silk_woven")
    kq_quote = services.submit_quote(
        user=market.humen_mill_admin, demand=kq_public, data=quote_data
    )
    kq_report = services.report_post(user=market.buyer_admin, post=kq_public, reason="信息不实")
    objects = {
        "kq_cluster": kq_cluster,
        "kq_public": kq_public,
        "kq_quote": kq_quote,
        "kq_report": kq_report,
        "public": public,
        "cluster": cluster,
        "draft": draft,
        "quote": quote,
        "award": award,
        "offer": offer,
        "report": report,
        "quote_file": quote_file,
        "demand_file": demand_file,
        "own_firm": market.buyer,
        "foreign_firm": market.keqiao_mill,
        "-": None,
    }
    return market, users, objects


# --- 1. can(...) -------------------------------------------------------------------------------

# fmt: off
CAN_GRID = {
    #                                           anon mem adm kq  hm  h_off k_off oper
    ("market.view_demand", "public"):          (Y,  Y,  Y,  Y,  Y,  Y,    Y,    Y),
    ("market.view_demand", "cluster"):         (N,  Y,  Y,  N,  Y,  Y,    N,    Y),
    ("market.view_demand", "draft"):           (N,  Y,  Y,  N,  N,  N,    N,    Y),
    ("market.post", "own_firm"):               (N,  N,  Y,  N,  N,  N,    N,    N),
    ("market.post", "foreign_firm"):           (N,  N,  N,  Y,  N,  N,    N,    N),
    ("market.manage_demand", "public"):        (N,  N,  Y,  N,  N,  N,    N,    N),
    ("market.edit_demand", "public"):          (N,  N,  Y,  N,  N,  N,    N,    N),
    ("market.edit_demand", "cluster"):         (N,  N,  Y,  N,  N,  N,    N,    N),
    ("market.view_demand_history", "public"):  (N,  Y,  Y,  N,  N,  Y,    N,    Y),
    ("market.view_demand_history", "cluster"): (N,  Y,  Y,  N,  N,  Y,    N,    Y),
    ("market.view_demand_quotes", "public"):   (N,  Y,  Y,  N,  N,  N,    N,    Y),
    ("market.quote", "public"):                (N,  N,  N,  Y,  Y,  N,    N,    N),
    ("market.quote", "cluster"):               (N,  N,  N,  N,  Y,  N,    N,    N),
    ("market.view_quote", "quote"):            (N,  Y,  Y,  Y,  N,  N,    N,    Y),
    ("market.manage_quote", "quote"):          (N,  N,  N,  Y,  N,  N,    N,    N),
    ("market.quote_files", "quote"):           (N,  Y,  Y,  Y,  N,  N,    N,    N),
    ("market.download_attachment", "quote_file"): (N, Y, Y, Y,  N,  N,    N,    N),
    ("market.download_attachment", "demand_file"): (N, Y, Y, N, Y,  Y,    N,    Y),
    ("market.view_offer", "offer"):            (Y,  Y,  Y,  Y,  Y,  Y,    Y,    Y),
    ("market.manage_offer", "offer"):          (N,  N,  N,  Y,  N,  N,    N,    N),
    ("market.rate", "award"):                  (N,  N,  Y,  Y,  N,  N,    N,    N),
    ("market.report", "public"):               (N,  Y,  Y,  Y,  Y,  Y,    Y,    Y),
    ("market.report", "cluster"):              (N,  Y,  Y,  N,  Y,  Y,    N,    Y),
    ("market.moderate", "public"):             (N,  N,  N,  N,  N,  Y,    N,    Y),
    ("market.moderate", "offer"):              (N,  N,  N,  N,  N,  N,    Y,    Y),
    ("market.view_reports", "-"):              (N,  N,  N,  N,  N,  Y,    Y,    Y),
}
# fmt: on


def test_every_market_rule_is_in_the_matrix():
    assert {a for a in RULES if a.startswith("market.")} == {a for a, _o in CAN_GRID}


@pytest.mark.parametrize(("action", "obj"), sorted(CAN_GRID))
def test_can(mx, action, obj):
    _market, users, objects = mx
    got = tuple(can(users[role], action, objects[obj]) for role in ROLES)
    assert got == CAN_GRID[(action, obj)], dict(zip(ROLES, got, strict=True))


# The firms a form offers to post for (`firms_to_post_for`): exactly those `market.post` allows.
# fmt: off
POST_FOR_GRID = {
    #                   anon mem adm kq  hm  h_off k_off oper
    "own_firm":        (N,  N,  Y,  N,  N,  N,    N,    N),
    "foreign_firm":    (N,  N,  N,  Y,  N,  N,    N,    N),
}
# fmt: on


@pytest.mark.parametrize("obj", sorted(POST_FOR_GRID))
def test_firms_to_post_for_are_those_market_post_allows(mx, obj):
    _market, users, objects = mx
    firm = objects[obj]
    listed = tuple(
        firm.pk in {o.enterprise_id for o in firms_to_post_for(users[role])} for role in ROLES
    )
    assert listed == POST_FOR_GRID[obj], dict(zip(ROLES, listed, strict=True))
    assert listed == tuple(can(users[role], "market.post", firm) for role in ROLES)


# --- 2. the API ----------------------------------------------------------------------------

A = "/api/v1"


def _new_demand(objects):
    data = demand_data(title="新需求", category="denim", spec="矩阵")
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, Decimal) else v)
        for k, v in data.items()
    }


def _new_offer(objects):
    data = offer_data(categories=["denim"], title="矩阵产能")
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, Decimal) else v)
        for k, v in data.items()
    }


def _quote_body(objects):
    return {
        "unit_price": "11.5",
        "quantity": "100",
        "lead_time_days": 10,
        "valid_until": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
    }


# operation: (method, path template, body builder)
OPERATIONS = {
    "GET /demands": ("get", "/demands", None),
    "POST /demands": ("post", "/demands", _new_demand),
    "GET /demands/{demand_id}": ("get", "/demands/{cluster}", None),
    "PATCH /demands/{demand_id}": (
        "patch",
        "/demands/{cluster}",
        lambda o: {"spec": "改为40支", "quantity": "6000"},
    ),
    "GET /demands/{demand_id}/transitions": ("get", "/demands/{cluster}/transitions", None),
    "POST /demands/{demand_id}/publish": ("post", "/demands/{draft}/publish", None),
    "POST /demands/{demand_id}/cancel": ("post", "/demands/{public}/cancel", None),
    "POST /demands/{demand_id}/start-production": (
        "post",
        "/demands/{public}/start-production",
        None,
    ),
    "POST /demands/{demand_id}/deliver": ("post", "/demands/{public}/deliver", None),
    "POST /demands/{demand_id}/close": ("post", "/demands/{public}/close", None),
    "GET /demands/{demand_id}/matches": ("get", "/demands/{public}/matches", None),
    "POST /demands/{demand_id}/invitations": (
        "post",
        "/demands/{public}/invitations",
        lambda o: {"enterprise_id": o["foreign_firm"].pk},
    ),
    "GET /demands/{demand_id}/quotes": ("get", "/demands/{public}/quotes", None),
    "POST /demands/{demand_id}/quotes": ("post", "/demands/{public}/quotes", _quote_body),
    "POST /demands/{demand_id}/reports": (
        "post",
        "/demands/{public}/reports",
        lambda o: {"reason": "重复发布"},
    ),
    "GET /quotes/{quote_id}": ("get", "/quotes/{quote}", None),
    "POST /quotes/{quote_id}/award": ("post", "/quotes/{quote}/award", lambda o: {}),
    "POST /quotes/{quote_id}/withdraw": ("post", "/quotes/{quote}/withdraw", None),
    "GET /quotes/{quote_id}/attachments": ("get", "/quotes/{quote}/attachments", None),
    "POST /quotes/{quote_id}/attachments": ("post", "/quotes/{quote}/attachments", _pdf),
    "GET /attachments/{attachment_id}": ("get", "/attachments/{quote_file}", None),
    "POST /awards/{award_id}/ratings": (
        "post",
        "/awards/{award}/ratings",
        lambda o: {"on_time": True, "quality": 4},
    ),
    "GET /capacity-offers": ("get", "/capacity-offers", None),
    "POST /capacity-offers": ("post", "/capacity-offers", _new_offer),
    "GET /capacity-offers/{offer_id}": ("get", "/capacity-offers/{offer}", None),
    "POST /capacity-offers/{offer_id}/close": ("post", "/capacity-offers/{offer}/close", None),
    "GET /capacity-offers/{offer_id}/matches": ("get", "/capacity-offers/{offer}/matches", None),
    "POST /capacity-offers/{offer_id}/reports": (
        "post",
        "/capacity-offers/{offer}/reports",
        lambda o: {"reason": "虚假产能"},
    ),
    "POST /reports/{report_id}/decide": (
        "post",
        "/reports/{report}/decide",
        lambda o: {"hide": True},
    ),
    "GET /saved-searches": ("get", "/saved-searches", None),
    "POST /saved-searches": (
        "post",
        "/saved-searches",
        lambda o: {"name": "府绸", "filters": {"q": "府绸"}},
    ),
    "GET /notifications": ("get", "/notifications", None),
}

# fmt: off
API_GRID = {
    #                                              anon mem  adm  kq   hm   h_off k_off oper
    "GET /demands":                               (200, 200, 200, 200, 200, 200, 200, 200),
    "POST /demands":                              (401, 403, 201, 201, 201, 403, 403, 403),
    "GET /demands/{demand_id}":                   (404, 200, 200, 404, 200, 200, 404, 200),
    "PATCH /demands/{demand_id}":                 (401, 403, 200, 404, 403, 403, 404, 403),
    "GET /demands/{demand_id}/transitions":       (404, 200, 200, 404, 200, 200, 404, 200),
    "POST /demands/{demand_id}/publish":          (401, 403, 200, 404, 404, 404, 404, 403),
    "POST /demands/{demand_id}/cancel":           (401, 403, 200, 403, 403, 403, 403, 403),
    "POST /demands/{demand_id}/start-production": (401, 403, 409, 403, 403, 403, 403, 403),
    "POST /demands/{demand_id}/deliver":          (401, 403, 409, 403, 403, 403, 403, 403),
    "POST /demands/{demand_id}/close":            (401, 403, 409, 403, 403, 403, 403, 403),
    "GET /demands/{demand_id}/matches":           (401, 200, 200, 403, 403, 403, 403, 200),
    "POST /demands/{demand_id}/invitations":      (401, 403, 201, 403, 403, 403, 403, 403),
    "GET /demands/{demand_id}/quotes":            (401, 200, 200, 200, 200, 200, 200, 200),
    "POST /demands/{demand_id}/quotes":           (401, 403, 403, 409, 201, 403, 403, 403),
    "POST /demands/{demand_id}/reports":          (401, 201, 201, 201, 201, 201, 201, 201),
    "GET /quotes/{quote_id}":                     (401, 200, 200, 200, 404, 404, 404, 200),
    "POST /quotes/{quote_id}/award":              (401, 403, 201, 403, 404, 404, 404, 403),
    "POST /quotes/{quote_id}/withdraw":           (401, 403, 403, 200, 404, 404, 404, 403),
    "GET /quotes/{quote_id}/attachments":         (401, 200, 200, 200, 404, 404, 404, 403),
    "POST /quotes/{quote_id}/attachments":        (401, 403, 403, 201, 404, 404, 404, 403),
    "GET /attachments/{attachment_id}":           (401, 200, 200, 200, 404, 404, 404, 403),
    "POST /awards/{award_id}/ratings":            (401, 403, 201, 201, 404, 404, 404, 403),
    "GET /capacity-offers":                       (200, 200, 200, 200, 200, 200, 200, 200),
    "POST /capacity-offers":                      (401, 403, 201, 201, 201, 403, 403, 403),
    "GET /capacity-offers/{offer_id}":            (200, 200, 200, 200, 200, 200, 200, 200),
    "POST /capacity-offers/{offer_id}/close":     (401, 403, 403, 200, 403, 403, 403, 403),
    "GET /capacity-offers/{offer_id}/matches":    (401, 403, 403, 200, 403, 403, 403, 200),
    "POST /capacity-offers/{offer_id}/reports":   (401, 201, 201, 201, 201, 201, 201, 201),
    "POST /reports/{report_id}/decide":           (401, 403, 403, 403, 403, 200, 403, 200),
    "GET /saved-searches":                        (401, 200, 200, 200, 200, 200, 200, 200),
    "POST /saved-searches":                       (401, 201, 201, 201, 201, 201, 201, 201),
    "GET /notifications":                         (401, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on


def test_every_market_api_operation_is_in_the_matrix():
    documented = api_operations("market")
    assert documented == set(API_GRID) == set(OPERATIONS)


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.mark.parametrize("operation", sorted(API_GRID))
def test_api(mx, operation):
    _market, users, objects = mx
    method, template, body = OPERATIONS[operation]
    path = A + template.format(**{k: getattr(v, "pk", v) for k, v in objects.items()})
    got = []
    for role in ROLES:
        # Each role acts on the same starting state: the call is rolled back afterwards.
        with transaction.atomic():
            before = _market_state()
            client = _client(users[role])
            if method == "get":
                response = client.get(path)
            elif method == "patch":
                data = json.dumps(body(objects))
                response = client.patch(path, data, content_type="application/json")
            elif body is _pdf:  # a file upload: multipart
                response = client.post(path, _pdf())
            else:
                data = json.dumps(body(objects)) if body else "{}"
                response = client.post(path, data, content_type="application/json")
            got.append(response.status_code)
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message", "details"}
                assert _market_state() == before, (role, "a refused call changed the database")
            transaction.set_rollback(True)
    assert tuple(got) == API_GRID[operation], dict(zip(ROLES, got, strict=True))


def _market_state():
    """Every table's size and every row a market write changes: equal before and after a refusal."""
    return (
        row_counts(),
        list(Demand.objects.order_by("pk").values()),
        list(Quote.objects.order_by("pk").values()),
        list(Report.objects.order_by("pk").values()),
        list(CapacityOffer.objects.order_by("pk").values()),
    )


# The same operations on Keqiao's objects (see the fixture): a Humen firm, a Humen mill and the
# Humen office act on another cluster's demand, quote and report. Refusals change nothing.
# fmt: off
FOREIGN_API_GRID = {
    #                                                                              anon mem  adm  kq   hm   h_off k_off oper
    ("GET /demands/{demand_id}", "/demands/{kq_cluster}"):                          (404, 404, 404, 200, 404, 404, 200, 200),
    ("PATCH /demands/{demand_id}", "/demands/{kq_cluster}"):                        (401, 404, 404, 200, 404, 404, 403, 403),
    ("POST /demands/{demand_id}/cancel", "/demands/{kq_cluster}/cancel"):           (401, 404, 404, 200, 404, 404, 403, 403),
    ("POST /demands/{demand_id}/cancel", "/demands/{kq_public}/cancel"):            (401, 403, 403, 200, 403, 403, 403, 403),
    ("POST /demands/{demand_id}/invitations", "/demands/{kq_public}/invitations"):  (401, 403, 403, 201, 403, 403, 403, 403),
    ("POST /demands/{demand_id}/quotes", "/demands/{kq_cluster}/quotes"):           (401, 404, 404, 403, 404, 404, 403, 403),
    ("GET /demands/{demand_id}/quotes", "/demands/{kq_public}/quotes"):             (401, 200, 200, 200, 200, 200, 200, 200),
    ("GET /quotes/{quote_id}", "/quotes/{kq_quote}"):                               (401, 404, 404, 200, 200, 404, 404, 200),
    ("POST /quotes/{quote_id}/award", "/quotes/{kq_quote}/award"):                  (401, 404, 404, 201, 403, 404, 404, 403),
    ("POST /quotes/{quote_id}/withdraw", "/quotes/{kq_quote}/withdraw"):            (401, 404, 404, 403, 200, 404, 404, 403),
    ("POST /reports/{report_id}/decide", "/reports/{kq_report}/decide"):            (401, 403, 403, 403, 403, 403, 200, 200),
}
# fmt: on


@pytest.mark.parametrize(("operation", "template"), sorted(FOREIGN_API_GRID))
def test_api_on_foreign_objects(mx, operation, template):
    _market, users, objects = mx
    method, _template, body = OPERATIONS[operation]
    if operation == "POST /demands/{demand_id}/invitations":
        body = lambda o: {"enterprise_id": o["own_firm"].pk}  # noqa: E731 - invite the Humen firm
    path = A + template.format(**{k: getattr(v, "pk", v) for k, v in objects.items()})
    got = []
    for role in ROLES:
        with transaction.atomic():
            before = _market_state()
            client = _client(users[role])
            if method == "get":
                response = client.get(path)
            else:
                data = json.dumps(body(objects)) if body else "{}"
                response = getattr(client, method)(path, data, content_type="application/json")
            got.append(response.status_code)
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message", "details"}
                assert _market_state() == before, (role, "a refused call changed the database")
            transaction.set_rollback(True)
    assert tuple(got) == FOREIGN_API_GRID[(operation, template)], dict(zip(ROLES, got, strict=True))


# What each role's demand list holds, of the posts below: each row is the set it must show; the
# others (another cluster's cluster-only post, another firm's draft) must be absent.
LISTED = ("public", "cluster", "draft", "delivered", "kq_public", "kq_cluster")
# fmt: off
DEMAND_LIST = {
    "anonymous":        {"public", "kq_public"},
    "firm_member":      {"public", "cluster", "kq_public"},
    "firm_admin":       {"public", "cluster", "kq_public"},
    "other_firm_admin": {"public", "kq_public", "kq_cluster"},
    "humen_mill_admin": {"public", "cluster", "kq_public"},
    "humen_office":     {"public", "cluster", "kq_public"},
    "keqiao_office":    {"public", "kq_public", "kq_cluster"},
    "operator":         {"public", "cluster", "kq_public", "kq_cluster"},
}
MY_DEMANDS = {
    "anonymous":        set(),
    "firm_member":      {"public", "cluster", "draft", "delivered"},
    "firm_admin":       {"public", "cluster", "draft", "delivered"},
    "other_firm_admin": {"kq_public", "kq_cluster"},
    "humen_mill_admin": set(),
    "humen_office":     set(),
    "keqiao_office":    set(),
    "operator":         set(),
}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_demand_list_shows_only_what_the_role_may_see(mx, role):
    _market, users, objects = mx
    objects["delivered"] = Demand.objects.get(title="已交货需求")
    by_id = {objects[key].pk: key for key in LISTED}
    client = _client(users[role])
    listed = client.get(f"{A}/demands", {"page_size": 100}).json()["results"]
    assert all(d["id"] in by_id for d in listed)
    assert {by_id[d["id"]] for d in listed} == DEMAND_LIST[role]
    if role != "anonymous":
        mine = client.get(f"{A}/demands", {"mine": "true", "page_size": 100}).json()["results"]
        assert all(d["id"] in by_id for d in mine)
        assert {by_id[d["id"]] for d in mine} == MY_DEMANDS[role]


# --- 3. pages --------------------------------------------------------------------------------

# name: (method, object for the pk or None, extra kwargs, POST data)
PAGES = {
    "market:browse": ("get", None, {}, None),
    "market:mine": ("get", None, {}, None),
    "market:save_search": ("post", None, {}, lambda o: {"q": "府绸", "kind": "demands"}),
    "market:reports": ("get", None, {}, None),
    "market:report_decide": ("post", "report", {}, lambda o: {"decision": "hide"}),
    "market:demand_new": ("get", None, {}, None),
    "market:demand_detail": ("get", "cluster", {}, None),
    "market:demand_edit": ("get", "cluster", {}, None),
    "market:demand_quote": (
        "post",
        "public",
        {},
        lambda o: {**_quote_body(o)},
    ),
    "market:demand_invite": (
        "post",
        "public",
        {},
        lambda o: {"enterprise_id": o["foreign_firm"].pk},
    ),
    "market:demand_attach": ("post", "public", {}, lambda o: {}),
    "market:demand_report": ("post", "public", {}, lambda o: {"reason": "信息不实"}),
    "market:demand_action": ("post", "public", {"action": "cancel"}, lambda o: {}),
    "market:quote_award": ("post", "quote", {}, lambda o: {}),
    "market:quote_attach": ("post", "quote", {}, _pdf),
    "market:attachment_download": ("get", "quote_file", {}, None),
    "market:award_rate": ("post", "award", {}, lambda o: {"on_time": "yes", "quality": "4"}),
    "market:offer_new": ("get", None, {}, None),
    "market:offer_detail": ("get", "offer", {}, None),
}

# fmt: off
PAGE_GRID = {
    #                          anon   mem  adm  kq   hm   h_off k_off oper
    "market:browse":          (200,   200, 200, 200, 200, 200, 200, 200),
    "market:mine":            (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    "market:save_search":     (LOGIN, 302, 302, 302, 302, 302, 302, 302),
    "market:reports":         (LOGIN, 403, 403, 403, 403, 200, 200, 200),
    "market:report_decide":   (LOGIN, 403, 403, 403, 403, 302, 403, 302),
    "market:demand_new":      (LOGIN, 403, 200, 200, 200, 403, 403, 403),
    "market:demand_detail":   (404,   200, 200, 404, 200, 200, 404, 200),
    "market:demand_edit":     (LOGIN, 403, 200, 404, 403, 403, 404, 403),
    "market:demand_quote":    (LOGIN, 403, 403, 302, 302, 403, 403, 403),
    "market:demand_invite":   (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "market:demand_attach":   (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "market:demand_report":   (LOGIN, 302, 302, 302, 302, 302, 302, 302),
    "market:demand_action":   (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "market:quote_award":     (LOGIN, 403, 302, 403, 404, 404, 404, 403),
    "market:quote_attach":    (LOGIN, 403, 403, 302, 404, 404, 404, 403),
    "market:attachment_download": (404, 200, 200, 200, 404, 404, 404, 403),
    "market:award_rate":      (LOGIN, 403, 302, 302, 403, 403, 403, 403),
    "market:offer_new":       (LOGIN, 403, 200, 200, 200, 403, 403, 403),
    "market:offer_detail":    (200,   200, 200, 200, 200, 200, 200, 200),
}
# fmt: on


def test_every_market_page_is_in_the_matrix():
    from weft.market import urls as market_urls

    names = {f"market:{p.name}" for p in market_urls.urlpatterns}
    assert names == set(PAGE_GRID) == set(PAGES)


@pytest.mark.parametrize("name", sorted(PAGE_GRID))
def test_page(mx, name):
    _market, users, objects = mx
    method, obj, kwargs, data = PAGES[name]
    if obj is not None:
        kwargs = {**kwargs, "pk": objects[obj].pk}
    url = reverse(name, kwargs=kwargs)
    got = []
    for role in ROLES:
        with transaction.atomic():
            before = _market_state()
            client = _client(users[role])
            response = client.get(url) if method == "get" else client.post(url, data(objects))
            if response.status_code == 302 and "/login/" in response["Location"]:
                got.append(LOGIN)
            else:
                got.append(response.status_code)
            if method == "post" and response.status_code != 302:
                assert _market_state() == before, (role, "a refused POST changed the database")
            transaction.set_rollback(True)
    assert tuple(got) == PAGE_GRID[name], dict(zip(ROLES, got, strict=True))


# The POST of the form pages (their GET is in PAGE_GRID), with valid data: 302 is the write done,
# anything else must leave the database as it was.


def _form_time(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _demand_post(objects):
    data = demand_data(title="矩阵新需求", category="denim", publish=True)
    return as_post({**data, "quote_deadline": _form_time(data["quote_deadline"])})


def _demand_edit_post(objects):
    demand = objects["cluster"]
    data = {f: getattr(demand, f) for f in services.DEMAND_FIELDS}
    data["quote_deadline"] = _form_time(demand.quote_deadline)
    return {**as_post(data), "spec": "矩阵改规格"}


def _offer_post(objects):
    return as_post(offer_data(title="矩阵新产能", categories=["denim"]))


# name: (object for the pk or None, POST data, the write is in the database)
FORM_POSTS = {
    "market:demand_new": (
        None,
        _demand_post,
        lambda o: Demand.objects.filter(title="矩阵新需求").exists(),
    ),
    "market:demand_edit": (
        "cluster",
        _demand_edit_post,
        lambda o: Demand.objects.filter(pk=o["cluster"].pk, spec="矩阵改规格").exists(),
    ),
    "market:offer_new": (
        None,
        _offer_post,
        lambda o: CapacityOffer.objects.filter(title="矩阵新产能").exists(),
    ),
}

# fmt: off
FORM_POST_GRID = {
    #                          anon   mem  adm  kq   hm   h_off k_off oper
    "market:demand_new":      (LOGIN, 403, 302, 302, 302, 403, 403, 403),
    "market:demand_edit":     (LOGIN, 403, 302, 404, 403, 403, 404, 403),
    "market:offer_new":       (LOGIN, 403, 302, 302, 302, 403, 403, 403),
}
# fmt: on


def test_every_market_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    posted = {name for name, spec in PAGES.items() if spec[0] == "post"} | set(FORM_POST_GRID)
    assert set(FORM_POST_GRID) == set(FORM_POSTS)
    assert post_pages("market") == posted


@pytest.mark.parametrize("name", sorted(FORM_POST_GRID))
def test_form_post(mx, name):
    _market, users, objects = mx
    obj, data, written = FORM_POSTS[name]
    url = reverse(name, kwargs={"pk": objects[obj].pk} if obj else {})
    got = post_as_each_role(
        users, ROLES, url, lambda: data(objects), lambda: written(objects), done=302
    )
    assert got == FORM_POST_GRID[name], dict(zip(ROLES, got, strict=True))


# The write pages on Keqiao's objects, as FOREIGN_API_GRID: refusals change nothing.
# fmt: off
FOREIGN_PAGE_GRID = {
    #                                                       anon   mem  adm  kq   hm   h_off k_off oper
    ("market:demand_detail", "kq_cluster", None):          (404,   404, 404, 200, 404, 404, 200, 200),
    ("market:demand_edit", "kq_cluster", "post"):          (LOGIN, 404, 404, 302, 404, 404, 403, 403),
    ("market:demand_action", "kq_public", "post"):         (LOGIN, 403, 403, 302, 403, 403, 403, 403),
    ("market:quote_award", "kq_quote", "post"):            (LOGIN, 404, 404, 302, 403, 404, 404, 403),
    ("market:report_decide", "kq_report", "post"):         (LOGIN, 403, 403, 403, 403, 403, 302, 302),
}
# fmt: on


@pytest.mark.parametrize(("name", "obj", "method"), sorted(FOREIGN_PAGE_GRID, key=str))
def test_page_on_foreign_objects(mx, name, obj, method):
    _market, users, objects = mx
    kwargs = {"pk": objects[obj].pk}
    if name == "market:demand_action":
        kwargs["action"] = "cancel"
    url = reverse(name, kwargs=kwargs)
    data = {
        "market:demand_edit": lambda: {
            **_demand_edit_post({"cluster": objects[obj]}),
            "spec": "改",
        },
        "market:demand_action": dict,
        "market:quote_award": dict,
        "market:report_decide": lambda: {"decision": "hide"},
    }.get(name)
    got = []
    for role in ROLES:
        with transaction.atomic():
            before = _market_state()
            client = _client(users[role])
            response = client.get(url) if method is None else client.post(url, data())
            status = response.status_code
            if status == 302 and "/login/" in response["Location"]:
                status = LOGIN
            got.append(status)
            if method == "post" and status != 302:
                assert _market_state() == before, (role, "a refused POST changed the database")
            transaction.set_rollback(True)
    assert tuple(got) == FOREIGN_PAGE_GRID[(name, obj, method)], dict(zip(ROLES, got, strict=True))


def test_refused_writes_change_nothing(mx):
    market, users, objects = mx
    before = Demand.objects.get(pk=objects["public"].pk).status
    _client(users["other_firm_admin"]).post(f"{A}/demands/{objects['public'].pk}/cancel")
    _client(users["operator"]).post(
        f"{A}/quotes/{objects['quote'].pk}/award", "{}", content_type="application/json"
    )
    assert Demand.objects.get(pk=objects["public"].pk).status == before
    assert not objects["public"].awards.exists()
