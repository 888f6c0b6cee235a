"""The permission matrix: every role × every action × own/foreign object, as one table to read.

Roles (from the `world` fixture in tests/conftest.py):
  anonymous · firm_member (plain member of the Humen firm) · firm_admin (its admin) ·
  other_firm_admin (admin of the Keqiao firm) · humen_office (admin of the Humen cluster office) ·
  keqiao_office (admin of the Keqiao office) · operator (the national operator, staff in /admin/).
Objects: "own" is the Humen firm / Humen cluster / the Humen firm's organisation; "foreign" is
the Keqiao firm / Keqiao cluster / its organisation; "-" means no object.

Each grid row lists the expected outcome for the roles in the order of ROLES. Sections:
1. `can(...)` for every rule in weft/accounts/permissions/foundation.py RULES.
2. Every API operation (status codes).
3. Contact-field visibility (public / registered / private) per role.
4. Every page (status codes; a new URL pattern fails the suite until it has rows here), and
   the POST of every page that takes one (a form page's write, with valid data: done when
   allowed, nothing written when refused).
"""

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from weft.accounts.models import ApiToken, Membership, Organisation, User
from weft.accounts.permissions import can, foundation
from weft.accounts.services import issue_token
from weft.registry.forms import EnterpriseEditForm
from weft.registry.models import ClusterMembership, Enterprise
from weft.registry.selectors import visible_contact

from .factories import UserFactory, make_enterprise, new_uscc
from .matrix import accepts_post, api_operations, as_post, row_counts, url_views

pytestmark = pytest.mark.django_db

# Apps built after the foundation keep their own matrix in tests/<app>/test_permission_matrix.py;
# the completeness checks below cover the foundation's rules, operations and pages.
FOUNDATION_APPS = {"registry", "accounts", "audit", "core"}
LATER_APPS = {
    c.label for c in django_apps.get_app_configs() if c.name.startswith("weft.")
} - FOUNDATION_APPS

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


def expand(grid: dict) -> dict:
    """{(action, obj): (one value per role)} → {(role, action, obj): value}."""
    out = {}
    for (action, obj), values in grid.items():
        assert len(values) == len(ROLES), (action, obj)
        for role, value in zip(ROLES, values, strict=True):
            out[(role, action, obj)] = value
    return out


@dataclass
class Matrix:
    world: object
    users: dict
    objects: dict = field(default_factory=dict)

    def user(self, role):
        return self.users[role]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.7 s per test user; the world fixture makes eight of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def m(world) -> Matrix:
    # The operator works in /admin/ too (as the demo data sets it up).
    world.operator.is_staff = world.operator.is_superuser = True
    world.operator.save()
    users = {role: getattr(world, role, None) for role in ROLES}
    users["anonymous"] = AnonymousUser()
    other_org = Organisation.objects.get(enterprise=world.other_firm)
    Enterprise.objects.filter(pk=world.other_firm.pk).update(
        contact_name="王锦",
        contact_phone="0575-84000002",
        contact_email="jin@example.test",
        contact_visibility={
            "contact_name": "registered",
            "contact_phone": "private",
            "contact_email": "public",
        },
    )
    world.other_firm.refresh_from_db()
    applicant = make_enterprise(name_zh="东莞市长安镇申请服饰有限公司", uscc=new_uscc())
    pending = {
        "own": ClusterMembership.objects.create(enterprise=applicant, cluster=world.humen),
        "foreign": ClusterMembership.objects.create(enterprise=applicant, cluster=world.keqiao),
    }
    matrix = Matrix(world=world, users=users)
    matrix.objects = {
        "enterprise": {"own": world.firm, "foreign": world.other_firm},
        # Firms from the offices' lists that nobody speaks for yet.
        "unowned": {
            "own": make_enterprise(name_zh="东莞市虎门镇名录服饰有限公司", cluster=world.humen),
            "foreign": make_enterprise(name_zh="绍兴柯桥名录纺织有限公司", cluster=world.keqiao),
        },
        "cluster": {"own": world.humen, "foreign": world.keqiao, "-": None},
        "organisation": {"own": world.firm_org, "foreign": other_org},
        "request": pending,
    }
    return matrix


# --- 1. can(...) -------------------------------------------------------------------------------

