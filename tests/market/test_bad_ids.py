"""Market forms with an id or a number that is no id or number: a 404 for an unknown firm, a
message for a bad rating or cluster, never a 500, and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.helpers import Api, assert_error
from tests.badinput import BAD_IDS, state
from weft.market import services
from weft.market.models import Invitation, Rating, SavedSearch, SupplierRecord

from .conftest import post_open
from .test_lifecycle import quote_data

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_inviting_no_firm_is_404_and_changes_nothing(market):
    demand = post_open(market.buyer_admin)
    client = _client(market.buyer_admin)
    url = reverse("market:demand_invite", args=[demand.pk])
    before = state(Invitation)
    for value in [*BAD_IDS, "999999"]:
        assert client.post(url, {"enterprise_id": value}).status_code == 404, value
    assert state(Invitation) == before
    client.post(url, {"enterprise_id": market.keqiao_mill.pk})
    assert Invitation.objects.get(demand=demand).enterprise == market.keqiao_mill


@pytest.fixture
def delivered(market):
    demand = post_open(market.buyer_admin)
    quote = services.submit_quote(user=market.keqiao_admin, demand=demand, data=quote_data())
    award = services.award(user=market.buyer_admin, quote=quote)
    services.act(market.buyer_admin, demand, "start_production")
    services.act(market.buyer_admin, demand, "deliver")
    return award


def test_a_rating_that_is_no_number_from_1_to_5_is_a_message_and_changes_nothing(market, delivered):
    client = _client(market.buyer_admin)
    url = reverse("market:award_rate", args=[delivered.pk])
    before = state(Rating, SupplierRecord)
    for value in ["abc", "1e9", "-1", "", "4.5", "0", "6", "²", "99999999999999999999"]:
        response = client.post(url, {"quality": value, "on_time": "yes"}, follow=True)
        assert response.status_code == 200, value
        assert "Quality is rated from 1 to 5." in response.content.decode(), value
    assert state(Rating, SupplierRecord) == before
    client.post(url, {"quality": "4", "on_time": "yes"})
    assert Rating.objects.get(award=delivered).quality == 4


def test_a_saved_search_for_a_cluster_that_is_no_number_is_refused(market):
    client = _client(market.buyer_admin)
    before = state(SavedSearch)
    for value in ["abc", "1e9", "-1", "²", "1; DROP TABLE x"]:
        response = client.post(
            reverse("market:save_search"),
            {"name": "面料", "kind": "demands", "cluster": value},
            follow=True,
        )
        assert response.status_code == 200, value
        assert "A cluster is given by its number." in response.content.decode(), value
        assert_error(
            Api().post(
                "/saved-searches",
                {"name": "面料", "kind": "demands", "filters": {"cluster": value}},
                user=market.buyer_admin,
            ),
            422,
        )
    assert state(SavedSearch) == before


def test_a_saved_search_with_a_cluster_number_is_kept_and_still_notifies(market):
    client = _client(market.buyer_admin)
    cluster = market.world.humen.pk
    client.post(
        reverse("market:save_search"), {"name": "面料", "kind": "demands", "cluster": str(cluster)}
    )
    assert SavedSearch.objects.get().filters == {"cluster": cluster}
    # The saved search is run again when a demand is published, without tripping on its cluster.
    post_open(market.keqiao_admin, visibility="public")


@pytest.mark.parametrize(
    ("filters", "param"),
    [
        ({"stage": "nope"}, "stage"),
        ({"category": "silk_lace"}, "category"),
        ({"province": "江"}, "province"),  # 江苏省 or 江西省
        ({"cluster": "999999"}, "cluster"),
    ],
)
def test_a_saved_search_whose_filter_names_nothing_is_refused(market, filters, param):
    """Run again at every publication, it would never match: refused when saved, page and API."""
    client = _client(market.buyer_admin)
    before = state(SavedSearch)
    response = client.post(
        reverse("market:save_search"), {"name": "面料", "kind": "demands", **filters}, follow=True
    )
    assert "Search saved" not in response.content.decode()
    assert str(next(iter(filters.values()))) in response.content.decode()
    body = assert_error(
        Api().post(
            "/saved-searches",
            {"name": "面料", "kind": "demands", "filters": filters},
            user=market.buyer_admin,
        ),
        422,
    )
    assert param in str(body), body
    assert state(SavedSearch) == before
    client.post(
        reverse("market:save_search"), {"name": "面料", "kind": "demands", "stage": "weaving"}
    )
    assert SavedSearch.objects.get().filters == {"stage": "weaving"}
