"""What a list may change: an office's list changes its own cluster's firms and firms nobody speaks
for, never another cluster's firm or a registered firm outside its cluster (matched by a public
code or a similar name, those rows leave the firm as it is)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from weft.accounts.permissions import can, forget_actor
from weft.imports import services
from weft.imports.models import MatchDecision
from weft.registry.models import ClusterMembership, Enterprise

from ..factories import make_enterprise
from .files import firm_row, xlsx
from .test_engine import run_file

pytestmark = pytest.mark.django_db


def _state(firm):
    firm = Enterprise.objects.get(pk=firm.pk)
    memberships = sorted(
        ClusterMembership.objects.filter(enterprise=firm).values_list("cluster_id", "status")
    )
    return firm.name_zh, firm.main_products, firm.employees, firm.field_provenance, memberships


def test_an_office_list_leaves_another_clusters_firm_alone(world, english):
    foreign = world.other_firm  # an approved member of Keqiao
    before = _state(foreign)
    row = firm_row(name=foreign.name_zh, uscc=foreign.uscc, products="虎门导入改写", employees="9")
    job = run_file(world, xlsx([row]))  # the Humen office's list, into Humen

    assert (job.merged, job.created, job.outside) == (0, 0, 1)
    decision = MatchDecision.objects.get(job=job)
    assert decision.outcome == MatchDecision.Outcome.OUTSIDE
    assert decision.candidate_id == foreign.pk and decision.enterprise_id is None
    assert decision.changes == {}
    assert _state(foreign) == before  # nothing merged, no membership of Humen
    forget_actor(world.humen_office)
    assert not can(world.humen_office, "registry.change_enterprise", foreign)
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(world.humen_office)
    response = office.patch(
        f"/api/v1/enterprises/{foreign.pk}",
        json.dumps({"main_products": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    # The office sees which rows were left alone, and why.
    assert office.get(f"/api/v1/imports/{job.pk}").json()["counts"]["outside_clusters"] == 1
    page = office.get(f"/imports/{job.pk}/").content.decode()
    assert "Firms outside this cluster" in page and foreign.name_zh in page


def test_a_registered_firm_in_no_cluster_is_left_alone_too(world):
    # world.firm has its own account; taken out of every cluster, it speaks for itself still.
    ClusterMembership.objects.filter(enterprise=world.firm).delete()
    before = _state(world.firm)
    job = run_file(world, xlsx([firm_row(name=world.firm.name_zh, uscc=world.firm.uscc)]))
    assert (job.merged, job.outside) == (0, 1)
    assert _state(world.firm) == before


def test_a_similar_name_in_another_cluster_is_not_queued_for_review(world):
    # Same town, a Keqiao member: a similar name would be a potential match for a person.
    foreign = make_enterprise(
        name_zh="东莞市虎门镇丽人制衣有限公司", address="广东省东莞市虎门镇连升路8号"
    )
    ClusterMembership.objects.create(
        enterprise=foreign, cluster=world.keqiao, status=ClusterMembership.Status.APPROVED
    )
    job = run_file(world, xlsx([firm_row(name="东莞市虎门镇丽人制衣坊", uscc="")]))
    assert job.pending == 0 and job.outside == 1
    assert MatchDecision.objects.get(job=job).candidate_id == foreign.pk


def test_the_operators_list_reaches_every_firm(world):
    foreign = world.other_firm
    job = run_file(
        world,
        xlsx([firm_row(name=foreign.name_zh, uscc=foreign.uscc, employees="9")]),
        user=world.operator,
    )
    assert (job.merged, job.outside) == (1, 0)
    assert Enterprise.objects.get(pk=foreign.pk).employees == 9


def test_a_queued_match_whose_firm_left_the_cluster_is_not_merged(world, english):
    # world.firm, a Humen member, spelled differently: a potential match for a person.
    row = firm_row(
        name=world.firm.name_zh.replace("丽人", "丽仁"), uscc="", address=world.firm.address
    )
    job = run_file(world, xlsx([row]))
    decision = MatchDecision.objects.get(job=job)
    assert decision.outcome == MatchDecision.Outcome.PENDING
    assert decision.candidate_id == world.firm.pk
    firm = world.firm
    # Before anyone reviews it, the firm moves to Keqiao.
    ClusterMembership.objects.filter(enterprise=firm).update(cluster=world.keqiao)
    before = _state(firm)
    with pytest.raises(ValidationError, match="not a member of the list's cluster"):
        services.confirm_match(user=world.humen_office, decision=decision)
    assert _state(firm) == before
    assert MatchDecision.objects.get(pk=decision.pk).outcome == MatchDecision.Outcome.PENDING