RULE_OBJECTS = {
    "registry.change_enterprise": "enterprise",
    "registry.view_private_contact": "enterprise",
    "registry.create_enterprise": "cluster",
    "registry.confirm_owner": "unowned",
    "registry.request_membership": "enterprise",
    "registry.decide_membership": "request",
    "registry.change_cluster": "cluster",
    "accounts.view_organisation": "organisation",
    "accounts.manage_organisation": "organisation",
    "accounts.change_owner_role": "organisation",
    "audit.view": None,
}

# fmt: off
CAN_GRID = {
    #                                          anon  member admin  other  h_off  k_off  oper
    ("registry.change_enterprise", "own"):     (N,   N,     Y,     N,     Y,     N,     Y),
    ("registry.change_enterprise", "foreign"): (N,   N,     N,     Y,     N,     Y,     Y),
    ("registry.view_private_contact", "own"):  (N,   Y,     Y,     N,     Y,     N,     Y),
    ("registry.view_private_contact", "foreign"): (N, N,    N,     Y,     N,     Y,     Y),
    ("registry.create_enterprise", "-"):       (N,   Y,     Y,     Y,     Y,     Y,     Y),  # self-registration of a record
    ("registry.create_enterprise", "own"):     (N,   N,     N,     N,     Y,     N,     Y),  # straight onto Humen's roll
    ("registry.create_enterprise", "foreign"): (N,   N,     N,     N,     N,     Y,     Y),
    ("registry.confirm_owner", "own"):         (N,   N,     N,     N,     Y,     N,     Y),
    ("registry.confirm_owner", "foreign"):     (N,   N,     N,     N,     N,     Y,     Y),
    ("registry.request_membership", "own"):    (N,   N,     Y,     N,     N,     N,     Y),
    ("registry.request_membership", "foreign"): (N,  N,     N,     Y,     N,     N,     Y),
    ("registry.decide_membership", "own"):     (N,   N,     N,     N,     Y,     N,     Y),  # a request to join Humen
    ("registry.decide_membership", "foreign"): (N,   N,     N,     N,     N,     Y,     Y),
    ("registry.change_cluster", "own"):        (N,   N,     N,     N,     Y,     N,     Y),
    ("registry.change_cluster", "foreign"):    (N,   N,     N,     N,     N,     Y,     Y),
    ("accounts.view_organisation", "own"):     (N,   Y,     Y,     N,     N,     N,     Y),
    ("accounts.view_organisation", "foreign"): (N,   N,     N,     Y,     N,     N,     Y),
    ("accounts.manage_organisation", "own"):   (N,   N,     Y,     N,     N,     N,     Y),
    ("accounts.manage_organisation", "foreign"): (N, N,     N,     Y,     N,     N,     Y),
    ("accounts.change_owner_role", "own"):     (N,   N,     N,     N,     N,     N,     Y),  # firm_admin is not an owner
    ("accounts.change_owner_role", "foreign"): (N,   N,     N,     N,     N,     N,     Y),
    ("audit.view", "-"):                       (N,   N,     N,     N,     N,     N,     Y),
}
# fmt: on
CAN = expand(CAN_GRID)


def test_every_later_app_has_a_matrix_of_its_own():
    from pathlib import Path

    here = Path(__file__).parent
    missing = [a for a in LATER_APPS if not (here / a / "test_permission_matrix.py").exists()]
    assert not missing, f"these apps have no tests/<app>/test_permission_matrix.py: {missing}"


def test_every_rule_is_in_the_matrix():
    assert set(foundation.RULES) == {action for action, _obj in CAN_GRID} == set(RULE_OBJECTS)


@pytest.mark.parametrize(("role", "action", "obj"), sorted(CAN))
def test_can(m, role, action, obj):
    kind = RULE_OBJECTS[action]
    target = None if kind is None else m.objects[kind][obj]
    assert can(m.user(role), action, target) is CAN[(role, action, obj)]


def test_firm_owner_may_change_owner_roles(m):
    assert can(m.world.firm_owner, "accounts.change_owner_role", m.world.firm_org)
    assert not can(
        m.world.firm_owner, "accounts.change_owner_role", m.objects["organisation"]["foreign"]
    )


