"""API tokens: the secret is shown once, only its hash is kept, revoking works."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from weft.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_create_shows_secret_once_and_stores_only_the_hash(en_client):
    user = UserFactory()
    en_client.force_login(user)
    response = en_client.post(reverse("accounts:tokens"), {"name": "ERP export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    token = ApiToken.objects.get(user=user)
    secret = body.split('id="token-secret" type="text" value="')[1].split('"')[0]
    assert secret.startswith("wft_") and len(secret) > 30
    assert "it will not be shown again" in body
    assert token.digest == ApiToken.hash(secret)
    assert secret not in (token.digest, token.prefix, token.name)
    assert token.prefix == secret[4:12]
    # The secret works against the API...
    me = en_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["username"] == user.username
    # ...and is never shown again.
    listing = en_client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in listing
    assert token.prefix in listing and "ERP export" in listing


def test_revoke(en_client):
    user = UserFactory()
    en_client.force_login(user)
    en_client.post(reverse("accounts:tokens"), {"name": "script"})
    token = ApiToken.objects.get(user=user)
    response = en_client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in en_client.get(reverse("accounts:tokens")).content.decode()


def test_someone_elses_token_is_404(en_client):
    owner = UserFactory()
    en_client.force_login(owner)
    en_client.post(reverse("accounts:tokens"), {"name": "mine"})
    token = ApiToken.objects.get(user=owner)
    en_client.force_login(UserFactory())
    assert en_client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.prefix not in en_client.get(reverse("accounts:tokens")).content.decode()
