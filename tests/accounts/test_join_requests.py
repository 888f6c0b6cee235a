"""An enterprise asks to join a cluster; only that cluster's office (or the operator) decides."""

import pytest
from django.urls import reverse

from weft.registry.models import ClusterMembership
from weft.registry.selectors import EnterpriseFilters, enterprise_directory

pytestmark = pytest.mark.django_db


def ask(client, world, cluster):
    client.force_login(world.other_firm_admin)
    org = world.other_firm.organisation
    return client.post(
        reverse("accounts:organisation_join", args=[org.pk]), {"cluster": cluster.pk}
    )


def test_enterprise_admin_asks_and_office_of_that_cluster_approves(en_client, world, mailoutbox):
    response = ask(en_client, world, world.humen)
    assert response.status_code == 302
    request = ClusterMembership.objects.get(enterprise=world.other_firm, cluster=world.humen)
    assert request.status == ClusterMembership.Status.PENDING
    assert world.other_firm not in enterprise_directory(EnterpriseFilters(cluster=world.humen.pk))

    en_client.force_login(world.humen_office)
    queue = en_client.get(reverse("accounts:cluster_requests", args=[world.humen.pk]))
    body = queue.content.decode()
    assert queue.status_code == 200
    assert world.other_firm.name_zh in body
    assert world.other_firm.uscc in body
    assert world.other_firm.address in body
    assert "Weaving" in body  # its chain stage

    response = en_client.post(
        reverse("accounts:decide_request", args=[world.humen.pk, request.pk]),
        {"decision": "approve", "note": "欢迎加入"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ClusterMembership.Status.APPROVED
    assert request.decided_by == world.humen_office
    assert request.note == "欢迎加入"
    # The firm is now found in the directory filtered by the cluster.
    assert world.other_firm in enterprise_directory(EnterpriseFilters(cluster=world.humen.pk))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.other_firm_admin.email]


def test_htmx_decision_returns_the_row(en_client, world):
    ask(en_client, world, world.humen)
    request = ClusterMembership.objects.get(enterprise=world.other_firm, cluster=world.humen)
    en_client.force_login(world.humen_office)
    response = en_client.post(
        reverse("accounts:decide_request", args=[world.humen.pk, request.pk]),
        {"decision": "reject", "note": "地址不在本镇"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="request-{request.pk}"')
    assert "Rejected" in body and "地址不在本镇" in body
    request.refresh_from_db()
    assert request.status == ClusterMembership.Status.REJECTED
    # Deciding twice is refused with a message, not an error page.
    response = en_client.post(
        reverse("accounts:decide_request", args=[world.humen.pk, request.pk]),
        {"decision": "approve"},
        HTTP_HX_REQUEST="true",
    )
    assert "This request has already been decided." in response.content.decode()
    request.refresh_from_db()
    assert request.status == ClusterMembership.Status.REJECTED


def test_office_of_another_cluster_cannot_see_or_decide(en_client, world):
    ask(en_client, world, world.humen)
    request = ClusterMembership.objects.get(enterprise=world.other_firm, cluster=world.humen)
    en_client.force_login(world.keqiao_office)
    assert (
        en_client.get(reverse("accounts:cluster_requests", args=[world.humen.pk])).status_code
        == 404
    )
    assert (
        en_client.post(
            reverse("accounts:decide_request", args=[world.humen.pk, request.pk]),
            {"decision": "approve"},
        ).status_code
        == 404
    )
    # Nor through its own cluster's address.
    assert (
        en_client.post(
            reverse("accounts:decide_request", args=[world.keqiao.pk, request.pk]),
            {"decision": "approve"},
        ).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.status == ClusterMembership.Status.PENDING
    # Its own queue does not list the request either.
    body = en_client.get(
        reverse("accounts:cluster_requests", args=[world.keqiao.pk])
    ).content.decode()
    assert f'id="request-{request.pk}"' not in body
    assert "No requests are waiting." in body


@pytest.mark.parametrize("who", ["humen_office_member", "firm_owner", "other_firm_admin"])
def test_others_cannot_see_the_queue(en_client, world, who):
    ask(en_client, world, world.humen)
    request = ClusterMembership.objects.get(enterprise=world.other_firm, cluster=world.humen)
    en_client.force_login(getattr(world, who))
    assert (
        en_client.get(reverse("accounts:cluster_requests", args=[world.humen.pk])).status_code
        == 404
    )
    assert (
        en_client.post(
            reverse("accounts:decide_request", args=[world.humen.pk, request.pk]),
            {"decision": "approve"},
        ).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.status == ClusterMembership.Status.PENDING


def test_operator_can_decide(en_client, world):
    ask(en_client, world, world.humen)
    request = ClusterMembership.objects.get(enterprise=world.other_firm, cluster=world.humen)
    en_client.force_login(world.operator)
    assert (
        en_client.get(reverse("accounts:cluster_requests", args=[world.humen.pk])).status_code
        == 200
    )
    en_client.post(
        reverse("accounts:decide_request", args=[world.humen.pk, request.pk]),
        {"decision": "approve"},
    )
    request.refresh_from_db()
    assert request.status == ClusterMembership.Status.APPROVED


def test_plain_member_cannot_ask_and_duplicates_are_explained(en_client, world):
    en_client.force_login(world.firm_member)
    response = en_client.post(
        reverse("accounts:organisation_join", args=[world.firm_org.pk]),
        {"cluster": world.keqiao.pk},
    )
    assert response.status_code == 403
    assert not ClusterMembership.objects.filter(
        enterprise=world.firm, cluster=world.keqiao
    ).exists()
    en_client.force_login(world.firm_admin)
    response = en_client.post(
        reverse("accounts:organisation_join", args=[world.firm_org.pk]), {"cluster": world.humen.pk}
    )
    assert response.status_code == 400
    assert "already a member of" in response.content.decode()
