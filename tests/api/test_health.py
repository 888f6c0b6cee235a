"""The liveness check: no database, no sign-in, never throttled (load balancers poll it often)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_health_answers_ok_without_touching_the_database(api):
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_health_is_not_throttled(api, settings, throttle_moment):
    settings.WEFT_THROTTLE_ANON = "2/min"
    assert [api.get("/health").status_code for _ in range(5)] == [200] * 5
    # The same client is throttled elsewhere, so the limit was in force.
    assert [api.get("/taxonomy/stages").status_code for _ in range(3)] == [200, 200, 429]


def test_health_ignores_a_bad_token(api):
    # A probe carrying a stale header must not turn into a 401 and take the instance out.
    response = api.get("/health", token="nonsense")
    assert response.status_code == 200
