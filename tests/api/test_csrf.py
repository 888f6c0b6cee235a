"""Session-authenticated API calls need Django's CSRF token on unsafe methods; tokens do not."""

import json

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from .helpers import API, assert_error

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def patch(client, path, data, **extra):
    return client.patch(API + path, json.dumps(data), content_type="application/json", **extra)


def csrf_token_for(client):
    """The CSRF token a page would embed, with its cookie set on the client."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return token


def test_session_patch_without_csrf_token_is_403_json(world):
    client = signed_in(world.firm_admin)
    response = patch(client, f"/enterprises/{world.firm.pk}", {"main_products": "礼服"})
    body = assert_error(response, 403, "csrf_failed")
    assert (
        body["message"]
        == "The CSRF token is missing or wrong. Reload the page, or use an API token."
    )
    world.firm.refresh_from_db()
    assert world.firm.main_products == "女装"


def test_session_post_and_delete_without_csrf_token_are_403(world):
    client = signed_in(world.operator)
    response = client.post(
        API + "/enterprises",
        json.dumps({"name_zh": "东莞市虎门镇某某制衣有限公司"}),
        content_type="application/json",
    )
    assert_error(response, 403, "csrf_failed")
    assert_error(client.delete(API + "/auth/tokens/1"), 403, "csrf_failed")


def test_session_patch_with_csrf_token_succeeds(world):
    client = signed_in(world.firm_admin)
    token = csrf_token_for(client)
    response = patch(
        client, f"/enterprises/{world.firm.pk}", {"main_products": "礼服"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200, response.content
    assert response.json()["main_products"] == "礼服"


def test_session_reads_need_no_csrf_token(world):
    client = signed_in(world.firm_admin)
    assert client.get(API + "/me").status_code == 200


def test_bearer_token_needs_no_csrf_token(world, token_for):
    client = Client(enforce_csrf_checks=True)
    response = patch(
        client,
        f"/enterprises/{world.firm.pk}",
        {"main_products": "礼服"},
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.firm_admin)}",
    )
    assert response.status_code == 200, response.content


def test_anonymous_write_without_session_is_401_not_csrf(world):
    """No session cookie means no ambient credentials to forge: the answer is 'sign in'."""
    client = Client(enforce_csrf_checks=True)
    response = patch(client, f"/enterprises/{world.firm.pk}", {"main_products": "礼服"})
    assert_error(response, 401, "unauthenticated")


def test_token_issue_needs_no_csrf(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        API + "/auth/tokens",
        json.dumps({"username": world.firm_admin.username, "password": "correct-horse-battery"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
