"""Request limits: per client IP for anonymous calls, per token (or user) otherwise."""

import pytest

from ..factories import UserFactory
from .helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings, throttle_moment):
    settings.WEFT_THROTTLE_ANON = "3/min"
    settings.WEFT_THROTTLE_USER = "5/min"


def test_fourth_anonymous_request_is_429_with_retry_after(api, tight):
    for _ in range(3):
        assert api.get("/taxonomy/stages").status_code == 200
    response = api.get("/taxonomy/stages")
    body = assert_error(response, 429, "throttled")
    wait = int(response["Retry-After"])
    assert wait == 30  # the rest of the minute
    assert body["details"] == {"retry_after": wait}
    assert f"Try again in {wait} seconds" in body["message"]


def test_limit_is_per_ip(api, tight):
    for _ in range(3):
        api.get("/taxonomy/stages")
    assert api.get("/taxonomy/stages").status_code == 429
    other = api.client_for_ip("10.9.9.9").get("/api/v1/taxonomy/stages")
    assert other.status_code == 200


def test_tokens_are_limited_separately_from_the_ip_and_each_other(api, tight, token_for):
    user = UserFactory()
    first, second = token_for(user), token_for(user)
    for _ in range(3):
        api.get("/taxonomy/stages")
    assert api.get("/taxonomy/stages").status_code == 429  # the IP is used up …
    for _ in range(5):
        assert api.get("/taxonomy/stages", token=first).status_code == 200  # … the token is not
    assert_error(api.get("/taxonomy/stages", token=first), 429, "throttled")
    assert api.get("/taxonomy/stages", token=second).status_code == 200  # each token has its own


def test_signed_in_session_has_the_user_limit(api, tight):
    user = UserFactory()
    for _ in range(3):
        api.get("/taxonomy/stages")
    for _ in range(5):
        assert api.get("/taxonomy/stages", user=user).status_code == 200
    assert_error(api.get("/taxonomy/stages", user=user), 429, "throttled")


def test_the_one_machine_cache_counts_across_requests_and_workers(
    api, settings, tmp_path, throttle_moment
):
    """WEFT_CACHE=file: every worker opens the same cache directory; Django closes caches after
    each request, which must neither lose counts nor break the next request."""
    from weft.core.cache import DiskCache

    settings.CACHES = {
        "default": {"BACKEND": "weft.core.cache.DiskCache", "LOCATION": str(tmp_path)}
    }
    settings.WEFT_THROTTLE_ANON = "3/min"
    for _ in range(3):
        assert api.get("/taxonomy/stages").status_code == 200
    assert_error(api.get("/taxonomy/stages"), 429, "throttled")
    other_worker = DiskCache(str(tmp_path), {})
    window = int(throttle_moment // 60)
    assert other_worker.get(f"throttle_ip_127.0.0.1_60_{window}") == 4  # it sees the same counter