def test_office_plain_member_sees_private_contacts_but_changes_nothing(m):
    member = m.world.humen_office_member
    assert can(member, "registry.view_private_contact", m.world.firm)
    assert not can(member, "registry.change_enterprise", m.world.firm)
    assert not can(member, "registry.decide_membership", m.objects["request"]["own"])


def test_unknown_action_is_a_programming_error(m):
    with pytest.raises(KeyError):
        can(m.world.operator, "registry.delete_everything", m.world.firm)


def test_deactivated_user_loses_every_right(m):
    admin = m.world.firm_admin
    admin.is_active = False
    admin.save()
    fresh = type(admin).objects.get(pk=admin.pk)
    assert not can(fresh, "registry.change_enterprise", m.world.firm)


# --- 2. the API --------------------------------------------------------------------------------

API = "/api/v1"


def api_call(m, role, operation, obj):
    """Run one API operation as `role`; return the response."""
    user = m.user(role)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(user)
    firm = m.objects["enterprise"].get(obj)
    cluster = m.objects["cluster"].get(obj)
    method, path = operation.split(" ", 1)
    body = None
    if operation == "POST /enterprises":
        body = {"name_zh": "东莞市虎门镇矩阵测试服饰有限公司", "uscc": new_uscc()}
        if cluster is not None:
            body["cluster_id"] = cluster.pk
    elif operation == "PATCH /enterprises/{enterprise_id}":
        body = {"main_products": "矩阵测试"}
    elif operation == "POST /auth/tokens":
        body = {
            "username": getattr(user, "username", "nobody"),
            "password": "correct-horse-battery",
        }
    url = path.format(
        cluster_id=getattr(cluster, "pk", 0),
        enterprise_id=getattr(firm, "pk", 0),
        code="914403001922038216",
        token_id=_token_id(m, role, obj),
    )
    params = {"address": "广东省东莞市虎门镇"} if path == "/geocode" else None
    if method == "GET":
        return client.get(API + url, params)
    return getattr(client, method.lower())(
        API + url, json.dumps(body or {}), content_type="application/json"
    )


def _token_id(m, role, obj):
    if obj == "own" and role != "anonymous":
        return issue_token(user=m.user(role), name="matrix")[0].pk
    # Someone else's token (the firm owner's), or for anonymous any existing id.
    return issue_token(user=m.world.firm_owner, name="not yours")[0].pk


# fmt: off
API_GRID = {
    #                                                   anon  member admin other h_off k_off oper
    ("GET /health", "-"):                               (200, 200,   200,  200,  200,  200,  200),
    ("GET /clusters", "-"):                             (200, 200,   200,  200,  200,  200,  200),
    ("GET /clusters/{cluster_id}", "own"):              (200, 200,   200,  200,  200,  200,  200),
    ("GET /clusters/{cluster_id}", "foreign"):          (200, 200,   200,  200,  200,  200,  200),
    ("GET /enterprises", "-"):                          (200, 200,   200,  200,  200,  200,  200),
    ("GET /enterprises/{enterprise_id}", "own"):        (200, 200,   200,  200,  200,  200,  200),
    ("GET /enterprises/{enterprise_id}", "foreign"):    (200, 200,   200,  200,  200,  200,  200),
    ("GET /taxonomy/stages", "-"):                      (200, 200,   200,  200,  200,  200,  200),
    ("GET /taxonomy/industry-codes", "-"):              (200, 200,   200,  200,  200,  200,  200),
    ("GET /identifiers/uscc/{code}", "-"):              (200, 200,   200,  200,  200,  200,  200),
    ("GET /geocode", "-"):                              (200, 200,   200,  200,  200,  200,  200),
    ("GET /me", "-"):                                   (401, 200,   200,  200,  200,  200,  200),
    ("GET /auth/tokens", "-"):                          (401, 200,   200,  200,  200,  200,  200),
    ("POST /auth/tokens", "-"):                         (401, 201,   201,  201,  201,  201,  201),
    ("DELETE /auth/tokens/{token_id}", "own"):          (401, 204,   204,  204,  204,  204,  204),
    ("DELETE /auth/tokens/{token_id}", "foreign"):      (401, 404,   404,  404,  404,  404,  404),
    ("POST /enterprises", "-"):                         (401, 201,   201,  201,  201,  201,  201),
    ("POST /enterprises", "own"):                       (401, 403,   403,  403,  201,  403,  201),
    ("POST /enterprises", "foreign"):                   (401, 403,   403,  403,  403,  201,  201),
    ("PATCH /enterprises/{enterprise_id}", "own"):      (401, 403,   200,  403,  200,  403,  200),
    ("PATCH /enterprises/{enterprise_id}", "foreign"):  (401, 403,   403,  200,  403,  200,  200),
}
# fmt: on
API_EXPECTED = expand(API_GRID)


