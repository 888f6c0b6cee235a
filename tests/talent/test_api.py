"""Talent API: bad input gets a specific error and changes nothing; money stays Decimal."""

import json

import pytest
from django.test import Client

from tests.factories import UserFactory
from weft.talent.models import Enrolment, Job, TalentProfile

from .conftest import make_course

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_full_course_answers_409_and_takes_no_seat(world):
    course = make_course(world.humen.office, seats=1)
    assert (
        _post(_client(UserFactory()), "/api/v1/enrolments", {"course_id": course.pk}).status_code
        == 201
    )
    late = _post(_client(UserFactory()), "/api/v1/enrolments", {"course_id": course.pk})
    assert late.status_code == 409
    assert (
        late.json()["code"] == "course_full" and "all 1 seats are taken" in late.json()["message"]
    )
    missing = _post(_client(UserFactory()), "/api/v1/enrolments", {"course_id": 987654})
    assert missing.status_code == 422 and "No course has id 987654" in missing.json()["message"]
    assert Enrolment.objects.count() == 1
    listed = Client().get("/api/v1/courses").json()["results"][0]
    assert (listed["fee"], listed["seats_left"]) == ("300.00", 0)


def test_job_and_profile_validation(world):
    admin = _client(world.firm_admin)
    bad = _post(
        admin,
        "/api/v1/jobs",
        {"enterprise_id": world.firm.pk, "role": "designer", "title": "设计师",
         "pay_min": "9000", "pay_max": "8000", "place": "虎门"},
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["details"]["pay_max"]
    unknown_role = _post(
        admin,
        "/api/v1/jobs",
        {"enterprise_id": world.firm.pk, "role": "astronaut", "title": "x",
         "pay_min": "1", "pay_max": "2", "place": "虎门"},
    )  # fmt: skip
    assert unknown_role.status_code == 422
    foreign_cluster = _post(
        admin,
        "/api/v1/jobs",
        {"enterprise_id": world.firm.pk, "role": "designer", "title": "x", "cluster_id": 999999,
         "pay_min": "1", "pay_max": "2", "place": "虎门"},
    )  # fmt: skip
    assert (
        foreign_cluster.status_code == 422
        and "No cluster has id 999999" in foreign_cluster.json()["message"]
    )
    assert not Job.objects.exists()
    person = _client(UserFactory())
    wrong = _post(
        person,
        "/api/v1/talent-profiles/me",
        {"name": "林晓", "role": "designer", "id_number": "110105194912310021"},
        method="put",
    )
    assert wrong.status_code == 422 and "should be X" in wrong.json()["message"]
    assert not TalentProfile.objects.exists()
    ok = _post(
        person,
        "/api/v1/talent-profiles/me",
        {"name": "林晓", "role": "designer", "phone": "13800138000", "visibility": "public"},
        method="put",
    )
    assert ok.status_code == 200 and ok.json()["phone"] == "13800138000"
    public = Client().get(f"/api/v1/talent-profiles/{ok.json()['id']}").json()
    assert public["name"] == "林晓" and public["phone"] is None
