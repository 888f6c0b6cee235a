"""Inviting an auditor named by an id that is no number or names no organisation: a message,
never a 500, and the assessment keeps its auditor."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.badinput import BAD_IDS, state
from weft.csr import services
from weft.csr.models import Assessment

pytestmark = pytest.mark.django_db


def test_inviting_no_organisation_is_a_message_and_changes_nothing(world, auditor):
    own = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.firm_admin)
    url = reverse("csr:invite", kwargs={"pk": own.pk})
    before = state(Assessment)
    for value in [v for v in BAD_IDS if v] + ["999999"]:
        response = client.post(url, {"auditor": value}, follow=True)
        assert response.status_code == 200, value
        assert "No such organisation." in response.content.decode(), value
    assert state(Assessment) == before
    client.post(url, {"auditor": auditor[0].pk})
    own.refresh_from_db()
    assert own.auditor == auditor[0]
