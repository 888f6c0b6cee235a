"""Permission matrix of the services app: every rule and every API operation × every role, own
and foreign objects.

Roles: anonymous · firm_member / firm_admin (the Humen firm) · other_firm_admin (the Keqiao
firm) · humen_office / keqiao_office (cluster office admins; Humen issues the "own" programme,
Keqiao the "foreign" one) · operator · lab (admin of the provider of the "own" order) · studio
(admin of the provider of the "foreign" order).
"""

import json
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client

from tests.factories import member_of
from weft.accounts.models import Membership, Organisation
from weft.accounts.permissions import RULES, can, forget_actor, own_orgs_where
from weft.services import orders, vouchers
from weft.services.models import (
    Service,
    ServiceOrder,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherProgramme,
)

from ..matrix import api_operations, post_pages, row_counts
from .conftest import accepted_order, grant, make_programme

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "firm_member",
    "firm_admin",
    "other_firm_admin",
    "humen_office",
    "keqiao_office",
    "operator",
    "lab",
    "studio",
)
Y, N = True, False


@dataclass
class M:
    users: dict
    objects: dict


def _chain(market, firm_user, firm_org, service, programme, provider_user, issuer_user, voucher):
    """An order paid partly by `voucher`, delivered, confirmed and claimed."""
    order = orders.request_service(user=firm_user, service=service, firm=firm_org)
    orders.transition(user=firm_user, order_id=order.pk, name="accept")
    vouchers.redeem(user=firm_user, voucher_id=voucher.pk, order_id=order.pk)
    orders.transition(user=provider_user, order_id=order.pk, name="deliver", note="done")
    orders.transition(user=firm_user, order_id=order.pk, name="confirm")
    vouchers.claim_settlement(
        user=provider_user, provider_id=service.provider_id, programme_id=programme.pk
    )
    return Settlement.objects.get(programme=programme, provider_id=service.provider_id)


@pytest.fixture
def m(market) -> M:
    w = market.w
    w.operator.is_staff = w.operator.is_superuser = True
    w.operator.save()
    other_org = w.other_firm_admin.memberships.get().organisation
    keqiao_office_org = Organisation.objects.get(pk=w.keqiao.office_id)
    humen_office_org = Organisation.objects.get(pk=w.humen.office_id)
    foreign_programme = make_programme(
        w.keqiao_office, keqiao_office_org, clusters=[w.keqiao], categories=[]
    )
    own_voucher = grant(market)
    app = vouchers.apply(
        user=w.other_firm_admin, programme=foreign_programme, firm=other_org, amount="300"
    )
    vouchers.decide(user=w.keqiao_office, application=app, approve=True)
    app.refresh_from_db()
    foreign_voucher = app.voucher
    own_settlement = _chain(
        market,
        w.firm_admin,
        w.firm_org,
        market.testing,
        market.programme,
        market.lab_admin,
        w.humen_office,
        own_voucher,
    )
    foreign_settlement = _chain(
        market,
        w.other_firm_admin,
        other_org,
        market.design,
        foreign_programme,
        market.studio_admin,
        w.keqiao_office,
        foreign_voucher,
    )
    own_order = orders.request_service(user=w.firm_admin, service=market.testing, firm=w.firm_org)
    foreign_order = orders.request_service(
        user=w.other_firm_admin, service=market.design, firm=other_org
    )
    users = {r: getattr(w, r, None) for r in ROLES}
    users.update(anonymous=AnonymousUser(), lab=market.lab_admin, studio=market.studio_admin)
    return M(
        users=users,
        objects={
            "provider": {"own": market.lab, "foreign": market.studio},
            "service": {"own": market.testing, "foreign": market.design},
            "firm": {"own": w.firm_org, "foreign": other_org},
            "order": {"own": own_order, "foreign": foreign_order},
            "issuer": {"own": humen_office_org, "foreign": keqiao_office_org},
            "programme": {"own": market.programme, "foreign": foreign_programme},
            "voucher": {"own": own_voucher, "foreign": foreign_voucher},
            "settlement": {"own": own_settlement, "foreign": foreign_settlement},
            "market": market,
        },
    )


