"""Per-token (or per signed-in user) and per-IP request limits, shared by every worker via the cache.

A fixed-window counter: one small integer per client and window, so a request costs the same
whatever the limit. (The sliding log of ninja's SimpleRateThrottle keeps one timestamp per
request and rewrites the whole list each time: thousands of entries at high limits.) The price:
across a window's edge a client can get up to twice its limit in a short burst.
"""

import math

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
            key, rate = f"throttle_token_{token.pk}", settings.WEFT_THROTTLE_USER
        elif user is not None and getattr(user, "is_authenticated", False):
            key, rate = f"throttle_user_{user.pk}", settings.WEFT_THROTTLE_USER
        else:
            key, rate = f"throttle_ip_{self.get_ident(request)}", settings.WEFT_THROTTLE_ANON
        self.num_requests, self.duration = self.parse_rate(rate)
        if self.num_requests is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}_{self.duration}_{window}"
        # incr() counts a request in its window's counter (one cache write, the usual case);
        # the window's first request finds no counter and creates it with add(). Should another
        # worker create it in between, add() fails and the request is counted with incr().
        for _attempt in range(2):
            try:
                return self.cache.incr(counter) <= self.num_requests
            except ValueError:
                if self.cache.add(counter, 1, self.duration + 1):
                    return True
        return True

    def wait(self) -> float | None:
        return max(1, math.ceil(self.window_ends - self.timer()))
