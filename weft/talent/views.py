"""Talent pages. Thin: permissions through can(), reads through selectors, writes through services."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from weft.accounts.permissions import can
from weft.core.params import SEARCH_MAX_LENGTH, id_param
from weft.registry.models import Cluster

from . import selectors, services
from .forms import ApplyForm, CourseForm, JobForm, PortfolioForm, ProfileForm
from .models import Application, Course, Enrolment, Job, PortfolioImage, Role, TalentProfile


def _attach(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _cluster_from(request):
    slug = request.GET.get("cluster", "")
    return Cluster.objects.filter(slug=slug).first() if slug else None


def course_list(request):
    cluster = _cluster_from(request)
    topic = request.GET.get("topic", "")[:SEARCH_MAX_LENGTH]
    courses = selectors.courses(cluster=cluster, topic=topic, upcoming_from=timezone.localdate())
    return render(
        request,
        "talent/course_list.html",
        {"courses": courses, "cluster": cluster, "topic": topic, "clusters": Cluster.objects.all()},
    )


def course_detail(request, pk):
    course = get_object_or_404(selectors.courses(), pk=pk)
    mine = None
    if request.user.is_authenticated:
        mine = course.enrolments.filter(person=request.user).first()
    return render(
        request,
        "talent/course_detail.html",
        {
            "course": course,
            "seats_left": max(course.seats - course.taken, 0),
            "mine": mine,
            "can_manage": can(request.user, "talent.manage_course", course),
        },
    )


@login_required
def course_new(request):
    form = CourseForm(request.POST or None, user=request.user)
    if not form.fields["provider"].queryset.exists():
        raise PermissionDenied(
            _("Only admins of a cluster office, firm or provider publish courses.")
        )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "provider"}
        try:
            course = services.create_course(
                user=request.user, provider=form.cleaned_data["provider"], data=data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("The course is published."))
            return redirect("talent:course_detail", pk=course.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("Publish a course")})


@login_required
@require_POST
def course_enrol(request, pk):
    get_object_or_404(Course, pk=pk)
    try:
        services.enrol(user=request.user, course_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You are enrolled."))
    return redirect("talent:course_detail", pk=pk)


@login_required
def course_roster(request, pk):
    course = get_object_or_404(Course, pk=pk)
    if not can(request.user, "talent.manage_course", course):
        raise PermissionDenied(_("Only the course provider sees who enrolled."))
    if request.method == "POST":
        enrolment = get_object_or_404(
            Enrolment, pk=id_param(request.POST, "enrolment"), course=course
        )
        try:
            services.record_attendance(
                user=request.user,
                enrolment=enrolment,
                attended=request.POST.get("attended") == "on",
                certify=request.POST.get("certify") == "on",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Attendance saved."))
        return redirect("talent:course_roster", pk=pk)
    enrolments = course.enrolments.select_related("person")
    return render(
        request, "talent/course_roster.html", {"course": course, "enrolments": enrolments}
    )


def job_list(request):
    cluster = _cluster_from(request)
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    return render(
        request,
        "talent/job_list.html",
        {
            "jobs": selectors.jobs(cluster=cluster, role=role),
            "cluster": cluster,
            "role": role,
            "roles": Role.choices,
            "clusters": Cluster.objects.all(),
        },
    )


def job_detail(request, pk):
    job = get_object_or_404(Job.objects.select_related("enterprise", "cluster"), pk=pk)
    applied = None
    if request.user.is_authenticated:
        applied = job.applications.filter(profile__user=request.user).first()
    return render(
        request,
        "talent/job_detail.html",
        {
            "job": job,
            "applied": applied,
            "form": ApplyForm(),
            "can_apply": can(request.user, "talent.apply", job),
            "can_manage": can(request.user, "talent.manage_job", job),
            "has_profile": request.user.is_authenticated
            and TalentProfile.objects.filter(user=request.user).exists(),
        },
    )


@login_required
def job_new(request):
    form = JobForm(request.POST or None, user=request.user)
    if not form.fields["enterprise"].queryset.exists():
        raise PermissionDenied(_("Only a firm's admins post jobs."))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "enterprise"}
        try:
            job = services.post_job(
                user=request.user, enterprise=form.cleaned_data["enterprise"], data=data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("The job is posted."))
            return redirect("talent:job_detail", pk=job.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("Post a job")})


@login_required
@require_POST
def job_apply(request, pk):
    job = get_object_or_404(Job, pk=pk)
    form = ApplyForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.apply(user=request.user, job=job, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Your application was sent to %(firm)s.") % {"firm": job.enterprise.name_zh}
        )
    return redirect("talent:job_detail", pk=pk)


@login_required
def job_applications(request, pk):
    job = get_object_or_404(Job.objects.select_related("enterprise"), pk=pk)
    if not can(request.user, "talent.manage_job", job):
        raise PermissionDenied(_("Only the firm's admins see applications."))
    if request.method == "POST":
        application = get_object_or_404(
            Application, pk=id_param(request.POST, "application"), job=job
        )
        try:
            services.decide_application(
                user=request.user, application=application, status=request.POST.get("status", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("talent:job_applications", pk=pk)
    applications = job.applications.select_related("profile")
    return render(
        request,
        "talent/job_applications.html",
        {"job": job, "applications": applications, "statuses": Application.Status.choices[1:]},
    )


@login_required
def profile_edit(request):
    profile = TalentProfile.objects.filter(user=request.user).first()
    form = ProfileForm(request.POST or None, instance=profile, prefix="p")
    upload = PortfolioForm(prefix="img")
    if request.method == "POST" and "img-image" in request.FILES:
        upload = PortfolioForm(request.POST, request.FILES, prefix="img")
        form = ProfileForm(instance=profile, prefix="p")
        if profile is None:
            upload.add_error(None, _("Save your profile before adding images."))
        elif upload.is_valid():
            try:
                services.add_portfolio_image(
                    user=request.user,
                    profile=profile,
                    upload=upload.cleaned_data["image"],
                    caption=upload.cleaned_data["caption"],
                )
            except ValidationError as exc:
                _attach(upload, exc)
            else:
                messages.success(request, _("The image was added."))
                return redirect("talent:profile_edit")
    elif request.method == "POST" and form.is_valid():
        try:
            profile = services.save_profile(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("talent:profile_detail", pk=profile.pk)
    return render(
        request,
        "talent/profile_edit.html",
        {
            "form": form,
            "upload": upload,
            "profile": profile,
            "applications": selectors.my_applications(request.user),
            "enrolments": Enrolment.objects.filter(person=request.user).select_related("course"),
        },
    )


def _visible_profile(request, pk) -> TalentProfile:
    profile = TalentProfile.objects.select_related("cluster").filter(pk=pk).first()
    # Not allowed looks the same as not there: a hidden profile's existence is not revealed.
    if profile is None or not can(request.user, "talent.view_profile", profile):
        raise Http404(_("No talent profile with this number."))
    return profile


def profile_detail(request, pk):
    profile = _visible_profile(request, pk)
    return render(
        request,
        "talent/profile_detail.html",
        {
            "profile": profile,
            "personal": can(request.user, "talent.view_personal_data", profile),
            "is_mine": request.user.is_authenticated and profile.user_id == request.user.pk,
        },
    )


def portfolio_image(request, pk):
    image = get_object_or_404(PortfolioImage.objects.select_related("profile"), pk=pk)
    _visible_profile(request, image.profile_id)
    response = FileResponse(image.image.open("rb"), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


def _people_search(request):
    clusters = selectors.home_clusters(request.user)
    if not clusters.exists():  # the operator searches anywhere; anyone else is refused below
        clusters = Cluster.objects.order_by("province", "slug")
    cluster = (
        Cluster.objects.filter(slug=request.GET.get("cluster", "")).first() or clusters.first()
    )
    if cluster is None or not can(request.user, "talent.search", cluster):
        raise PermissionDenied(
            _("Firms and cluster offices search the talent of their own clusters.")
        )
    scope = "nearby" if request.GET.get("scope") == "nearby" else "cluster"
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    q = request.GET.get("q", "")[:50]
    people = selectors.visible_profiles(
        request.user, role=role, clusters=selectors.search_scope(request.user, cluster, scope), q=q
    )
    return cluster, clusters, scope, role, q, people


@login_required
def people(request):
    cluster, clusters, scope, role, q, found = _people_search(request)
    return render(
        request,
        "talent/people.html",
        {
            "people": found[:200],
            "cluster": cluster,
            "clusters": clusters,
            "scope": scope,
            "role": role,
            "q": q,
            "roles": Role.choices,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def people_export(request):
    """The search results as CSV (UTF-8 with BOM for Excel). Public fields only, never contacts."""
    _cluster, _clusters, _scope, _role, _q, found = _people_search(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="talent.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    header = [
        "id",
        "name",
        "role",
        "headline",
        "skills",
        "experience_years",
        "availability",
        "cluster",
    ]
    writer.writerow(header)
    for profile in found:
        row = selectors.public_profile_row(profile)
        writer.writerow(
            [
                row["id"],
                row["name"],
                row["role_label"],
                row["headline"],
                row["skills"],
                row["experience_years"],
                profile.get_availability_display(),
                row["cluster"],
            ]
        )
    return response


def dashboard(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    balance = selectors.talent_balance(cluster)
    shortage = selectors.design_shortage(cluster)
    chart = {
        "labels": [r.label for r in balance],
        "openings": [r.openings for r in balance],
        "applicants": [r.applicants for r in balance],
        "candidates": [r.candidates for r in balance],
        "names": [
            _("Openings"),
            pgettext("job applications", "Applications"),
            _("People available"),
        ],
    }
    return render(
        request,
        "talent/dashboard.html",
        {"cluster": cluster, "balance": balance, "shortage": shortage, "chart": chart},
    )
