"""Helpers shared by the permission matrices: which API operations an app mounts, which pages
take a POST, and what each role's POST of a form does."""

import ast
import inspect
import re
import sys
import textwrap

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from weft.core.api import api as ninja_api


def api_operations(app: str | None = None, *, exclude: tuple[str, ...] = ()) -> set[str]:
    """'METHOD /path' of every mounted operation whose handler lives in weft.<app>.

    With no app: every operation except those of the apps in `exclude`. The matrices compare this
    with their grids, so a new endpoint fails the suite until it has its row.
    """
    found = set()
    for _prefix, router in ninja_api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                owner = operation.view_func.__module__.split(".")[1]
                if (app is not None and owner != app) or owner in exclude:
                    continue
                route = "/" + path.lstrip("/")
                route = route.replace("<int:", "{").replace("<", "{").replace(">", "}")
                found |= {f"{method} {route}" for method in operation.methods}
    return found


# --- which pages take a POST ---------------------------------------------------------------------
#
# A page's write is its POST, so every page that takes one needs a POST row in its matrix. Whether
# a page takes one is read from its view, in this order:
#   1. a class-based view takes POST if it defines post() and allows the method (LoginView does,
#      a LogoutView's POST is its only method, JavaScriptCatalog has none);
#   2. a function view behind require_http_methods / require_POST / require_GET / require_safe
#      takes exactly the methods that decorator lets through, wherever it sits in the stack;
#   3. any other function view is reached by every method, and takes POST if it, or a function of
#      its own module it hands the request to, reads request.POST / request.FILES or looks at
#      request.method.
# So a new form page, a new `if request.method == "POST"` branch or a require_POST view fails the
# completeness checks until a POST row is added.

_READS_POST = re.compile(r"\brequest\.(POST|FILES|method)\b")


def url_views() -> list[tuple[str, str | None, object]]:
    """(route, namespaced name, view) of every URL pattern, resolvers flattened."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}" if pattern.name else None
                yield prefix + str(pattern.pattern), name, pattern.callback

    return list(walk(get_resolver().url_patterns))


def _allowed_methods(view) -> set[str] | None:
    """The methods a require_http_methods decorator in the view's stack lets through, if any."""
    layer = view
    while layer is not None:
        code = getattr(layer, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = layer.__closure__[code.co_freevars.index("request_method_list")]
            return {method.upper() for method in cell.cell_contents}
        layer = getattr(layer, "__wrapped__", None)
    return None


def _reads_post(func, seen: set) -> bool:
    func = inspect.unwrap(func)
    if func in seen or not inspect.isfunction(func):
        return False
    seen.add(func)
    source = textwrap.dedent(inspect.getsource(func))
    if _READS_POST.search(source):
        return True
    module = sys.modules[func.__module__]
    for node in ast.walk(ast.parse(source)):
        # A helper of the same module that is handed the request: helper(request, ...).
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and any(isinstance(a, ast.Name) and a.id == "request" for a in node.args)
        ):
            helper = getattr(module, node.func.id, None)
            if getattr(helper, "__module__", None) == func.__module__ and _reads_post(helper, seen):
                return True
    return False


def accepts_post(view) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    allowed = _allowed_methods(view)
    if allowed is not None:
        return "POST" in allowed
    return _reads_post(view, set())


def post_pages(namespace: str | None = None) -> set[str]:
    """Names of the pages (of one URL namespace, or all named ones) whose view takes a POST."""
    return {
        name
        for _route, name, view in url_views()
        if name and (namespace is None or name.startswith(f"{namespace}:")) and accepts_post(view)
    }


def as_post(data: dict) -> dict:
    """Form initial values (or any field → value dict) as the test client posts them."""
    out = {}
    for name, value in data.items():
        if value is None or value is False:
            continue  # an empty field, an unticked box
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(getattr(v, "pk", v)) for v in value]
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        else:
            value = str(getattr(value, "pk", value))
        out[name] = value
    return out


def row_counts() -> dict[str, int]:
    """Rows of every Weft model: equal before and after a refused write, or something was written."""
    from django.apps import apps

    return {
        model._meta.label: model._base_manager.count()
        for config in apps.get_app_configs()
        if config.name.startswith("weft.")
        for model in config.get_models()
    }


LOGIN, DONE = "login", "done"


def post_as_each_role(users: dict, roles, url: str, data, written, *, done=DONE) -> tuple:
    """Each role's answer to one form POST, every role from the same state: LOGIN for a redirect
    to sign in, `done` for a redirect after `written()` finds the write, else the status code.
    `data()` gives the form's fields. A POST that wrote nothing must have changed nothing."""
    got = []
    for role in roles:
        with transaction.atomic():
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            if users[role].is_authenticated:
                client.force_login(users[role])
            posted = data()
            before = row_counts()
            response = client.post(url, posted)
            wrote = written()
            status = response.status_code
            if status == 302 and "/login/" in response["Location"]:
                status = LOGIN
            elif status == 302 and wrote:
                status = done
            got.append(status)
            assert wrote is (status == done), (role, status)
            if not wrote:
                assert row_counts() == before, (role, "a refused POST changed the database")
            transaction.set_rollback(True)
    return tuple(got)
