import pytest

from weft.chain.graph import load_stage_links


@pytest.fixture
def links(db):
    """The default chain graph (live-server tests flush the data migration's rows)."""
    load_stage_links()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
