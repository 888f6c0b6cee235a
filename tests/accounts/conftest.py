import pytest


@pytest.fixture
def en_client(client):
    """A browser that chose English, so messages can be compared with the English msgids."""
    client.cookies["django_language"] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client
