"""Social responsibility pages: the questionnaire, evidence, scores, plan, review and badge; and
discharge permits. Thin: permissions through can(), writes through services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weft.accounts.models import Organisation
from weft.accounts.permissions import can
from weft.core.params import id_param
from weft.registry.models import Enterprise

from . import selectors, services
from .models import Answer, Assessment, Evidence, ImprovementAction
from .questionnaire import AREAS, QUESTIONS


def _visible(request, pk) -> Assessment:
    assessment = Assessment.objects.select_related("enterprise", "auditor").filter(pk=pk).first()
    # Someone who may not see the answers learns nothing, not even that the assessment exists.
    if assessment is None or not can(request.user, "csr.view", assessment):
        raise Http404(_("No self-assessment with this number."))
    return assessment


def _errors(request, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))


@login_required
def my_assessments(request):
    from weft.accounts.permissions import actor_for

    own = actor_for(request.user).org_ids(kind=Organisation.Kind.ENTERPRISE)
    firms = [
        f
        for f in Enterprise.objects.filter(organisation__in=own)
        if can(request.user, "csr.start", f)  # the firms it may start an assessment for
    ]
    return render(
        request,
        "csr/my.html",
        {"assessments": selectors.visible_assessments(request.user)[:200], "firms": firms},
    )


@login_required
@require_POST
def start(request, pk):
    enterprise = get_object_or_404(Enterprise, pk=pk)
    assessment = services.start_assessment(user=request.user, enterprise=enterprise)
    return redirect("csr:assessment", pk=assessment.pk)


@login_required
def assessment_detail(request, pk):
    assessment = _visible(request, pk)
    if request.method == "POST":
        answers = {}
        for code in QUESTIONS:
            choice = request.POST.get(f"q-{code}")
            if choice:
                answers[code] = {"choice": choice, "comment": request.POST.get(f"c-{code}", "")}
        try:
            services.save_answers(user=request.user, assessment=assessment, answers=answers)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Your answers were saved."))
        return redirect("csr:assessment", pk=pk)
    overall, level = selectors.overall(assessment)
    return render(
        request,
        "csr/assessment.html",
        {
            "a": assessment,
            "areas": selectors.questionnaire(assessment),
            "overall": overall,
            "projected_level": level,
            "choices": Answer.Choice.choices,
            "can_edit": can(request.user, "csr.edit", assessment) and assessment.editable,
            "can_plan": can(request.user, "csr.edit", assessment),
            "can_review": can(request.user, "csr.review", assessment)
            and assessment.status == Assessment.Status.SUBMITTED,
            "auditors": Organisation.objects.filter(kind=Organisation.Kind.SERVICE_PROVIDER),
            "area_choices": [(a.code, a.name) for a in AREAS],
            "question_codes": [(code, q.text) for code, q in QUESTIONS.items() if q.needs_evidence],
        },
    )


@login_required
@require_POST
def evidence_upload(request, pk):
    assessment = _visible(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            services.add_evidence(
                user=request.user,
                assessment=assessment,
                question=request.POST.get("question", ""),
                upload=upload,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The evidence file was added."))
    return redirect("csr:assessment", pk=pk)


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence, pk=pk)
    _visible(request, evidence.assessment_id)
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def submit(request, pk):
    assessment = _visible(request, pk)
    try:
        services.submit(user=request.user, assessment=assessment)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Submitted for review."))
    return redirect("csr:assessment", pk=pk)


@login_required
@require_POST
def invite(request, pk):
    assessment = _visible(request, pk)
    auditor = None
    if request.POST.get("auditor"):
        auditor = Organisation.objects.filter(pk=id_param(request.POST, "auditor")).first()
        if auditor is None:
            messages.error(request, _("No such organisation."))
            return redirect("csr:assessment", pk=pk)
    try:
        services.invite_auditor(user=request.user, assessment=assessment, auditor=auditor)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The auditor was invited."))
    return redirect("csr:assessment", pk=pk)


@login_required
@require_POST
def review(request, pk):
    assessment = _visible(request, pk)
    try:
        services.review(
            user=request.user,
            assessment=assessment,
            verify=request.POST.get("decision") == "verify",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The review was recorded."))
    return redirect("csr:assessment", pk=pk)


@login_required
@require_POST
def action_add(request, pk):
    assessment = _visible(request, pk)
    try:
        due = date.fromisoformat(request.POST.get("due_on", ""))
    except ValueError:
        due = None
    try:
        services.add_action(
            user=request.user,
            assessment=assessment,
            area=request.POST.get("area", ""),
            action=request.POST.get("action", ""),
            due_on=due,
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("csr:assessment", pk=pk)


@login_required
@require_POST
def action_done(request, pk):
    item = get_object_or_404(ImprovementAction, pk=pk)
    _visible(request, item.assessment_id)
    services.complete_action(user=request.user, item=item)
    return redirect("csr:assessment", pk=item.assessment_id)


def badge(request, pk):
    enterprise = get_object_or_404(Enterprise, pk=pk)
    verified = (
        Assessment.objects.filter(enterprise=enterprise, status=Assessment.Status.VERIFIED)
        .select_related("reviewer_org")
        .order_by("-reviewed_at", "-id")
        .first()
    )
    return render(request, "csr/badge.html", {"enterprise": enterprise, "verified": verified})


@login_required
def permits(request, pk):
    enterprise = get_object_or_404(Enterprise, pk=pk)
    if not can(request.user, "csr.view_permits", enterprise):
        raise PermissionDenied(_("Only the firm and its cluster office see its permits."))
    can_manage = can(request.user, "csr.manage_permits", enterprise)
    if request.method == "POST":
        try:
            data = {
                "number": request.POST.get("number", "").strip(),
                "issued_by": request.POST.get("issued_by", "").strip(),
                "pollutants": request.POST.get("pollutants", "").strip(),
                "valid_from": date.fromisoformat(request.POST.get("valid_from", "")),
                "valid_until": date.fromisoformat(request.POST.get("valid_until", "")),
            }
        except ValueError:
            messages.error(request, _("Give both dates as YYYY-MM-DD."))
        else:
            try:
                services.add_permit(user=request.user, enterprise=enterprise, data=data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("The permit was added."))
        return redirect("csr:permits", pk=pk)
    return render(
        request,
        "csr/permits.html",
        {
            "enterprise": enterprise,
            "permits": selectors.permits_of(enterprise),
            "can_manage": can_manage,
        },
    )
