"""Per-token (or per signed-in user) and per-IP request limits, shared by every worker via the cache."""

from django.conf import settings
from ninja.throttling import SimpleRateThrottle


class ClientThrottle(SimpleRateThrottle):
    scope = "client"

    def __init__(self):
        super().__init__(settings.WEFT_THROTTLE_ANON)

    def allow_request(self, request) -> bool:
        token = getattr(request, "api_token", None)
        user = getattr(request, "auth", None)
        if token is not None:
            self.key, rate = f"throttle_token_{token.pk}", settings.WEFT_THROTTLE_USER
        elif user is not None and getattr(user, "is_authenticated", False):
            self.key, rate = f"throttle_user_{user.pk}", settings.WEFT_THROTTLE_USER
        else:
            self.key, rate = f"throttle_ip_{self.get_ident(request)}", settings.WEFT_THROTTLE_ANON
        self.num_requests, self.duration = self.parse_rate(rate)
        if self.num_requests is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()
