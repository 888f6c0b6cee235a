"""Talent endpoints: courses, enrolments, jobs, applications and talent profiles.

Profiles answer only as their owner chose; list rows never carry phone, e-mail or ID number.
"""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from weft.accounts.models import Organisation
from weft.accounts.permissions import can
from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.core.pagination import paginate
from weft.core.params import QueryParams, SearchText
from weft.registry.models import Enterprise
from weft.registry.refs import cluster_by_id
from weft.registry.schemas import Page

from . import selectors, services
from .models import Course, Enrolment, Job, Role, TalentProfile

router = Router(tags=["talent"])


class CourseOut(Schema):
    id: int
    title: str
    topic: str
    level: str
    starts_on: date
    ends_on: date
    mode: str
    place: str
    seats: int
    seats_left: int
    fee: Decimal
    voucher_covered: bool
    provider: str
    cluster_id: int | None

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name_zh


class CoursePage(Page):
    results: list[CourseOut]


class CourseIn(Schema):
    provider_id: int
    title: str
    topic: str
    level: Course.Level = Course.Level.BEGINNER
    starts_on: date
    ends_on: date
    mode: Course.Mode = Course.Mode.ON_SITE
    place: str = ""
    seats: int
    fee: Decimal = Decimal("0")
    voucher_covered: bool = False
    cluster_id: int | None = None
    description: str = ""


class ListQuery(QueryParams):
    cluster: int | None = None
    topic: SearchText = ""
    role: str = ""
    page: int = 1
    page_size: int | None = None


@router.get("/courses", response=CoursePage, summary="Training courses")
def list_courses(request, query: Query[ListQuery]):
    qs = selectors.courses(cluster=cluster_by_id(query.cluster), topic=query.topic)
    return paginate(request, qs, page=query.page, page_size=query.page_size)


@router.get("/courses/{course_id}", response=CourseOut, summary="One course")
def get_course(request, course_id: int):
    return get_object_or_404(selectors.courses(), pk=course_id)


@router.post("/courses", response={201: CourseOut}, auth=REQUIRED_AUTH, summary="Publish a course")
def create_course(request, payload: CourseIn):
    provider = Organisation.objects.filter(pk=payload.provider_id).first()
    if provider is None:
        raise ApiError(
            422, "invalid_data", _("No organisation has id %(id)d.") % {"id": payload.provider_id}
        )
    data = payload.dict(exclude={"provider_id", "cluster_id"})
    data["cluster"] = cluster_by_id(payload.cluster_id)
    course = services.create_course(user=current_user(request), provider=provider, data=data)
    return Status(201, selectors.courses().get(pk=course.pk))


class EnrolmentOut(Schema):
    id: int
    course_id: int
    status: str
    enrolled_at: datetime
    attended: bool
    certificate_number: str


class EnrolmentIn(Schema):
    course_id: int


@router.get("/enrolments", response=list[EnrolmentOut], auth=REQUIRED_AUTH, summary="My enrolments")
def list_enrolments(request):
    return Enrolment.objects.filter(person=current_user(request))


@router.post(
    "/enrolments", response={201: EnrolmentOut}, auth=REQUIRED_AUTH, summary="Enrol on a course"
)
def create_enrolment(request, payload: EnrolmentIn):
    try:
        enrolment = services.enrol(user=current_user(request), course_id=payload.course_id)
    except services.CourseFull as exc:
        raise ApiError(409, "course_full", exc.messages[0]) from None
    return Status(201, enrolment)


class JobOut(Schema):
    id: int
    title: str
    role: str
    openings: int
    pay_min: Decimal
    pay_max: Decimal
    place: str
    status: str
    enterprise_id: int
    enterprise: str
    cluster_id: int | None
    description: str

    @staticmethod
    def resolve_enterprise(obj):
        return obj.enterprise.name_zh


class JobPage(Page):
    results: list[JobOut]


class JobIn(Schema):
    enterprise_id: int
    role: Role
    title: str
    openings: int = 1
    pay_min: Decimal
    pay_max: Decimal
    place: str
    cluster_id: int | None = None
    description: str = ""


