"""Fixtures for API tests."""

import time

import pytest
from django.core.cache import cache

from weft.accounts.services import issue_token
from weft.core.throttling import ClientThrottle

from .helpers import Api


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.7 s per test user; the world fixture makes eight of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    return Api()


@pytest.fixture
def token_for():
    """token_for(user) → a fresh bearer secret for `user`."""

    def make(user, name="test"):
        return issue_token(user=user, name=name)[1]

    return make


@pytest.fixture
def throttle_moment(monkeypatch):
    """An empty request history, and every request of the test counted at one moment half-way
    through a minute: windows are fixed minutes, and a test crossing a minute's edge would start
    counting again. Returns the moment."""
    cache.clear()  # the test cache outlives a test
    moment = (time.time() // 60) * 60 + 30
    monkeypatch.setattr(ClientThrottle, "timer", staticmethod(lambda: moment))
    return moment
