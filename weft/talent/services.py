"""Writes for talent: courses, enrolment with seat limits, attendance and certificates, jobs,
profiles with portfolio images, applications. Each checks permission, validates, writes in one
transaction and leaves an audit record."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot

from .models import Application, Course, Enrolment, Job, PortfolioImage, TalentProfile

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PORTFOLIO_IMAGES = 12
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class CourseFull(ValidationError):
    """No seat left: a conflict with the course's state rather than bad input."""


def _require(user, action, obj, message):
    if not can(user, action, obj):
        raise PermissionDenied(message)


def _full_clean(obj):
    obj.full_clean()
    return obj


def _check_course_dates(data):
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError({"ends_on": _("A course cannot end before it starts.")})
    if data.get("mode") == Course.Mode.ON_SITE and not (data.get("place") or "").strip():
        raise ValidationError({"place": _("Give the place of an on-site course.")})


@transaction.atomic
def create_course(*, user, provider, data: dict) -> Course:
    _require(
        user, "talent.publish_course", provider, _("You may not publish courses for %s.") % provider
    )
    _check_course_dates(data)
    course = _full_clean(Course(provider=provider, created_by=user, **data))
    course.save()
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=course, after=snapshot(course))
    return course


def active_enrolment_count(course) -> int:
    return course.enrolments.filter(status=Enrolment.Status.ENROLLED).count()


def enrol(*, user, course_id: int) -> Enrolment:
    """Take a seat. The course row is locked first, so two people cannot take the last seat."""
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(pk=course_id).first()
        if course is None:
            raise ValidationError(_("No course has id %(id)s.") % {"id": course_id})
        _require(user, "talent.enrol", course, _("Sign in to enrol."))
        if course.starts_on < timezone.localdate():
            raise ValidationError(_("This course has already started; enrolment is closed."))
        existing = course.enrolments.filter(person=user).first()
        if existing and existing.status == Enrolment.Status.ENROLLED:
            raise ValidationError(_("You are already enrolled on this course."))
        if active_enrolment_count(course) >= course.seats:
            raise CourseFull(
                _("The course is full: all %(n)d seats are taken.") % {"n": course.seats}
            )
        if existing:
            existing.status = Enrolment.Status.ENROLLED
            existing.save(update_fields=["status"])
            enrolment = existing
        else:
            enrolment = Enrolment.objects.create(course=course, person=user)
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=enrolment, after=snapshot(enrolment)
        )
        return enrolment


@transaction.atomic
def cancel_enrolment(*, user, enrolment: Enrolment) -> Enrolment:
    if enrolment.person_id != user.pk and not can(user, "talent.manage_course", enrolment.course):
        raise PermissionDenied(_("You may not cancel this enrolment."))
    if enrolment.certificate_number:
        raise ValidationError(_("A certified enrolment cannot be cancelled."))
    before = snapshot(enrolment)
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.save(update_fields=["status"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=enrolment,
        before=before,
        after=snapshot(enrolment),
    )
    return enrolment


@transaction.atomic
def record_attendance(*, user, enrolment: Enrolment, attended: bool, certify: bool) -> Enrolment:
    """The provider marks who attended; a certificate is issued only to someone who attended."""
    _require(
        user,
        "talent.manage_course",
        enrolment.course,
        _("Only the course provider records attendance."),
    )
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("This enrolment was cancelled."))
    if certify and not attended:
        raise ValidationError(_("A certificate needs attendance."))
    if not attended and enrolment.certificate_number:
        raise ValidationError(_("A certificate was issued; attendance can no longer be removed."))
    before = snapshot(enrolment)
    enrolment.attended = attended
    if certify and not enrolment.certificate_number:
        now = timezone.now()
        enrolment.certificate_number = f"WEFT-{now:%Y}-{enrolment.course_id:05d}-{enrolment.pk:06d}"
        enrolment.certified_at = now
    enrolment.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=enrolment,
        before=before,
        after=snapshot(enrolment),
    )
    return enrolment


def _check_job(data, enterprise):
    errors = {}
    low, high = data.get("pay_min"), data.get("pay_max")
    if low is not None and high is not None and high < low:
        errors["pay_max"] = _("The top of the pay range is below its bottom.")
    cluster = data.get("cluster")
    if cluster is not None:
        from weft.registry.models import ClusterMembership

        if not ClusterMembership.objects.filter(
            enterprise=enterprise, cluster=cluster, status=ClusterMembership.Status.APPROVED
        ).exists():
            errors["cluster"] = _("The firm is not a member of this cluster.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def post_job(*, user, enterprise, data: dict) -> Job:
    _require(user, "talent.post_job", enterprise, _("Only the firm's admins post its jobs."))
    data = dict(data)
    if data.get("cluster") is None:
        from weft.registry.models import ClusterMembership

        ms = ClusterMembership.objects.filter(
            enterprise=enterprise, status=ClusterMembership.Status.APPROVED
        ).first()
        data["cluster"] = ms.cluster if ms else None
    _check_job(data, enterprise)
    job = _full_clean(Job(enterprise=enterprise, posted_by=user, **data))
    job.save()
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=job, after=snapshot(job))
    return job


