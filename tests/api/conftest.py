"""Fixtures for API tests."""

import pytest

from weft.accounts.services import issue_token

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
