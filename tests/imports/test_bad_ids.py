"""An enterprise list posted for a cluster that is no id: refused (403, as for another office's
cluster), never a 500, and no import is started."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.badinput import BAD_IDS, state
from weft.imports.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["humen_office", "operator"])
def test_a_list_for_no_cluster_is_refused_and_starts_nothing(world, who):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(world, who))
    before = state(ImportJob)
    for value in [v for v in BAD_IDS if v] + ["999999"]:
        response = client.post(reverse("imports:list"), {"cluster": value})
        assert response.status_code == 403, value
    assert state(ImportJob) == before
