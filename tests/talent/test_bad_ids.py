"""A course roster or a job's applications posted with an enrolment or application id that is
no number, or belongs to another course or job: a 404, never a 500, and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.badinput import BAD_IDS, state
from tests.factories import UserFactory
from weft.talent import services
from weft.talent.models import Application, Enrolment

from .conftest import make_course, make_job, make_profile

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_roster_with_an_unknown_or_foreign_enrolment_is_404_and_changes_nothing(world):
    provider = world.humen.office
    course, other = make_course(provider), make_course(provider, title="另一门课")
    enrolment = services.enrol(user=UserFactory(), course_id=course.pk)
    elsewhere = services.enrol(user=UserFactory(), course_id=other.pk)
    client = _client(world.humen_office)
    url = reverse("talent:course_roster", args=[course.pk])
    before = state(Enrolment)
    for value in [*BAD_IDS, str(elsewhere.pk)]:
        response = client.post(url, {"enrolment": value, "attended": "on"})
        assert response.status_code == 404, value
    assert state(Enrolment) == before
    assert client.post(url, {"enrolment": enrolment.pk, "attended": "on"}).status_code == 302


def test_applications_with_an_unknown_or_foreign_id_are_404_and_change_nothing(world):
    job = make_job(world.firm, world.humen)
    other = make_job(world.firm, world.humen, title="版师")
    applicant, someone = UserFactory(), UserFactory()
    make_profile(applicant, cluster=world.humen)
    make_profile(someone, cluster=world.humen, id_number="110105194912310037")
    application = services.apply(user=applicant, job=job)
    elsewhere = services.apply(user=someone, job=other)
    client = _client(world.firm_admin)
    url = reverse("talent:job_applications", args=[job.pk])
    before = state(Application)
    for value in [*BAD_IDS, str(elsewhere.pk)]:
        response = client.post(url, {"application": value, "status": "shortlisted"})
        assert response.status_code == 404, value
    assert state(Application) == before
    assert (
        client.post(url, {"application": application.pk, "status": "shortlisted"}).status_code
        == 302
    )
