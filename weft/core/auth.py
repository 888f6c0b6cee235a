"""API authentication: a bearer token or the browser session; anonymous where the route allows."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie
from ninja.security.http import HttpBearer

from weft.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        token_obj = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token_obj is None:
            raise AuthenticationError
        # Write at most once a minute per token so a busy client does not turn reads into writes.
        now = timezone.now()
        if token_obj.last_used_at is None or (now - token_obj.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token_obj.pk).update(last_used_at=now)
        request.user = token_obj.user
        request.api_token = token_obj
        return token_obj.user


class CsrfFailed(Exception):
    """A session-authenticated write without a valid CSRF token."""


class SessionAuth(APIKeyCookie):
    """Django's session, with CSRF checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # Without a session cookie there are no ambient credentials to forge, so there is nothing
        # for CSRF to protect: an anonymous write gets "sign in" (401), not a CSRF failure.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise CsrfFailed from exc

    def authenticate(self, request, key):
        if not key:  # no session cookie, no session: don't load the lazy request.user for nothing
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class Anonymous:
    """Lets a public route through; rejects a request that sent a bad token (TokenAuth raises)."""

    def __call__(self, request):
        if request.headers.get("Authorization"):
            raise AuthenticationError
        return AnonymousUser()


OPTIONAL_AUTH = [TokenAuth(), SessionAuth(), Anonymous()]
REQUIRED_AUTH = [TokenAuth(), SessionAuth()]


def current_user(request):
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "is_authenticated", False):
        return auth
    return AnonymousUser()
