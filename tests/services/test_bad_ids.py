"""Service and voucher forms posting an id that names no row: refused with a message, never a
500, and nothing written."""

import pytest
from django.test import Client
from django.urls import reverse

from weft.services.models import Redemption, ServiceOrder, Settlement, VoucherApplication

from ..badinput import BAD_IDS, state
from .conftest import accepted_order, grant

pytestmark = pytest.mark.django_db

WRITTEN = (ServiceOrder, VoucherApplication, Redemption, Settlement)


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _refused(client, url, data, message):
    response = client.post(url, data, follow=True)
    assert response.status_code == 200, (data, response.status_code)
    assert message in response.content.decode(), data


def test_ordering_for_a_firm_that_is_no_id_is_refused(market):
    client = _client(market.w.firm_admin)
    before = state(*WRITTEN)
    for value in BAD_IDS:
        _refused(
            client,
            reverse("services:request_service", kwargs={"pk": market.testing.pk}),
            {"firm": value},
            "Choose the firm you order for.",
        )
    assert state(*WRITTEN) == before


def test_applying_for_a_voucher_with_ids_that_are_no_ids_is_refused(market):
    client = _client(market.w.firm_admin)
    before = state(*WRITTEN)
    for value in BAD_IDS:
        for data in (
            {"programme": value, "firm": market.w.firm_org.pk, "amount": "100"},
            {"programme": market.programme.pk, "firm": value, "amount": "100"},
        ):
            _refused(
                client, reverse("services:voucher_apply"), data, "Choose a programme and your firm."
            )
    assert state(*WRITTEN) == before


def test_paying_with_a_voucher_that_is_no_id_is_refused(market):
    grant(market)
    order = accepted_order(market)
    client = _client(market.w.firm_admin)
    before = state(*WRITTEN)
    for value in BAD_IDS:
        _refused(
            client,
            reverse("services:order_pay", kwargs={"pk": order.pk}),
            {"voucher": value},
            "Choose a voucher.",
        )
    assert state(*WRITTEN) == before


def test_claiming_with_ids_that_are_no_ids_is_refused(market):
    client = _client(market.lab_admin)
    before = state(*WRITTEN)
    for value in BAD_IDS:
        for data in (
            {"provider": value, "programme": market.programme.pk},
            {"provider": market.lab.pk, "programme": value},
        ):
            _refused(client, reverse("services:claim"), data, "Choose the programme to claim from.")
    assert state(*WRITTEN) == before


def test_adding_a_service_for_a_provider_that_is_no_id_is_forbidden(market):
    client = _client(market.lab_admin)
    before = state(*WRITTEN)
    for value in BAD_IDS:
        response = client.post(
            reverse("services:service_add"), {"provider": value, "title_zh": "检测"}
        )
        assert response.status_code == 403, value
    assert state(*WRITTEN) == before


@pytest.mark.parametrize("days", ["²", "abc", "-3", "99999999999999999999"])
def test_a_turnaround_that_is_no_number_of_days_is_not_a_500(market, days):
    client = _client(market.lab_admin)
    response = client.post(
        reverse("services:service_add"),
        {
            "provider": market.lab.pk,
            "category": "testing",
            "title_zh": "克重检测",
            "turnaround_days": days,
        },
        follow=True,
    )
    assert response.status_code == 200
    service = market.lab.services.filter(title_zh="克重检测").first()
    assert service is None or service.turnaround_days is None