def test_every_api_operation_is_in_the_matrix():
    documented = api_operations(exclude=tuple(LATER_APPS))
    assert documented == {operation for operation, _obj in API_GRID}


@pytest.mark.parametrize(("role", "operation", "obj"), sorted(API_EXPECTED))
def test_api(m, role, operation, obj):
    response = api_call(m, role, operation, obj)
    expected = API_EXPECTED[(role, operation, obj)]
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        body = response.json()
        assert {"code", "message", "details"} <= set(body)
    if operation.startswith("PATCH"):
        firm = Enterprise.objects.get(pk=m.objects["enterprise"][obj].pk)
        assert (firm.main_products == "矩阵测试") is (expected == 200)


# --- 3. contact visibility ---------------------------------------------------------------------

# Own firm: name public, phone registered, email private.
# Foreign firm: name registered, phone private, email public.
# fmt: off
CONTACT_GRID = {
    #                          anon  member admin other h_off k_off oper
    ("name", "own"):           (Y,   Y,     Y,    Y,    Y,    Y,    Y),
    ("phone", "own"):          (N,   Y,     Y,    Y,    Y,    Y,    Y),
    ("email", "own"):          (N,   Y,     Y,    N,    Y,    N,    Y),
    ("name", "foreign"):       (N,   Y,     Y,    Y,    Y,    Y,    Y),
    ("phone", "foreign"):      (N,   N,     N,    Y,    N,    Y,    Y),
    ("email", "foreign"):      (Y,   Y,     Y,    Y,    Y,    Y,    Y),
}
# fmt: on
CONTACT = expand(CONTACT_GRID)
CONTACT_VALUES = {
    "own": {"name": "张丽", "phone": "0769-85000001", "email": "li@example.test"},
    "foreign": {"name": "王锦", "phone": "0575-84000002", "email": "jin@example.test"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", ["own", "foreign"])
def test_contact_visibility(m, role, obj):
    firm = m.objects["enterprise"][obj]
    expected = {
        f: (CONTACT_VALUES[obj][f] if CONTACT[(role, f, obj)] else None)
        for f in ("name", "phone", "email")
    }
    assert visible_contact(firm, m.user(role)) == expected
    client = Client()
    if role != "anonymous":
        client.force_login(m.user(role))
    assert client.get(f"{API}/enterprises/{firm.pk}").json()["contact"] == expected
    page = client.get(f"/enterprises/{firm.pk}/").content.decode()
    for f, value in CONTACT_VALUES[obj].items():
        assert (value in page) is CONTACT[(role, f, obj)], (f, value)


# --- 4. pages ----------------------------------------------------------------------------------

LOGIN = "login"  # a redirect to a sign-in page
OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


@dataclass
class Page:
    """How to call one page: URL name, method, URL kwargs and POST data built from the matrix."""

    name: str
    method: str = "get"
    kwargs: object = None  # callable(m, obj) → dict
    data: object = None  # callable(m, obj) → dict
    query: str = ""
    contains: object = None  # callable(m, obj) → text every 200 response must show
    written: object = None  # callable(m, role, obj) → whether the POST's write is in the database


def _member(m, role_in_firm="member"):
    return Membership.objects.get(organisation=m.world.firm_org, role=role_in_firm)


def _org(m, obj):
    return {"org_id": m.objects["organisation"][obj].pk}


PAGES = {
    "registry:home": Page("registry:home", contains=lambda m, o: "虎门"),
    "registry:cluster_list": Page("registry:cluster_list", contains=lambda m, o: "柯桥"),
    "registry:cluster_detail": Page(
        "registry:cluster_detail",
        kwargs=lambda m, o: {"slug": m.objects["cluster"][o].slug},
        contains=lambda m, o: m.objects["cluster"][o].name_zh,
    ),
    "registry:enterprise_list": Page(
        "registry:enterprise_list", contains=lambda m, o: "东莞市虎门镇丽人制衣有限公司"
    ),
    "registry:enterprise_detail": Page(
        "registry:enterprise_detail",
        kwargs=lambda m, o: {"pk": m.objects["enterprise"][o].pk},
        contains=lambda m, o: m.objects["enterprise"][o].name_zh,
    ),
    "registry:enterprise_edit": Page(
        "registry:enterprise_edit",
        kwargs=lambda m, o: {"pk": m.objects["enterprise"][o].pk},
        contains=lambda m, o: m.objects["enterprise"][o].name_zh,
    ),
    "registry:enterprise_owner": Page(
        "registry:enterprise_owner",
        method="post",
        kwargs=lambda m, o: {"pk": m.objects["unowned"][o].pk},
        data=lambda m, o: {"username_or_email": UserFactory().username},
    ),
    "accounts:dashboard": Page("accounts:dashboard"),
    "accounts:login": Page("accounts:login"),
    "accounts:logout": Page("accounts:logout", method="post"),
    "accounts:register": Page("accounts:register"),
    "accounts:password_change": Page("accounts:password_change"),
    "accounts:profile": Page("accounts:profile"),
    "accounts:enterprise_register": Page("accounts:enterprise_register"),
    "accounts:check_uscc": Page("accounts:check_uscc", query="?uscc=914403001922038216"),
    "accounts:organisation_new": Page("accounts:organisation_new"),
    "accounts:organisation": Page(
        "accounts:organisation",
        kwargs=_org,
        contains=lambda m, o: m.objects["organisation"][o].name_zh,
    ),
    "accounts:member_add": Page(
        "accounts:member_add",
        method="post",
        kwargs=_org,
        data=lambda m, o: {"username_or_email": UserFactory().username, "role": "member"},
    ),
    "accounts:member_role": Page(
        "accounts:member_role",
        method="post",
        kwargs=lambda m, o: {**_org(m, "own"), "membership_id": _member(m).pk},
        data=lambda m, o: {"role": "admin"},
    ),
    "accounts:member_remove": Page(
        "accounts:member_remove",
        method="post",
        kwargs=lambda m, o: {**_org(m, "own"), "membership_id": _member(m).pk},
    ),
    "accounts:organisation_leave": Page("accounts:organisation_leave", method="post", kwargs=_org),
    "accounts:organisation_join": Page(
        "accounts:organisation_join",
        method="post",
        kwargs=_org,
        data=lambda m, o: {"cluster": m.world.keqiao.pk if o == "own" else m.world.humen.pk},
    ),
    "accounts:cluster_requests": Page(
        "accounts:cluster_requests",
        kwargs=lambda m, o: {"cluster_id": m.objects["cluster"][o].pk},
        contains=lambda m, o: "东莞市长安镇申请服饰有限公司",
    ),
    "accounts:decide_request": Page(
        "accounts:decide_request",
        method="post",
        kwargs=lambda m, o: {
            "cluster_id": m.objects["cluster"][o].pk,
            "request_id": m.objects["request"][o].pk,
        },
        data=lambda m, o: {"decision": "approve", "note": ""},
    ),
    "accounts:tokens": Page("accounts:tokens"),
    "accounts:token_revoke": Page(
        "accounts:token_revoke",
        method="post",
        kwargs=lambda m, o: {"token_id": None},  # filled per role below
    ),
    "admin:index": Page("admin:index"),
}

# fmt: off
PAGE_GRID = {
    #                                              anon   member     admin      other      h_off      k_off      oper
    ("registry:home", "-"):                        (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("registry:cluster_list", "-"):                (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("registry:cluster_detail", "own"):            (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("registry:cluster_detail", "foreign"):        (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("registry:enterprise_list", "-"):             (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("registry:enterprise_detail", "own"):         (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("registry:enterprise_detail", "foreign"):     (OK,    OK,        OK,        OK,        OK,        OK,        OK),
    ("registry:enterprise_edit", "own"):           (LOGIN, FORBIDDEN, OK,        FORBIDDEN, OK,        FORBIDDEN, OK),
    ("registry:enterprise_edit", "foreign"):       (LOGIN, FORBIDDEN, FORBIDDEN, OK,        FORBIDDEN, OK,        OK),
    ("registry:enterprise_owner", "own"):          (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT,  FORBIDDEN, REDIRECT),
    ("registry:enterprise_owner", "foreign"):      (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT,  REDIRECT),
    ("accounts:dashboard", "-"):                   (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:login", "-"):                       (OK,    REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("accounts:logout", "-"):                      (REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("accounts:register", "-"):                    (OK,    REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("accounts:password_change", "-"):             (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:profile", "-"):                     (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:enterprise_register", "-"):         (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:check_uscc", "-"):                  (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:organisation_new", "-"):            (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:organisation", "own"):              (LOGIN, OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
    ("accounts:organisation", "foreign"):          (LOGIN, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, OK),
    ("accounts:member_add", "own"):                (LOGIN, FORBIDDEN, REDIRECT,  NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    ("accounts:member_add", "foreign"):            (LOGIN, NOT_FOUND, NOT_FOUND, REDIRECT,  NOT_FOUND, NOT_FOUND, REDIRECT),
    ("accounts:member_role", "own"):               (LOGIN, FORBIDDEN, REDIRECT,  NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    ("accounts:member_remove", "own"):             (LOGIN, FORBIDDEN, REDIRECT,  NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    ("accounts:organisation_leave", "own"):        (LOGIN, REDIRECT,  REDIRECT,  NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("accounts:organisation_join", "own"):         (LOGIN, FORBIDDEN, REDIRECT,  NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    ("accounts:organisation_join", "foreign"):     (LOGIN, NOT_FOUND, NOT_FOUND, REDIRECT,  NOT_FOUND, NOT_FOUND, REDIRECT),
    ("accounts:cluster_requests", "own"):          (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, OK),
    ("accounts:cluster_requests", "foreign"):      (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        OK),
    ("accounts:decide_request", "own"):            (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT,  NOT_FOUND, REDIRECT),
    ("accounts:decide_request", "foreign"):        (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT,  REDIRECT),
    ("accounts:tokens", "-"):                      (LOGIN, OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:token_revoke", "own"):              (LOGIN, REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("accounts:token_revoke", "foreign"):          (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("admin:index", "-"):                          (LOGIN, LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
}
# fmt: on
PAGE_EXPECTED = expand(PAGE_GRID)

# Covered elsewhere or not pages of Weft's own.
UNLISTED_PREFIXES = ("admin/", "api/", "^api/", "static/", "media/", "i18n/", "jsi18n/", "__")


def url_patterns():
    """(route, name) of every URL pattern, resolvers flattened."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}" if pattern.name else None
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns))


def test_every_page_is_in_the_matrix():
    pages = {
        name or route
        for route, name in url_patterns()
        if not route.startswith(UNLISTED_PREFIXES) and (name or "").split(":")[0] not in LATER_APPS
    }
    in_matrix = {name for name, _obj in PAGE_GRID}
    missing = pages - in_matrix
    assert not missing, f"add these pages to PAGE_GRID in {__file__}: {sorted(missing)}"
    gone = in_matrix - pages - {"admin:index"}
    assert not gone, f"these pages no longer exist: {sorted(gone)}"


def page_url(m, role, page: Page, obj):
    kwargs = page.kwargs(m, obj) if page.kwargs else {}
    if page.name == "accounts:token_revoke":
        owner = m.user(role) if obj == "own" and role != "anonymous" else m.world.firm_owner
        kwargs = {"token_id": issue_token(user=owner, name="matrix")[0].pk}
    return reverse(page.name, kwargs=kwargs) + page.query


@pytest.mark.parametrize(("role", "name", "obj"), sorted(PAGE_EXPECTED))
def test_page(m, role, name, obj):
    page = PAGES[name]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(m.user(role))
    url = page_url(m, role, page, obj)
    if page.method == "get":
        response = client.get(url)
    else:
        response = client.post(url, page.data(m, obj) if page.data else {})
    expected = PAGE_EXPECTED[(role, name, obj)]
    if expected == LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        assert "/login/" in response["Location"], response["Location"]
        return
    assert response.status_code == expected, (url, response.status_code, response.content[:300])
    if expected == OK and page.contains:
        assert page.contains(m, obj) in response.content.decode()
    if expected == OK and page.method == "get" and not name.startswith("admin:"):
        assert response["Content-Type"].startswith("text/html")


# --- 4b. the POST of every form page --------------------------------------------------------------
#
# Pages that show a form on GET (rows above) and write on POST. Each POST carries valid data, so an
# allowed role's write really happens; a refused one must leave the database as it was.
#   DONE     302 (not to the sign-in page) and the write is in the database
#   SHOWN    200 and the write is in the database (a new token's secret is shown, never redirected)
#   REDIRECT 302 elsewhere, nothing written (a signed-in person sent away from register or login)
#   LOGIN / FORBIDDEN / NOT_FOUND: refused, nothing written
DONE, SHOWN = "done", "shown"
NEW_PASSWORD = "matrix-Kx7-hemp-loom"


def _edit_data(m, obj):
    firm = m.objects["enterprise"][obj]
    return {**as_post(EnterpriseEditForm.initial_from(firm)), "main_products": "矩阵测试"}


def _password_changed(m, role, obj):
    user = m.user(role)
    return user.is_authenticated and User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


FORM_POSTS = {
    "registry:enterprise_edit": Page(
        "registry:enterprise_edit",
        method="post",
        kwargs=lambda m, o: {"pk": m.objects["enterprise"][o].pk},
        data=_edit_data,
        written=lambda m, r, o: Enterprise.objects.filter(
            pk=m.objects["enterprise"][o].pk, main_products="矩阵测试"
        ).exists(),
    ),
    "accounts:login": Page(
        "accounts:login",
        method="post",
        # The firm's owner is no role of the grid: only a successful sign-in stamps last_login.
        data=lambda m, o: {
            "username": m.world.firm_owner.username,
            "password": "correct-horse-battery",
        },
        written=lambda m, r, o: User.objects.get(pk=m.world.firm_owner.pk).last_login is not None,
    ),
    "accounts:register": Page(
        "accounts:register",
        method="post",
        data=lambda m, o: {
            "username": "matrix_newcomer",
            "email": "newcomer@example.test",
            "display_name": "矩阵新人",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        written=lambda m, r, o: User.objects.filter(username="matrix_newcomer").exists(),
    ),
    "accounts:password_change": Page(
        "accounts:password_change",
        method="post",
        data=lambda m, o: {
            "old_password": "correct-horse-battery",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        written=_password_changed,
    ),
    "accounts:profile": Page(
        "accounts:profile",
        method="post",
        data=lambda m, o: {
            "display_name": "矩阵显示名",
            "email": "matrix-profile@example.test",
            "language": "",
        },
        written=lambda m, r, o: User.objects.filter(display_name="矩阵显示名").exists(),
    ),
    "accounts:enterprise_register": Page(
        "accounts:enterprise_register",
        method="post",
        data=lambda m, o: {
            "uscc": new_uscc(),
            "name_zh": "东莞市虎门镇矩阵注册服饰有限公司",
            "legal_form": Enterprise.LegalForm.LIMITED,
            "address": "广东省东莞市虎门镇连升路9号",
            "cluster": m.world.humen.pk,
        },
        written=lambda m, r, o: Organisation.objects.filter(
            enterprise__name_zh="东莞市虎门镇矩阵注册服饰有限公司"
        ).exists(),
    ),
    "accounts:organisation_new": Page(
        "accounts:organisation_new",
        method="post",
        data=lambda m, o: {"name_zh": "矩阵检测中心", "name_en": "Matrix Lab"},
        written=lambda m, r, o: Organisation.objects.filter(name_zh="矩阵检测中心").exists(),
    ),
    "accounts:tokens": Page(
        "accounts:tokens",
        method="post",
        data=lambda m, o: {"name": "矩阵令牌"},
        written=lambda m, r, o: ApiToken.objects.filter(name="矩阵令牌").exists(),
    ),
}

# fmt: off
POST_GRID = {
    #                                              anon   member     admin      other      h_off      k_off      oper
    ("registry:enterprise_edit", "own"):           (LOGIN, FORBIDDEN, DONE,      FORBIDDEN, DONE,      FORBIDDEN, DONE),
    ("registry:enterprise_edit", "foreign"):       (LOGIN, FORBIDDEN, FORBIDDEN, DONE,      FORBIDDEN, DONE,      DONE),
    ("accounts:login", "-"):                       (DONE,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("accounts:register", "-"):                    (DONE,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    ("accounts:password_change", "-"):             (LOGIN, DONE,      DONE,      DONE,      DONE,      DONE,      DONE),
    ("accounts:profile", "-"):                     (LOGIN, DONE,      DONE,      DONE,      DONE,      DONE,      DONE),
    ("accounts:enterprise_register", "-"):         (LOGIN, DONE,      DONE,      DONE,      DONE,      DONE,      DONE),
    ("accounts:organisation_new", "-"):            (LOGIN, DONE,      DONE,      DONE,      DONE,      DONE,      DONE),
    ("accounts:tokens", "-"):                      (LOGIN, SHOWN,     SHOWN,     SHOWN,     SHOWN,     SHOWN,     SHOWN),
}
# fmt: on
POST_EXPECTED = expand(POST_GRID)


def test_every_page_that_takes_a_post_has_a_post_row():
    """See tests/matrix.py for how a page is found to take a POST."""
    takes_post = {
        name
        for route, name, view in url_views()
        if name
        and not route.startswith(UNLISTED_PREFIXES)
        and name.split(":")[0] not in LATER_APPS
        and accepts_post(view)
    }
    posted = {name for name, page in PAGES.items() if page.method == "post"}
    posted |= {name for name, _obj in POST_GRID}
    assert set(FORM_POSTS) == {name for name, _obj in POST_GRID}
    missing = takes_post - posted
    assert not missing, f"these pages take a POST; add its rows to POST_GRID: {sorted(missing)}"
    assert not posted - takes_post, f"these pages take no POST: {sorted(posted - takes_post)}"


@pytest.mark.parametrize(("role", "name", "obj"), sorted(POST_EXPECTED))
def test_form_post(m, role, name, obj):
    page = FORM_POSTS[name]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(m.user(role))
    data = page.data(m, obj)
    url = page_url(m, role, page, obj)
    before = row_counts()
    response = client.post(url, data)
    expected = POST_EXPECTED[(role, name, obj)]
    written = page.written(m, role, obj)
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"], (url, role)
    elif expected in (DONE, REDIRECT):
        assert response.status_code == 302, (url, response.status_code, response.content[:500])
        assert "/login/" not in response["Location"]
    else:
        status = OK if expected == SHOWN else expected
        assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert written is (expected in (DONE, SHOWN)), (role, expected)
    if expected not in (DONE, SHOWN):
        assert row_counts() == before, "a refused POST changed the database"


def test_page_writes_took_effect_only_when_allowed(m):
    """Spot checks that a refused POST changed nothing and an allowed one did."""
    world = m.world
    pending = m.objects["request"]["own"]
    outsider = Client()
    outsider.force_login(world.keqiao_office)
    outsider.post(
        reverse(
            "accounts:decide_request",
            kwargs={"cluster_id": world.humen.pk, "request_id": pending.pk},
        ),
        {"decision": "approve"},
    )
    pending.refresh_from_db()
    assert pending.status == "pending"
    office = Client()
    office.force_login(world.humen_office)
    office.post(
        reverse(
            "accounts:decide_request",
            kwargs={"cluster_id": world.humen.pk, "request_id": pending.pk},
        ),
        {"decision": "approve"},
    )
    pending.refresh_from_db()
    assert pending.status == "approved"

    member = _member(m)
    plain = Client()
    plain.force_login(world.firm_member)
    plain.post(
        reverse(
            "accounts:member_role", kwargs={"org_id": world.firm_org.pk, "membership_id": member.pk}
        ),
        {"role": "admin"},
    )
    member.refresh_from_db()
    assert member.role == "member"

    stranger_token = issue_token(user=world.firm_owner, name="keep")[0]
    thief = Client()
    thief.force_login(world.other_firm_admin)
    thief.post(reverse("accounts:token_revoke", kwargs={"token_id": stranger_token.pk}))
    assert ApiToken.objects.get(pk=stranger_token.pk).revoked_at is None