RULE_OBJECTS = {
    "services.offer_services": "provider",
    "services.manage_service": "service",
    "services.order_for": "firm",
    "services.view_order": "order",
    "services.act_as_firm": "order",
    "services.act_as_provider": "order",
    "services.act_on_order": "order",
    "services.review_order": "order",
    "services.pay_with_voucher": "order",
    "services.resolve_dispute": "order",
    "services.issue_programme": "issuer",
    "services.manage_programme": "programme",
    "services.view_programme_books": "programme",
    "services.apply_voucher": "firm",
    "services.view_voucher": "voucher",
    "services.redeem_voucher": "voucher",
    "services.claim_settlement": "provider",
    "services.view_settlement": "settlement",
    "services.decide_settlement": "settlement",
}

# fmt: off
CAN_GRID = {
    #                                                anon member admin other h_off k_off oper  lab  studio
    ("services.offer_services", "own"):             (N,   N,     N,    N,    N,    N,    Y,    Y,   N),
    ("services.offer_services", "foreign"):         (N,   N,     N,    N,    N,    N,    Y,    N,   Y),
    ("services.manage_service", "own"):             (N,   N,     N,    N,    N,    N,    Y,    Y,   N),
    ("services.manage_service", "foreign"):         (N,   N,     N,    N,    N,    N,    Y,    N,   Y),
    ("services.order_for", "own"):                  (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    ("services.order_for", "foreign"):              (N,   N,     N,    Y,    N,    N,    N,    N,   N),
    ("services.view_order", "own"):                 (N,   Y,     Y,    N,    N,    N,    Y,    Y,   N),  # office only once disputed
    ("services.view_order", "foreign"):             (N,   N,     N,    Y,    N,    N,    Y,    N,   Y),
    ("services.act_as_firm", "own"):                (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    ("services.act_as_firm", "foreign"):            (N,   N,     N,    Y,    N,    N,    N,    N,   N),
    ("services.act_as_provider", "own"):            (N,   N,     N,    N,    N,    N,    N,    Y,   N),
    ("services.act_as_provider", "foreign"):        (N,   N,     N,    N,    N,    N,    N,    N,   Y),
    ("services.act_on_order", "own"):               (N,   N,     Y,    N,    N,    N,    N,    Y,   N),
    ("services.act_on_order", "foreign"):           (N,   N,     N,    Y,    N,    N,    N,    N,   Y),
    ("services.review_order", "own"):               (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    ("services.review_order", "foreign"):           (N,   N,     N,    Y,    N,    N,    N,    N,   N),
    ("services.pay_with_voucher", "own"):           (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    ("services.pay_with_voucher", "foreign"):       (N,   N,     N,    Y,    N,    N,    N,    N,   N),
    ("services.resolve_dispute", "own"):            (N,   N,     N,    N,    Y,    N,    Y,    N,   N),
    ("services.resolve_dispute", "foreign"):        (N,   N,     N,    N,    N,    Y,    Y,    N,   N),
    ("services.issue_programme", "own"):            (N,   N,     N,    N,    Y,    N,    N,    N,   N),
    ("services.issue_programme", "foreign"):        (N,   N,     N,    N,    N,    Y,    N,    N,   N),
    ("services.manage_programme", "own"):           (N,   N,     N,    N,    Y,    N,    Y,    N,   N),
    ("services.manage_programme", "foreign"):       (N,   N,     N,    N,    N,    Y,    Y,    N,   N),
    ("services.view_programme_books", "own"):       (N,   N,     N,    N,    Y,    N,    Y,    N,   N),
    ("services.view_programme_books", "foreign"):   (N,   N,     N,    N,    N,    Y,    Y,    N,   N),
    ("services.apply_voucher", "own"):              (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    ("services.apply_voucher", "foreign"):          (N,   N,     N,    Y,    N,    N,    N,    N,   N),
    ("services.view_voucher", "own"):               (N,   Y,     Y,    N,    Y,    N,    Y,    N,   N),
    ("services.view_voucher", "foreign"):           (N,   N,     N,    Y,    N,    Y,    Y,    N,   N),
    ("services.redeem_voucher", "own"):             (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    ("services.redeem_voucher", "foreign"):         (N,   N,     N,    Y,    N,    N,    N,    N,   N),
    ("services.claim_settlement", "own"):           (N,   N,     N,    N,    N,    N,    N,    Y,   N),
    ("services.claim_settlement", "foreign"):       (N,   N,     N,    N,    N,    N,    N,    N,   Y),
    ("services.view_settlement", "own"):            (N,   N,     N,    N,    Y,    N,    Y,    Y,   N),
    ("services.view_settlement", "foreign"):        (N,   N,     N,    N,    N,    Y,    Y,    N,   Y),
    ("services.decide_settlement", "own"):          (N,   N,     N,    N,    Y,    N,    Y,    N,   N),
    ("services.decide_settlement", "foreign"):      (N,   N,     N,    N,    N,    Y,    Y,    N,   N),
}
# fmt: on


def test_every_services_rule_is_in_the_matrix():
    ours = {r for r in RULES if r.startswith("services.")}
    assert ours == set(RULE_OBJECTS) == {a for a, _o in CAN_GRID}


def test_can(m):
    # One test for the whole grid: building the world is the slow part.
    wrong = {}
    for (action, obj), expected in CAN_GRID.items():
        target = m.objects[RULE_OBJECTS[action]][obj]
        got = tuple(can(m.users[r], action, target) for r in ROLES)
        if got != expected:
            wrong[(action, obj)] = dict(zip(ROLES, got, strict=True))
    assert not wrong


# The same order once its firm and provider share a member (here the firm's member joined the lab
# after the order was placed): nobody pays for it with a voucher or reviews it, not even the firm's
# admin, who still acts for the firm otherwise. Ordering from such a provider is refused outright
# (tests/services/test_self_dealing.py).
# fmt: off
SELF_DEALING_GRID = {
    #                                anon member admin other h_off k_off oper  lab  studio
    "services.view_order":          (N,   Y,     Y,    N,    N,    N,    Y,    Y,   N),
    "services.act_as_firm":         (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    "services.act_as_provider":     (N,   N,     N,    N,    N,    N,    N,    Y,   N),
    "services.review_order":        (N,   N,     N,    N,    N,    N,    N,    N,   N),
    "services.pay_with_voucher":    (N,   N,     N,    N,    N,    N,    N,    N,   N),
}
# fmt: on


def test_can_on_a_self_dealing_order(m):
    order = m.objects["order"]["own"]
    member_of(m.objects["provider"]["own"], Membership.Role.MEMBER, user=m.users["firm_member"])
    forget_actor(m.users["firm_member"])  # memberships are cached on the user object
    wrong = {}
    for action, expected in SELF_DEALING_GRID.items():
        got = tuple(can(m.users[r], action, order) for r in ROLES)
        if got != expected:
            wrong[action] = dict(zip(ROLES, got, strict=True))
    assert not wrong


# Which organisations the pages offer to act for (`own_orgs_where`): the user's own, of those the
# rule allows. The operator may offer services for any provider but belongs to none, so is offered none.
# fmt: off
OFFERED_GRID = {
    #                                                anon member admin other h_off k_off oper  lab  studio
    ("services.order_for", "own"):                  (N,   N,     Y,    N,    N,    N,    N,    N,   N),
    ("services.order_for", "foreign"):              (N,   N,     N,    Y,    N,    N,    N,    N,   N),
    ("services.offer_services", "own"):             (N,   N,     N,    N,    N,    N,    N,    Y,   N),
    ("services.offer_services", "foreign"):         (N,   N,     N,    N,    N,    N,    N,    N,   Y),
    ("services.claim_settlement", "own"):           (N,   N,     N,    N,    N,    N,    N,    Y,   N),
    ("services.claim_settlement", "foreign"):       (N,   N,     N,    N,    N,    N,    N,    N,   Y),
}
# fmt: on


def test_pages_offer_only_orgs_the_rule_allows(m):
    wrong = {}
    for (action, obj), expected in OFFERED_GRID.items():
        target = m.objects[RULE_OBJECTS[action]][obj]
        got = tuple(target in own_orgs_where(m.users[r], action) for r in ROLES)
        allowed = tuple(can(m.users[r], action, target) for r in ROLES)
        if got != expected or any(o and not a for o, a in zip(got, allowed, strict=True)):
            wrong[(action, obj)] = dict(zip(ROLES, got, strict=True))
    assert not wrong


def test_office_sees_an_order_once_it_is_disputed(m):
    order = m.objects["order"]["own"]
    orders.transition(user=m.users["lab"], order_id=order.pk, name="quote", amount="10", note="")
    orders.transition(
        user=m.users["firm_admin"], order_id=order.pk, name="dispute", note="报价过高"
    )
    order.refresh_from_db()
    assert can(m.users["humen_office"], "services.view_order", order)
    assert not can(m.users["keqiao_office"], "services.view_order", order)


# --- lists: each sees only its own ----------------------------------------------------------------

API = "/api/v1"


def client(m, role):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        c.force_login(m.users[role])
    return c


def test_provider_sees_only_its_own_orders(m):
    lab_ids = {o["id"] for o in client(m, "lab").get(API + "/service-orders").json()["results"]}
    studio_ids = {
        o["id"] for o in client(m, "studio").get(API + "/service-orders").json()["results"]
    }
    assert (
        m.objects["order"]["own"].pk in lab_ids and m.objects["order"]["foreign"].pk not in lab_ids
    )
    assert m.objects["order"]["foreign"].pk in studio_ids and not lab_ids & studio_ids


def test_issuer_sees_only_its_programmes_books(m):
    own, foreign = m.objects["programme"]["own"], m.objects["programme"]["foreign"]
    rows = client(m, "humen_office").get(API + "/ledger", {"page_size": 100}).json()["results"]
    assert {t["programme_id"] for t in rows} == {own.pk}
    assert (
        client(m, "humen_office").get(API + "/ledger", {"programme": foreign.pk}).status_code == 403
    )
    listed = client(m, "humen_office").get(API + "/voucher-programmes").json()["results"]
    left = {p["id"]: p["budget_left"] for p in listed}
    assert left[own.pk] is not None and left[foreign.pk] is None  # public terms, private books
    settlements = client(m, "humen_office").get(API + "/settlements").json()["results"]
    assert [s["programme_id"] for s in settlements] == [own.pk]


def test_firm_sees_only_its_vouchers(m):
    own, foreign = m.objects["voucher"]["own"], m.objects["voucher"]["foreign"]
    ids = [v["id"] for v in client(m, "firm_member").get(API + "/vouchers").json()["results"]]
    assert ids == [own.pk]
    assert client(m, "firm_member").get(f"{API}/vouchers/{foreign.pk}").status_code == 404
    apps = client(m, "firm_admin").get(API + "/voucher-applications").json()["results"]
    assert {a["firm_id"] for a in apps} == {m.objects["firm"]["own"].pk}


def _allowed(action, key):
    """Roles CAN_GRID lets do `action` on the `key` ("own"/"foreign") object."""
    return {r for r, yes in zip(ROLES, CAN_GRID[(action, key)], strict=True) if yes}


@pytest.mark.parametrize("role", ROLES[1:])
def test_lists_hold_exactly_what_the_role_may_see(m, role):
    """Each private list answers as its rule does, object by object: another firm's vouchers and
    applications, another office's settlements, another provider's orders are absent."""
    o, c = m.objects, client(m, role)

    def listed(path):
        rows = c.get(API + path, {"page_size": 100}).json()["results"]
        return {row["id"] for row in rows}

    def expected(kind, action, ids=None):
        ids = ids or {key: o[kind][key].pk for key in ("own", "foreign")}
        return {pk for key, pk in ids.items() if role in _allowed(action, key)}

    assert listed("/vouchers") == expected("voucher", "services.view_voucher")
    applications = {key: o["voucher"][key].application_id for key in ("own", "foreign")}
    assert listed("/voucher-applications") == expected(
        "voucher", "services.view_voucher", applications
    )
    assert listed("/settlements") == expected("settlement", "services.view_settlement")
    # Orders: the two open ones (the fixture's paid orders are listed by the same rule).
    orders_listed = listed("/service-orders")
    for key in ("own", "foreign"):
        order = o["order"][key]
        shown = order.pk in orders_listed
        assert shown is (role in _allowed("services.view_order", key)), (key, role)


@pytest.mark.parametrize(
    "role", ["firm_admin", "other_firm_admin", "humen_office", "keqiao_office"]
)
def test_voucher_statements_show_only_vouchers_the_role_may_see(m, role):
    """An issuer may ask for any firm's statement; it lists that firm's vouchers of its own
    programmes only."""
    import io

    from openpyxl import load_workbook

    o, c = m.objects, client(m, role)
    for key in ("own", "foreign"):
        response = c.get(f"{API}/organisations/{o['firm'][key].pk}/voucher-statement.xlsx")
        if response.status_code == 403:
            continue
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content))["Vouchers"]
        ids = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
        may = {
            o["voucher"][k].pk
            for k in ("own", "foreign")
            if role in _allowed("services.view_voucher", k)
        }
        assert ids <= may, (role, key, ids)
        if key == "own" and role in ("firm_admin", "humen_office"):
            assert ids == {o["voucher"]["own"].pk}


# --- every API operation × role (own object) ------------------------------------------------------


def _ids(m):
    o = m.objects
    return {
        "service_id": o["service"]["own"].pk,
        "order_id": o["order"]["own"].pk,
        "programme_id": o["programme"]["own"].pk,
        "voucher_id": o["voucher"]["own"].pk,
        "settlement_id": o["settlement"]["own"].pk,
        "org_id": o["firm"]["own"].pk,
        "application_id": o["voucher"]["own"].application_id,
    }


def _body(m, op):
    o = m.objects
    market = o["market"]
    return {
        "POST /services": {
            "provider_id": market.lab.pk,
            "category": "testing",
            "title_zh": "新检测",
        },
        "PATCH /services/{service_id}": {"price_unit": "每批"},
        "POST /service-orders": {"service_id": market.testing.pk, "firm_id": o["firm"]["own"].pk},
        "POST /service-orders/{order_id}/dispute": {"note": "质量问题"},
        "POST /service-orders/{order_id}/quote": {"amount": "500.00"},
        "POST /service-orders/{order_id}/review": {"rating": 5},
        "POST /voucher-programmes": {
            "issuer_id": o["issuer"]["own"].pk,
            "name_zh": "新计划",
            "budget": "100",
            "subsidy_ratio": "0.5",
            "cap_per_firm_year": "50",
            "apply_from": "2026-01-01",
            "apply_until": "2026-12-31",
        },
        "POST /voucher-applications": {
            "programme_id": o["programme"]["own"].pk,
            "firm_id": o["firm"]["own"].pk,
            "amount": "100",
        },
        "POST /vouchers/{voucher_id}/redeem": {"order_id": o["order"]["own"].pk},
        "POST /settlements": {
            "programme_id": o["programme"]["own"].pk,
            "provider_id": market.lab.pk,
        },
    }.get(op, {})


# Expected status per role. 401 anonymous on private routes; 404 where the object is not even
# visible; 403 visible but not allowed; 409/422 allowed but the state or data says no.
# fmt: off
API_GRID = {
    #                                                        anon member admin other h_off k_off oper lab  studio
    "GET /services":                                        (200, 200,  200,  200,  200,  200,  200, 200, 200),
    "GET /services/{service_id}":                           (200, 200,  200,  200,  200,  200,  200, 200, 200),
    "POST /services":                                       (401, 403,  403,  403,  403,  403,  201, 201, 403),
    "PATCH /services/{service_id}":                         (401, 403,  403,  403,  403,  403,  200, 200, 403),
    "GET /service-orders":                                  (401, 200,  200,  200,  200,  200,  200, 200, 200),
    "GET /service-orders/{order_id}":                       (401, 200,  200,  404,  404,  404,  200, 200, 404),
    "POST /service-orders":                                 (401, 403,  201,  403,  403,  403,  403, 403, 403),
    "POST /service-orders/{order_id}/quote":                (401, 403,  403,  404,  404,  404,  403, 200, 404),
    "POST /service-orders/{order_id}/accept":               (401, 403,  200,  404,  404,  404,  403, 403, 404),
    "POST /service-orders/{order_id}/deliver":              (401, 403,  403,  404,  404,  404,  403, 409, 404),
    "POST /service-orders/{order_id}/confirm":              (401, 403,  409,  404,  404,  404,  403, 403, 404),
    "POST /service-orders/{order_id}/cancel":               (401, 403,  200,  404,  404,  404,  403, 200, 404),
    "POST /service-orders/{order_id}/dispute":              (401, 403,  200,  404,  404,  404,  403, 200, 404),
    "POST /service-orders/{order_id}/resolve":              (401, 403,  403,  404,  404,  404,  409, 403, 404),
    "POST /service-orders/{order_id}/review":               (401, 403,  409,  404,  404,  404,  403, 403, 404),
    "GET /voucher-programmes":                              (200, 200,  200,  200,  200,  200,  200, 200, 200),
    "GET /voucher-programmes/{programme_id}":               (200, 200,  200,  200,  200,  200,  200, 200, 200),
    "POST /voucher-programmes":                             (401, 403,  403,  403,  201,  403,  403, 403, 403),
    "GET /voucher-applications":                            (401, 200,  200,  200,  200,  200,  200, 200, 200),
    "POST /voucher-applications":                           (401, 403,  201,  403,  403,  403,  403, 403, 403),
    "POST /voucher-applications/{application_id}/approve":  (401, 403,  403,  404,  409,  404,  409, 404, 404),  # decided already
    "POST /voucher-applications/{application_id}/reject":   (401, 403,  403,  404,  409,  404,  409, 404, 404),
    "GET /vouchers":                                        (401, 200,  200,  200,  200,  200,  200, 200, 200),
    "GET /vouchers/{voucher_id}":                           (401, 200,  200,  404,  200,  404,  200, 404, 404),
    "POST /vouchers/{voucher_id}/redeem":                   (401, 403,  409,  404,  403,  404,  403, 404, 404),  # admin: order only quoted
    "GET /settlements":                                     (401, 200,  200,  200,  200,  200,  200, 200, 200),
    "POST /settlements":                                    (401, 403,  403,  403,  403,  403,  403, 409, 403),  # lab: claimed already
    "POST /settlements/{settlement_id}/approve":            (401, 404,  404,  404,  200,  404,  200, 403, 404),
    "POST /settlements/{settlement_id}/reject":             (401, 404,  404,  404,  200,  404,  200, 403, 404),
    "POST /settlements/{settlement_id}/pay":                (401, 404,  404,  404,  409,  404,  409, 403, 404),  # not approved yet
    "GET /ledger":                                          (401, 200,  200,  200,  200,  200,  200, 200, 200),
    "GET /voucher-programmes/{programme_id}/statement.xlsx": (401, 403, 403,  403,  200,  403,  200, 403, 403),
    "GET /organisations/{org_id}/voucher-statement.xlsx":   (401, 200,  200,  403,  200,  200,  200, 403, 403),
}
# fmt: on


def test_every_services_api_operation_is_in_the_matrix():
    documented = api_operations("services")
    assert documented == set(API_GRID)


def _services_state():
    """Every table's size and every row a services write changes: equal before and after a
    refusal."""
    return (
        row_counts(),
        *(
            list(model.objects.order_by("pk").values())
            for model in (
                Service,
                ServiceOrder,
                VoucherProgramme,
                VoucherApplication,
                Voucher,
                Settlement,
            )
        ),
    )


def _call_each_role(m, method, path, body):
    """Each role's status for one call, from the same starting state; refusals change nothing."""
    got = []
    for role in ROLES:
        with transaction.atomic():  # each role starts from the same state
            before = _services_state()
            c = client(m, role)
            if method == "GET":
                r = c.get(path)
            else:
                r = getattr(c, method.lower())(path, body, content_type="application/json")
            got.append(r.status_code)
            if method != "GET" and r.status_code >= 400:
                assert _services_state() == before, (role, "a refused call changed the database")
            transaction.set_rollback(True)
    return tuple(got)


@pytest.mark.parametrize("op", sorted(API_GRID))
def test_api(m, op):
    method, route = op.split(" ", 1)
    path = API + route.format(**_ids(m))
    got = _call_each_role(m, method, path, json.dumps(_body(m, op)))
    assert got == API_GRID[op], dict(zip(ROLES, got, strict=True))


# --- the same operations on Keqiao's objects ------------------------------------------------------
#
# The grid above acts on Humen's objects; here Humen's firm, office and lab act on the Keqiao firm's
# order, voucher and application, the Keqiao programme and the studio's settlement. Each refusal
# leaves the database as it was.


def _foreign_ids(m):
    o = m.objects
    return {
        "order_id": o["order"]["foreign"].pk,
        "programme_id": o["programme"]["foreign"].pk,
        "voucher_id": o["voucher"]["foreign"].pk,
        "settlement_id": o["settlement"]["foreign"].pk,
        "org_id": o["firm"]["foreign"].pk,
        "application_id": o["voucher"]["foreign"].application_id,
    }


def _foreign_body(m, op):
    o = m.objects
    return {
        "POST /service-orders/{order_id}/dispute": {"note": "质量问题"},
        "POST /service-orders/{order_id}/quote": {"amount": "500.00"},
        "POST /service-orders/{order_id}/review": {"rating": 5},
        "POST /vouchers/{voucher_id}/redeem": {"order_id": o["order"]["foreign"].pk},
    }.get(op, {})


# fmt: off
FOREIGN_API_GRID = {
    #                                                        anon member admin other h_off k_off oper lab  studio
    "GET /service-orders/{order_id}":                       (401, 404,  404,  200,  404,  404,  200, 404, 200),
    "POST /service-orders/{order_id}/quote":                (401, 404,  404,  403,  404,  404,  403, 404, 200),
    "POST /service-orders/{order_id}/accept":               (401, 404,  404,  200,  404,  404,  403, 404, 403),
    "POST /service-orders/{order_id}/cancel":               (401, 404,  404,  200,  404,  404,  403, 404, 200),
    "POST /service-orders/{order_id}/dispute":              (401, 404,  404,  200,  404,  404,  403, 404, 200),
    "POST /service-orders/{order_id}/resolve":              (401, 404,  404,  403,  404,  404,  409, 404, 403),
    "GET /vouchers/{voucher_id}":                           (401, 404,  404,  200,  404,  200,  200, 404, 404),
    "POST /vouchers/{voucher_id}/redeem":                   (401, 404,  404,  409,  404,  403,  403, 404, 404),
    "POST /voucher-applications/{application_id}/approve":  (401, 404,  404,  403,  404,  409,  409, 404, 404),
    "POST /voucher-applications/{application_id}/reject":   (401, 404,  404,  403,  404,  409,  409, 404, 404),
    "POST /settlements/{settlement_id}/approve":            (401, 404,  404,  404,  404,  200,  200, 404, 403),
    "POST /settlements/{settlement_id}/reject":             (401, 404,  404,  404,  404,  200,  200, 404, 403),
    "POST /settlements/{settlement_id}/pay":                (401, 404,  404,  404,  404,  409,  409, 404, 403),
    "GET /voucher-programmes/{programme_id}/statement.xlsx": (401, 403, 403,  403,  403,  200,  200, 403, 403),
    "GET /organisations/{org_id}/voucher-statement.xlsx":   (401, 403,  403,  200,  200,  200,  200, 403, 403),
}
# fmt: on


@pytest.mark.parametrize("op", sorted(FOREIGN_API_GRID))
def test_api_on_foreign_objects(m, op):
    method, route = op.split(" ", 1)
    path = API + route.format(**_foreign_ids(m))
    got = _call_each_role(m, method, path, json.dumps(_foreign_body(m, op)))
    assert got == FOREIGN_API_GRID[op], dict(zip(ROLES, got, strict=True))


# --- pages ----------------------------------------------------------------------------------------


def _own(kind):
    return lambda m: {"pk": m.objects[kind]["own"].pk}


# The write pages act on Humen objects in the state their write needs (made once per test, before
# any role acts): an accepted order to pay, a paid and confirmed order to review and whose subsidy
# the lab claims, a pending application to decide.


def _accepted_order(m):
    if "accepted" not in m.objects:
        m.objects["accepted"] = accepted_order(m.objects["market"])
    return m.objects["accepted"]


def _paid_order(m):
    if "paid" not in m.objects:
        order = accepted_order(m.objects["market"])
        firm_admin, lab = m.users["firm_admin"], m.users["lab"]
        vouchers.redeem(
            user=firm_admin, voucher_id=m.objects["voucher"]["own"].pk, order_id=order.pk
        )
        orders.transition(user=lab, order_id=order.pk, name="deliver", note="done")
        orders.transition(user=firm_admin, order_id=order.pk, name="confirm")
        m.objects["paid"] = order
    return m.objects["paid"]


def _pending_application(m):
    if "pending" not in m.objects:
        m.objects["pending"] = vouchers.apply(
            user=m.users["firm_admin"],
            programme=m.objects["programme"]["own"],
            firm=m.objects["firm"]["own"],
            amount="10",
        )
    return m.objects["pending"]


DONE = "done"

# name: (kwargs, method, POST data, statuses per role). 302 on a GET is the login redirect; on a
# POST it is back to a page with the refusal as a message, nothing written. DONE: 302 and the
# write is in the database. Every other POST outcome must leave the database as it was.
# fmt: off
PAGE_GRID = {
    #                                                                                  anon member admin other h_off k_off oper lab  studio
    "services:catalogue":           (None, "get", None,                               (200, 200,  200,  200,  200,  200,  200, 200, 200)),
    "services:service_detail":      (_own("service"), "get", None,                    (200, 200,  200,  200,  200,  200,  200, 200, 200)),
    "services:request_service":     (_own("service"), "post", lambda m: {"firm": m.objects["firm"]["own"].pk},
                                                                                      (302, 403,  DONE, 403,  403,  403,  403, 403, 403)),
    "services:my_services":         (None, "get", None,                               (302, 403,  403,  403,  403,  403,  403, 200, 200)),
    "services:service_add":         (None, "post", lambda m: {"provider": m.objects["provider"]["own"].pk, "category": "testing", "title_zh": "新"},
                                                                                      (302, 403,  403,  403,  403,  403,  DONE, DONE, 403)),
    "services:order_list":          (None, "get", None,                               (302, 200,  200,  200,  200,  200,  200, 200, 200)),
    "services:order_detail":        (_own("order"), "get", None,                      (302, 200,  200,  404,  404,  404,  200, 200, 404)),
    "services:order_step":          (lambda m: {"pk": m.objects["order"]["own"].pk, "step": "cancel"}, "post", lambda m: {},
                                                                                      (302, 403,  DONE, 302,  302,  302,  403, DONE, 302)),
    "services:order_review":        (lambda m: {"pk": _paid_order(m).pk}, "post", lambda m: {"rating": "5"},
                                                                                      (302, 403,  DONE, 302,  302,  302,  403, 403, 302)),
    "services:order_pay":           (lambda m: {"pk": _accepted_order(m).pk}, "post", lambda m: {"voucher": m.objects["voucher"]["own"].pk},
                                                                                      (302, 403,  DONE, 302,  403,  302,  403, 302, 302)),
    "services:claim":               (lambda m: {} if _paid_order(m) else None, "post", lambda m: {"provider": m.objects["provider"]["own"].pk, "programme": m.objects["programme"]["own"].pk},
                                                                                      (302, 403,  403,  403,  403,  403,  403, DONE, 403)),
    "services:voucher_list":        (None, "get", None,                               (302, 200,  200,  200,  200,  200,  200, 200, 200)),
    "services:voucher_apply":       (None, "post", lambda m: {"programme": m.objects["programme"]["own"].pk, "firm": m.objects["firm"]["own"].pk, "amount": "10"},
                                                                                      (302, 403,  DONE, 403,  403,  403,  403, 403, 403)),
    "services:programme_list":      (None, "get", None,                               (302, 403,  403,  403,  200,  200,  200, 403, 403)),
    "services:programme_dashboard": (_own("programme"), "get", None,                  (302, 403,  403,  403,  200,  403,  200, 403, 403)),
    "services:application_decide":  (lambda m: {"pk": _pending_application(m).pk}, "post", lambda m: {"decision": "approve"},
                                                                                      (302, 403,  403,  403,  DONE, 403,  DONE, 403, 403)),
    "services:settlement_decide":   (_own("settlement"), "post", lambda m: {"action": "approve"},
                                                                                      (302, 403,  403,  403,  DONE, 403,  DONE, 403, 403)),
}
# fmt: on


def test_every_services_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    posted = {name for name, (_kw, method, _data, _exp) in PAGE_GRID.items() if method == "post"}
    assert post_pages("services") == posted


def test_every_services_page_is_in_the_matrix():
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {
        f"services:{p.name}" for p in resolver.namespace_dict["services"][1].url_patterns if p.name
    }
    assert names == set(PAGE_GRID)


@pytest.mark.parametrize("name", sorted(PAGE_GRID))
def test_page(m, name):
    from django.urls import reverse

    kwargs, method, data, expected = PAGE_GRID[name]
    url = reverse(name, kwargs=kwargs(m) if kwargs else None)
    got = []
    for role in ROLES:
        with transaction.atomic():
            before = _services_state()
            c = client(m, role)
            r = c.get(url) if method == "get" else c.post(url, data(m))
            got.append(r.status_code)
            if method == "post":
                changed = _services_state() != before
                if r.status_code == 302 and changed:
                    got[-1] = DONE
                assert changed is (got[-1] == DONE), (role, r.status_code)
            if r.status_code == 200 and name == "services:programme_dashboard":
                assert "¥" in r.content.decode()
            transaction.set_rollback(True)
    assert tuple(got) == expected, dict(zip(ROLES, got, strict=True))


def test_page_writes_took_effect_only_when_allowed(m):
    from django.urls import reverse

    order = m.objects["order"]["own"]
    url = reverse("services:order_step", kwargs={"pk": order.pk, "step": "cancel"})
    for role in ("other_firm_admin", "studio", "humen_office"):
        r = client(m, role).post(url, {}, HTTP_ACCEPT_LANGUAGE="en")
        order.refresh_from_db()
        assert order.status == "quoted", role
    r = client(m, "firm_admin").post(url, {}, follow=True)
    order.refresh_from_db()
    assert order.status == "cancelled" and "Done" in r.content.decode()
