"""Bearer tokens: issued once, stored as a SHA-256 digest, usable everywhere, revocable."""

import hashlib

import pytest

from weft.accounts.models import ApiToken

from ..factories import UserFactory
from .helpers import assert_error

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def create_token(api, user, name="ci"):
    return api.post(
        "/auth/tokens", {"username": user.username, "password": PASSWORD, "name": name}, lang="en"
    )


def test_create_token_shows_secret_once_and_stores_only_its_digest(api):
    user = UserFactory()
    response = create_token(api, user)
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["token"]
    assert set(body) == {"id", "token", "prefix", "name"}
    assert body["name"] == "ci"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == user
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert (
        secret.startswith("wft_")
        and secret[4 : 4 + ApiToken.PREFIX_LEN] == token.prefix == body["prefix"]
    )
    # The secret itself is stored nowhere on the row.
    stored = " ".join(str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert secret not in stored and secret[4:] not in stored
    # Listing tokens never shows the secret again.
    listed = api.get("/auth/tokens", token=secret).json()
    assert [t["prefix"] for t in listed] == [token.prefix]
    assert "token" not in listed[0] and secret not in str(listed)


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "nobody", "password": PASSWORD},
        {"username": "{user}", "password": "wrong"},
        {"username": "{user}", "password": ""},
    ],
)
def test_bad_credentials_are_401_json(api, payload):
    user = UserFactory()
    payload = {k: v.format(user=user.username) for k, v in payload.items()}
    body = assert_error(api.post("/auth/tokens", payload), 401, "bad_credentials")
    assert body["message"] == "The username or password is wrong."
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(api):
    user = UserFactory(is_active=False)
    assert_error(create_token(api, user), 401, "bad_credentials")


def test_missing_fields_are_422(api):
    body = assert_error(api.post("/auth/tokens", {"username": "x"}), 422, "invalid_request")
    assert any("password" in d["loc"] for d in body["details"])


def test_token_works_on_every_endpoint(api, world):
    user = world.firm_admin
    secret = create_token(api, user).json()["token"]
    firm = world.firm
    reads = [
        "/clusters",
        f"/clusters/{world.humen.pk}",
        "/enterprises",
        f"/enterprises/{firm.pk}",
        "/taxonomy/stages",
        "/taxonomy/industry-codes",
        "/identifiers/uscc/914403001922038216",
        "/auth/tokens",
        "/me",
    ]
    for path in reads:
        assert api.get(path, token=secret).status_code == 200, path
    assert api.get("/geocode", token=secret, address="广东省东莞市虎门镇").status_code == 200
    me = api.get("/me", token=secret).json()
    assert me["username"] == user.username
    assert {
        "id": world.firm_org.pk,
        "kind": "enterprise",
        "name": firm.name_zh,
        "role": "admin",
    } in me["organisations"]
    # Token holders see what their user may see: the firm's private e-mail.
    assert (
        api.get(f"/enterprises/{firm.pk}", token=secret).json()["contact"]["email"]
        == "li@example.test"
    )
    assert (
        api.patch(f"/enterprises/{firm.pk}", {"main_products": "连衣裙"}, token=secret).status_code
        == 200
    )
    created = api.post("/enterprises", {"name_zh": "东莞市虎门镇新开制衣有限公司"}, token=secret)
    assert created.status_code == 201, created.content
    new_id = api.post("/auth/tokens", {"username": user.username, "password": PASSWORD}).json()[
        "id"
    ]
    assert api.delete(f"/auth/tokens/{new_id}", token=secret).status_code == 204


def test_revoked_token_is_401(api):
    user = UserFactory()
    body = create_token(api, user).json()
    secret = body["token"]
    assert api.get("/me", token=secret).status_code == 200
    assert api.delete(f"/auth/tokens/{body['id']}", token=secret).status_code == 204
    assert ApiToken.objects.get(pk=body["id"]).revoked_at is not None
    assert_error(api.get("/me", token=secret), 401, "unauthenticated")
    # Even public endpoints refuse a bad token rather than silently treating it as anonymous.
    assert_error(api.get("/clusters", token=secret), 401, "unauthenticated")
    listed = api.get("/auth/tokens", user=user).json()
    assert listed[0]["active"] is False


def test_someone_elses_token_id_is_404(api):
    alice, bob = UserFactory(), UserFactory()
    alice_token = create_token(api, alice).json()
    bob_secret = create_token(api, bob).json()["token"]
    assert_error(
        api.delete(f"/auth/tokens/{alice_token['id']}", token=bob_secret), 404, "not_found"
    )
    assert_error(api.delete("/auth/tokens/999999", token=bob_secret), 404, "not_found")
    assert ApiToken.objects.get(pk=alice_token["id"]).revoked_at is None


@pytest.mark.parametrize(
    "header",
    ["Bearer wft_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "wft_no_scheme"],
)
def test_garbage_authorization_is_401(api, db, header):
    response = api.get("/me", headers={"Authorization": header})
    assert_error(response, 401, "unauthenticated")


def test_token_of_deactivated_user_is_401(api):
    user = UserFactory()
    secret = create_token(api, user).json()["token"]
    user.is_active = False
    user.save()
    assert_error(api.get("/me", token=secret), 401, "unauthenticated")


def test_token_records_last_use(api):
    user = UserFactory()
    body = create_token(api, user).json()
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is None
    api.get("/me", token=body["token"])
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is not None


def test_signed_in_endpoints_refuse_anonymous(api, db):
    for path in ("/me", "/auth/tokens"):
        body = assert_error(api.get(path), 401, "unauthenticated")
        assert body["message"] == "Sign in or send a valid API token."
    assert_error(api.delete("/auth/tokens/1"), 401, "unauthenticated")