@transaction.atomic
def close_job(*, user, job: Job) -> Job:
    _require(user, "talent.manage_job", job, _("Only the firm's admins close its jobs."))
    before = snapshot(job)
    job.status = Job.Status.CLOSED
    job.save(update_fields=["status"])
    record_change(
        actor=user, action=AuditRecord.Action.UPDATE, obj=job, before=before, after=snapshot(job)
    )
    return job


PROFILE_FIELDS = (
    "name",
    "role",
    "headline",
    "skills",
    "experience_years",
    "experience",
    "cluster",
    "availability",
    "visibility",
    "phone",
    "email",
    "id_number",
)


def _check_id_number(value: str) -> None:
    """A resident ID number (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character."""
    if not value:
        return
    value = value.upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError({"id_number": _("An ID number has 17 digits and a check character.")})
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(value[:17], weights, strict=True)) % 11]
    if value[17] != check:
        raise ValidationError(
            {"id_number": _("The ID number's check character should be %(c)s.") % {"c": check}}
        )


@transaction.atomic
def save_profile(*, user, data: dict) -> TalentProfile:
    """Create or update the signed-in person's own profile."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to keep a talent profile."))
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    _check_id_number(data.get("id_number") or "")
    if data.get("id_number"):
        data["id_number"] = data["id_number"].upper()
    profile = TalentProfile.objects.filter(user=user).first()
    created = profile is None
    before = {} if created else snapshot(profile)
    profile = profile or TalentProfile(user=user)
    for key, value in data.items():
        setattr(profile, key, value)
    profile.full_clean()
    profile.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE if created else AuditRecord.Action.UPDATE,
        obj=profile,
        before=before,
        after=snapshot(profile),
    )
    return profile


def _image_snapshot(image: PortfolioImage) -> dict:
    return {
        **snapshot(image, ["profile", "content_type", "size", "caption"]),
        "image": image.image.name,
    }


def check_image(upload) -> str:
    """The content type from the file's bytes, or a ValidationError; names and headers lie."""
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is %(size).1f MB; the limit is 5 MB.") % {"size": upload.size / 1048576}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The file is not a readable image (JPEG, PNG or WebP).")) from None
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise ValidationError(_("Images must be JPEG, PNG or WebP, not %(f)s.") % {"f": fmt})
    return IMAGE_FORMATS[fmt]


@transaction.atomic
def add_portfolio_image(*, user, profile: TalentProfile, upload, caption="") -> PortfolioImage:
    if profile.user_id != user.pk:
        raise PermissionDenied(_("Only the person adds images to their portfolio."))
    if profile.portfolio.count() >= MAX_PORTFOLIO_IMAGES:
        raise ValidationError(
            _("A portfolio holds at most %(n)d images.") % {"n": MAX_PORTFOLIO_IMAGES}
        )
    content_type = check_image(upload)
    image = PortfolioImage(
        profile=profile, content_type=content_type, size=upload.size, caption=caption[:200]
    )
    image.image.save(upload.name.rsplit("/", 1)[-1][-80:], upload, save=False)
    image.save()
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=image, after=_image_snapshot(image)
    )
    return image


@transaction.atomic
def remove_portfolio_image(*, user, image: PortfolioImage) -> None:
    if image.profile.user_id != user.pk:
        raise PermissionDenied(_("Only the person removes images from their portfolio."))
    record_change(
        actor=user, action=AuditRecord.Action.DELETE, obj=image, before=_image_snapshot(image)
    )
    image.image.delete(save=False)
    image.delete()


def apply(*, user, job: Job, note: str = "") -> Application:
    _require(user, "talent.apply", job, _("You may not apply to this job."))
    if job.status != Job.Status.OPEN:
        raise ValidationError(_("This job is closed."))
    profile = TalentProfile.objects.filter(user=user).first()
    if profile is None:
        raise ValidationError(_("Create your talent profile before applying."))
    try:
        with transaction.atomic():
            application = Application.objects.create(job=job, profile=profile, note=note[:2000])
            record_change(
                actor=user,
                action=AuditRecord.Action.CREATE,
                obj=application,
                after=snapshot(application),
            )
    except IntegrityError:
        raise ValidationError(_("You have already applied to this job.")) from None
    return application


@transaction.atomic
def decide_application(*, user, application: Application, status: str) -> Application:
    _require(
        user, "talent.manage_job", application.job, _("Only the firm's admins decide applications.")
    )
    if status not in Application.Status.values or status == Application.Status.SUBMITTED:
        raise ValidationError(_("Unknown decision."))
    before = snapshot(application)
    application.status = status
    application.save(update_fields=["status"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=application,
        before=before,
        after=snapshot(application),
    )
    return application
