"""Talent workflows through the services: seats, attendance, certificates, jobs, profiles, images."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory
from weft.audit.models import AuditRecord
from weft.talent import services
from weft.talent.models import Application, Enrolment, Job, PortfolioImage, TalentProfile

from .conftest import make_course, make_job, make_profile, png_upload

pytestmark = pytest.mark.django_db


def test_enrolment_stops_at_the_seat_limit(world):
    course = make_course(world.humen.office, seats=2)
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    services.enrol(user=a, course_id=course.pk)
    services.enrol(user=b, course_id=course.pk)
    with pytest.raises(services.CourseFull, match="all 2 seats are taken"):
        services.enrol(user=c, course_id=course.pk)
    assert course.enrolments.count() == 2
    # A cancelled seat can be taken again.
    services.cancel_enrolment(user=a, enrolment=course.enrolments.get(person=a))
    services.enrol(user=c, course_id=course.pk)
    assert course.enrolments.filter(status="enrolled").count() == 2


def test_enrolling_twice_or_after_the_start_is_refused(world):
    course = make_course(world.humen.office, seats=5)
    user = UserFactory()
    services.enrol(user=user, course_id=course.pk)
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrol(user=user, course_id=course.pk)
    today = timezone.localdate()
    started = make_course(
        world.humen.office, title="已开课", starts_on=today - timedelta(days=1), ends_on=today
    )
    with pytest.raises(ValidationError, match="already started"):
        services.enrol(user=user, course_id=started.pk)
    with pytest.raises(ValidationError, match="No course"):
        services.enrol(user=user, course_id=999999)


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_seat_get_one_seat(world):
    """Concurrent enrolments: the locked course row lets exactly one through."""
    from django.db import connection

    course = make_course(world.humen.office, seats=1)
    users = [UserFactory(), UserFactory()]
    outcomes = []

    def take(user):
        try:
            services.enrol(user=user, course_id=course.pk)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("full")
        except Exception as exc:  # SQLite may refuse the second writer: still no overbooking
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert Enrolment.objects.filter(course=course, status="enrolled").count() == 1


def test_certificate_needs_attendance_and_only_the_provider_records_it(world):
    course = make_course(world.humen.office, seats=3)
    person = UserFactory()
    enrolment = services.enrol(user=person, course_id=course.pk)
    with pytest.raises(PermissionDenied):
        services.record_attendance(user=person, enrolment=enrolment, attended=True, certify=True)
    with pytest.raises(ValidationError, match="needs attendance"):
        services.record_attendance(
            user=world.humen_office, enrolment=enrolment, attended=False, certify=True
        )
    services.record_attendance(
        user=world.humen_office, enrolment=enrolment, attended=True, certify=True
    )
    enrolment.refresh_from_db()
    assert enrolment.attended
    assert enrolment.certificate_number.endswith(f"-{course.pk:05d}-{enrolment.pk:06d}")
    assert AuditRecord.objects.filter(
        object_type="talent.enrolment", object_id=str(enrolment.pk), action="update"
    ).exists()
    with pytest.raises(ValidationError, match="certificate was issued"):
        services.record_attendance(
            user=world.humen_office, enrolment=enrolment, attended=False, certify=False
        )


def test_course_needs_sane_dates_and_a_publisher_admin(world):
    today = timezone.localdate()
    data = {
        "title": "设计课",
        "topic": "设计",
        "starts_on": today + timedelta(days=5),
        "ends_on": today + timedelta(days=4),
        "mode": "on_site",
        "place": "虎门",
        "seats": 10,
        "fee": Decimal("100.00"),
    }
    with pytest.raises(ValidationError, match="end before it starts"):
        services.create_course(user=world.humen_office, provider=world.humen.office, data=data)
    data["ends_on"] = today + timedelta(days=6)
    with pytest.raises(PermissionDenied):
        services.create_course(user=world.keqiao_office, provider=world.humen.office, data=data)
    with pytest.raises(PermissionDenied):  # a plain office member is not an admin
        services.create_course(
            user=world.humen_office_member, provider=world.humen.office, data=data
        )
    course = services.create_course(user=world.humen_office, provider=world.humen.office, data=data)
    assert course.fee == Decimal("100.00")


def test_job_pay_range_and_cluster_are_checked(world):
    data = {
        "role": "designer",
        "title": "设计师",
        "pay_min": Decimal("9000"),
        "pay_max": Decimal("8000"),
        "place": "虎门",
    }
    with pytest.raises(ValidationError, match="below its bottom"):
        services.post_job(user=world.firm_admin, enterprise=world.firm, data=data)
    data["pay_max"] = Decimal("12000")
    with pytest.raises(ValidationError, match="not a member of this cluster"):
        services.post_job(
            user=world.firm_admin, enterprise=world.firm, data={**data, "cluster": world.keqiao}
        )
    with pytest.raises(PermissionDenied):
        services.post_job(user=world.other_firm_admin, enterprise=world.firm, data=data)
    assert not Job.objects.exists()
    job = services.post_job(user=world.firm_admin, enterprise=world.firm, data=data)
    assert job.cluster == world.humen  # defaults to the firm's cluster


def test_apply_needs_a_profile_an_open_job_and_happens_once(world):
    job = make_job(world.firm, world.humen)
    person = UserFactory()
    with pytest.raises(ValidationError, match="Create your talent profile"):
        services.apply(user=person, job=job)
    make_profile(person, cluster=world.humen)
    services.apply(user=person, job=job, note="我有五年经验")
    with pytest.raises(ValidationError, match="already applied"):
        services.apply(user=person, job=job)
    with pytest.raises(PermissionDenied):  # the firm's own people do not apply
        make_profile(world.firm_member, name="内部")
        services.apply(user=world.firm_member, job=job)
    services.close_job(user=world.firm_admin, job=job)
    other = UserFactory()
    make_profile(other)
    with pytest.raises(ValidationError, match="closed"):
        services.apply(user=other, job=job)
    assert Application.objects.filter(job=job).count() == 1


def test_profile_id_number_check_character(world):
    user = UserFactory()
    base = {"name": "林晓", "role": "designer"}
    with pytest.raises(ValidationError, match="should be X"):
        services.save_profile(user=user, data={**base, "id_number": "110105194912310021"})
    for wrong in ("12345", "1101051949123100²X", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"):  # digits int() or GB refuse
        with pytest.raises(ValidationError, match="17 digits"):
            services.save_profile(user=user, data={**base, "id_number": wrong})
    assert not TalentProfile.objects.exists()
    profile = services.save_profile(user=user, data={**base, "id_number": "11010519491231002x"})
    assert profile.id_number == "11010519491231002X"


def test_portfolio_images_are_checked_by_content(world):
    user = UserFactory()
    profile = make_profile(user)
    image = services.add_portfolio_image(user=user, profile=profile, upload=png_upload())
    assert image.content_type == "image/png" and image.size > 0
    fake = SimpleUploadedFile("work.png", b"GIF89a not really", content_type="image/png")
    with pytest.raises(ValidationError, match="not a readable image"):
        services.add_portfolio_image(user=user, profile=profile, upload=fake)
    gif = png_upload("anim.gif", fmt="GIF")
    with pytest.raises(ValidationError, match="not GIF"):
        services.add_portfolio_image(user=user, profile=profile, upload=gif)
    big = SimpleUploadedFile("big.png", b"\0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="limit is 5 MB"):
        services.add_portfolio_image(user=user, profile=profile, upload=big)
    with pytest.raises(PermissionDenied):
        services.add_portfolio_image(user=UserFactory(), profile=profile, upload=png_upload())
    assert PortfolioImage.objects.count() == 1
