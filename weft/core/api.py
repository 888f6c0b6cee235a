"""The one NinjaAPI instance: authentication, throttling and the JSON error format.

Errors are always `{"code": ..., "message": ..., "details": ...}`, in the request's language.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from .auth import OPTIONAL_AUTH, CsrfFailed
from .errors import ApiError
from .throttling import ClientThrottle

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Weft API",
    version="1",
    description="Open public service platform for textile and apparel industrial clusters.",
    urls_namespace="api",
    auth=OPTIONAL_AUTH,
    throttle=[ClientThrottle()],
    docs_url="/docs",
)


def error(request: HttpRequest, status: int, code: str, message: str, details=None, headers=None):
    response = api.create_response(
        request, {"code": code, "message": str(message), "details": details}, status=status
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def _invalid_request(request, exc: ValidationError):
    details = [
        {
            "loc": [str(p) for p in e.get("loc", [])],
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return error(request, 422, "invalid_request", _("The request is not valid."), details)


@api.exception_handler(DjangoValidationError)
def _invalid_data(request, exc: DjangoValidationError):
    if hasattr(exc, "message_dict"):
        details = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(details.values()))[0] if details else _("The data is not valid.")
    else:
        details = {"__all__": [str(m) for m in exc.messages]}
        first = exc.messages[0]
    return error(request, 422, "invalid_data", first, details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(CsrfFailed)
def _csrf_failed(request, exc):
    return error(
        request,
        403,
        "csrf_failed",
        _("The CSRF token is missing or wrong. Reload the page, or use an API token."),
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    # Rounded up, as ninja rounds the Retry-After header it sets, so body and header agree.
    wait = max(1, math.ceil(exc.wait or 1))
    return error(
        request,
        429,
        "throttled",
        _("Too many requests. Try again in %(s)d seconds.") % {"s": wait},
        {"retry_after": wait},
        headers={"Retry-After": str(wait)},
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
    }
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):
    if settings.DEBUG:
        raise exc
    log.exception("API error on %s", request.path)
    return error(request, 500, "server_error", _("Something went wrong on our side."))


def register_routers():
    from weft.accounts.api import router as accounts_router
    from weft.chain.api import events_router as docking_router
    from weft.chain.api import router as chain_router
    from weft.core.health import router as health_router
    from weft.csr.api import router as csr_router
    from weft.events.api import router as events_router
    from weft.imports.api import router as imports_router
    from weft.market.api import router as market_router
    from weft.registry.api import router as registry_router
    from weft.services.api import router as services_router
    from weft.stats.api import router as stats_router
    from weft.talent.api import router as talent_router

    api.add_router("", imports_router)  # before registry: /enterprises/export vs /{id}
    api.add_router("", registry_router)
    api.add_router("", accounts_router)
    api.add_router("", health_router)
    api.add_router("", chain_router)
    api.add_router("/events", docking_router)  # /events/docking/…, beside the events app's /events
    api.add_router("", market_router)
    api.add_router("", services_router)
    api.add_router("", stats_router)
    api.add_router("", talent_router)
    api.add_router("", csr_router)
    api.add_router("", events_router)


register_routers()
