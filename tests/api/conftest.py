"""Fixtures for API tests."""

import pytest

from weft.accounts.services import issue_token

from .helpers import Api


@pytest.fixture
def api():
    return Api()


@pytest.fixture
def token_for():
    """token_for(user) → a fresh bearer secret for `user`."""

    def make(user, name="test"):
        return issue_token(user=user, name=name)[1]

    return make
