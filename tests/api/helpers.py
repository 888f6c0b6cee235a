"""Helpers for API tests: JSON requests as anonymous, as a signed-in user, or with a bearer token."""

import json

from django.test import Client

API = "/api/v1"


class Api:
    """A thin JSON client: `api.get("/clusters", user=u)` signs `u` in through the session first."""

    def __init__(self):
        self.remote_addr = "127.0.0.1"

    def client_for_ip(self, ip):
        return Client(REMOTE_ADDR=ip)

    def _client(self, user=None, csrf=False):
        client = Client(enforce_csrf_checks=csrf, REMOTE_ADDR=self.remote_addr)
        if user is not None:
            client.force_login(user)
        return client

    def request(
        self, method, path, *, user=None, token=None, data=None, lang="en", headers=None, **params
    ):
        client = self._client(user)
        extra = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        for key, value in (headers or {}).items():
            extra["HTTP_" + key.upper().replace("-", "_")] = value
        url = path if path.startswith(API) else API + path
        if method == "get":
            return client.get(url, params or None, **extra)
        body = json.dumps(data if data is not None else {})
        return getattr(client, method)(url, body, content_type="application/json", **extra)

    def get(self, path, **kw):
        return self.request("get", path, **kw)

    def post(self, path, data=None, **kw):
        return self.request("post", path, data=data, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("patch", path, data=data, **kw)

    def delete(self, path, **kw):
        return self.request("delete", path, **kw)


def assert_error(response, status, code=None):
    """An API error: the status, JSON (never HTML) with code/message/details."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= {"code", "message", "details"}, body
    assert body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body