@router.get("/jobs", response=JobPage, summary="Open jobs")
def list_jobs(request, query: Query[ListQuery]):
    if query.role and query.role not in Role.values:
        raise ApiError(422, "invalid_request", _("Unknown role: %(r)s.") % {"r": query.role})
    qs = selectors.jobs(cluster=cluster_by_id(query.cluster), role=query.role)
    return paginate(request, qs, page=query.page, page_size=query.page_size)


@router.get("/jobs/{job_id}", response=JobOut, summary="One job")
def get_job(request, job_id: int):
    return get_object_or_404(Job.objects.select_related("enterprise"), pk=job_id)


@router.post("/jobs", response={201: JobOut}, auth=REQUIRED_AUTH, summary="Post a job")
def create_job(request, payload: JobIn):
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        raise ApiError(
            422, "invalid_data", _("No enterprise has id %(id)d.") % {"id": payload.enterprise_id}
        )
    data = payload.dict(exclude={"enterprise_id", "cluster_id"})
    data["cluster"] = cluster_by_id(payload.cluster_id)
    job = services.post_job(user=current_user(request), enterprise=enterprise, data=data)
    return Status(201, job)


class ApplicationIn(Schema):
    note: str = ""


class ApplicationOut(Schema):
    id: int
    job_id: int
    status: str
    created_at: datetime


@router.post(
    "/jobs/{job_id}/applications",
    response={201: ApplicationOut},
    auth=REQUIRED_AUTH,
    summary="Apply to a job",
)
def apply_to_job(request, job_id: int, payload: ApplicationIn):
    job = get_object_or_404(Job, pk=job_id)
    return Status(201, services.apply(user=current_user(request), job=job, note=payload.note))


class ProfileRow(Schema):
    id: int
    name: str
    role: str
    headline: str
    skills: str
    experience_years: int
    availability: str
    cluster_id: int | None


class ProfilePage(Page):
    results: list[ProfileRow]


class PortfolioOut(Schema):
    id: int
    caption: str
    content_type: str
    size: int


class ProfileOut(ProfileRow):
    experience: str
    visibility: str
    portfolio: list[PortfolioOut]
    phone: str | None
    email: str | None
    id_number: str | None


class ProfileIn(Schema):
    name: str
    role: Role
    headline: str = ""
    skills: str = ""
    experience_years: int = 0
    experience: str = ""
    cluster_id: int | None = None
    availability: TalentProfile.Availability = TalentProfile.Availability.AVAILABLE
    visibility: TalentProfile.Visibility = TalentProfile.Visibility.CLUSTER
    phone: str = ""
    email: str = ""
    id_number: str = ""


@router.get("/talent-profiles", response=ProfilePage, summary="Talent profiles I may see")
def list_profiles(request, query: Query[ListQuery]):
    if query.role and query.role not in Role.values:
        raise ApiError(422, "invalid_request", _("Unknown role: %(r)s.") % {"r": query.role})
    cluster = cluster_by_id(query.cluster)
    qs = selectors.visible_profiles(
        current_user(request),
        role=query.role,
        clusters=[cluster] if cluster else None,
        q=query.topic,
    )
    return paginate(request, qs, page=query.page, page_size=query.page_size)


@router.put(
    "/talent-profiles/me",
    response=ProfileOut,
    auth=REQUIRED_AUTH,
    summary="Create or change my talent profile",
)
def save_my_profile(request, payload: ProfileIn):
    user = current_user(request)
    data = payload.dict(exclude={"cluster_id"})
    data["cluster"] = cluster_by_id(payload.cluster_id)
    profile = services.save_profile(user=user, data=data)
    return selectors.profile_as_dict(profile, user)


@router.get("/talent-profiles/{profile_id}", response=ProfileOut, summary="One talent profile")
def get_profile(request, profile_id: int):
    user = current_user(request)
    profile = TalentProfile.objects.filter(pk=profile_id).first()
    if profile is None or not can(user, "talent.view_profile", profile):
        raise ApiError(404, "not_found", _("No talent profile has id %(id)d.") % {"id": profile_id})
    return selectors.profile_as_dict(profile, user)
