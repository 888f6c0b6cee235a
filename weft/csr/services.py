"""Writes for social responsibility and discharge permits. Each checks permission, validates,
writes in one transaction and leaves an audit record."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from weft.accounts.models import Organisation
from weft.accounts.permissions import actor_for, can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot

from . import scoring
from .models import Answer, Assessment, DischargePermit, Evidence, ImprovementAction
from .questionnaire import AREA_BY_CODE, QUESTIONS

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def _require(user, action, obj, message):
    if not can(user, action, obj):
        raise PermissionDenied(message)


def _require_editable(user, assessment):
    _require(user, "csr.edit", assessment, _("Only the firm's admins change its self-assessment."))
    if not assessment.editable:
        raise ValidationError(
            _("The self-assessment is %(s)s and can no longer be changed.")
            % {"s": assessment.get_status_display()}
        )


def _audit_snapshot(a: Assessment) -> dict:
    return snapshot(a, ["enterprise", "status", "auditor", "overall_score", "level", "review_note"])


@transaction.atomic
def start_assessment(*, user, enterprise) -> Assessment:
    _require(user, "csr.start", enterprise, _("Only the firm's admins start its self-assessment."))
    open_one = enterprise.csr_assessments.filter(
        status__in=[
            Assessment.Status.DRAFT,
            Assessment.Status.RETURNED,
            Assessment.Status.SUBMITTED,
        ]
    ).first()
    if open_one:
        return open_one  # one open assessment at a time: continue it
    assessment = Assessment.objects.create(enterprise=enterprise, created_by=user)
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE,
        obj=assessment,
        after=_audit_snapshot(assessment),
    )
    return assessment


@transaction.atomic
def save_answers(*, user, assessment: Assessment, answers: dict[str, dict]) -> None:
    """answers: question code → {"choice": yes/partly/no/na, "comment": "..."}. All or nothing."""
    _require_editable(user, assessment)
    errors = {}
    for code, value in answers.items():
        if code not in QUESTIONS:
            errors[code] = _("Unknown question %(q)s.") % {"q": code}
        elif value.get("choice") not in Answer.Choice.values:
            errors[code] = _("Answer %(q)s with yes, partly, no or na.") % {"q": code}
        elif len(value.get("comment") or "") > 500:
            errors[code] = _("A comment has at most 500 characters.")
    if errors:
        raise ValidationError(errors)
    before = {a.question: a.choice for a in assessment.answers.all()}
    for code, value in answers.items():
        Answer.objects.update_or_create(
            assessment=assessment,
            question=code,
            defaults={"choice": value["choice"], "comment": value.get("comment") or ""},
        )
    after = {**before, **{c: v["choice"] for c, v in answers.items()}}
    record_change(
        actor=user, action=AuditRecord.Action.UPDATE, obj=assessment, before=before, after=after
    )


def check_evidence_file(upload) -> str:
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is 10 MB.") % {"size": upload.size / 1048576}
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "application/pdf"
    try:
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("Evidence must be a PDF, JPEG or PNG file.")) from None
    finally:
        upload.seek(0)
    types = {"JPEG": "image/jpeg", "PNG": "image/png"}
    if fmt not in types:
        raise ValidationError(_("Evidence must be a PDF, JPEG or PNG file."))
    return types[fmt]


@transaction.atomic
def add_evidence(*, user, assessment: Assessment, question: str, upload) -> Evidence:
    _require_editable(user, assessment)
    if question not in QUESTIONS:
        raise ValidationError(_("Unknown question %(q)s.") % {"q": question})
    content_type = check_evidence_file(upload)
    name = upload.name.rsplit("/", 1)[-1][-120:]
    evidence = Evidence(
        assessment=assessment,
        question=question,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE,
        obj=evidence,
        after={"question": question, "file": evidence.file.name, "size": evidence.size},
    )
    return evidence


def compute(assessment: Assessment) -> list[scoring.AreaScore]:
    answers = dict(assessment.answers.values_list("question", "choice"))
    evidence = set(assessment.evidence.values_list("question", flat=True))
    return scoring.area_scores(answers, evidence)


@transaction.atomic
def submit(*, user, assessment: Assessment) -> Assessment:
    _require_editable(user, assessment)
    answered = set(assessment.answers.values_list("question", flat=True))
    missing = [code for code in QUESTIONS if code not in answered]
    if missing:
        raise ValidationError(
            _("Answer every question before submitting; %(n)d are open: %(codes)s.")
            % {"n": len(missing), "codes": ", ".join(missing[:6])}
        )
    before = _audit_snapshot(assessment)
    scores = compute(assessment)
    assessment.area_scores = {s.code: str(s.score) if s.score is not None else None for s in scores}
    assessment.overall_score = scoring.overall(scores)
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=assessment,
        before=before,
        after=_audit_snapshot(assessment),
    )
    return assessment


@transaction.atomic
def invite_auditor(*, user, assessment: Assessment, auditor: Organisation | None) -> Assessment:
    _require(user, "csr.edit", assessment, _("Only the firm's admins invite an auditor."))
    if auditor is not None and auditor.kind != Organisation.Kind.SERVICE_PROVIDER:
        raise ValidationError(_("An auditor must be a service provider organisation."))
    before = _audit_snapshot(assessment)
    assessment.auditor = auditor
    assessment.save(update_fields=["auditor"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=assessment,
        before=before,
        after=_audit_snapshot(assessment),
    )
    return assessment


def _reviewer_org(user, assessment) -> Organisation | None:
    """Which of the reviewer's organisations the review is recorded for, once csr.review said
    yes: the invited auditor, else the firm's cluster office, else the operator (the rule's
    three ways in, in that order). Not a permission check."""
    actor = actor_for(user)
    if assessment.auditor_id and assessment.auditor_id in actor.org_ids(admin=True):
        return assessment.auditor
    office_ids = actor.org_ids(kind=Organisation.Kind.CLUSTER_OFFICE, admin=True)
    from weft.registry.models import Cluster

    cluster = (
        Cluster.objects.filter(
            office_id__in=office_ids,
            memberships__enterprise=assessment.enterprise,
            memberships__status="approved",
        )
        .select_related("office")
        .first()
    )
    if cluster:
        return cluster.office
    return Organisation.objects.filter(
        pk__in=actor.org_ids(kind=Organisation.Kind.OPERATOR)
    ).first()


@transaction.atomic
def review(*, user, assessment: Assessment, verify: bool, note: str = "") -> Assessment:
    _require(
        user, "csr.review", assessment, _("Only the cluster office or the invited auditor reviews.")
    )
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted self-assessment can be reviewed."))
    if not verify and not note.strip():
        raise ValidationError(_("Say what must change when returning a self-assessment."))
    before = _audit_snapshot(assessment)
    assessment.reviewed_by = user
    assessment.reviewer_org = _reviewer_org(user, assessment)
    assessment.reviewed_at = timezone.now()
    assessment.review_note = note[:2000]
    if verify:
        assessment.status = Assessment.Status.VERIFIED
        assessment.level = scoring.level(compute(assessment))
    else:
        assessment.status = Assessment.Status.RETURNED
    assessment.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=assessment,
        before=before,
        after=_audit_snapshot(assessment),
    )
    return assessment


@transaction.atomic
def add_action(
    *, user, assessment: Assessment, area: str, action: str, due_on
) -> ImprovementAction:
    _require(user, "csr.edit", assessment, _("Only the firm's admins plan improvements."))
    errors = {}
    if area not in AREA_BY_CODE:
        errors["area"] = _("Unknown area %(a)s.") % {"a": area}
    if not action.strip():
        errors["action"] = _("Say what will be done.")
    if due_on is None or due_on < timezone.localdate():
        errors["due_on"] = _("The due date must be today or later.")
    if errors:
        raise ValidationError(errors)
    item = ImprovementAction.objects.create(
        assessment=assessment, area=area, action=action.strip()[:300], due_on=due_on
    )
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=item, after=snapshot(item))
    return item


@transaction.atomic
def complete_action(*, user, item: ImprovementAction) -> ImprovementAction:
    _require(user, "csr.edit", item.assessment, _("Only the firm's admins update the plan."))
    before = snapshot(item)
    item.status = ImprovementAction.Status.DONE
    item.done_at = timezone.now()
    item.save()
    record_change(
        actor=user, action=AuditRecord.Action.UPDATE, obj=item, before=before, after=snapshot(item)
    )
    return item


# --- green production: discharge permits --------------------------------------------------------

REMINDER_DAYS = (90, 30, 0)


@transaction.atomic
def add_permit(*, user, enterprise, data: dict) -> DischargePermit:
    _require(user, "csr.manage_permits", enterprise, _("You may not keep this firm's permits."))
    if (
        data.get("valid_from")
        and data.get("valid_until")
        and data["valid_until"] <= data["valid_from"]
    ):
        raise ValidationError({"valid_until": _("A permit must end after it starts.")})
    if DischargePermit.objects.filter(enterprise=enterprise, number=data.get("number")).exists():
        raise ValidationError({"number": _("This firm already has a permit with this number.")})
    permit = DischargePermit(enterprise=enterprise, **data)
    permit.full_clean()
    permit.save()
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=permit, after=snapshot(permit))
    return permit


def due_reminders(today=None):
    """(permit, threshold) pairs due today or overdue and not yet sent: the smallest threshold the
    permit has reached, so a permit found late gets one reminder, not three."""
    from .models import PermitReminder

    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    sent = set(PermitReminder.objects.values_list("permit_id", "days_before"))
    out = []
    for permit in DischargePermit.objects.filter(valid_until__lte=horizon).select_related(
        "enterprise"
    ):
        left = (permit.valid_until - today).days
        reached = [d for d in REMINDER_DAYS if left <= d]
        if not reached:
            continue
        threshold = min(reached)
        if (permit.pk, threshold) not in sent:
            out.append((permit, threshold))
    return out


def send_permit_reminders(today=None) -> int:
    """E-mail each firm whose permit reaches a reminder threshold; record it so it goes once."""
    from django.core.mail import send_mail

    from .models import PermitReminder

    count = 0
    for permit, threshold in due_reminders(today):
        firm = permit.enterprise
        recipients = [firm.contact_email] if firm.contact_email else []
        org = Organisation.objects.filter(enterprise=firm).first()
        if org is not None:
            recipients += [
                m.user.email for m in org.memberships.select_related("user") if m.user.email
            ]
        with transaction.atomic():
            reminder, created = PermitReminder.objects.get_or_create(
                permit=permit,
                days_before=threshold,
                defaults={"recipients": sorted(set(recipients))},
            )
            if not created:
                continue
            if recipients:
                send_mail(
                    subject=f"排污许可证 {permit.number} 到期提醒 / Discharge permit expiry reminder",
                    message=(
                        f"{firm.name_zh}：排污许可证 {permit.number} 有效期至 {permit.valid_until:%Y-%m-%d}，"
                        "请及时办理延续。\n"
                        f"The discharge permit {permit.number} of {firm.name_en or firm.name_zh} "
                        f"is valid until {permit.valid_until:%Y-%m-%d}; apply for renewal in time."
                    ),
                    from_email=None,
                    recipient_list=sorted(set(recipients)),
                )
            count += 1
    return count
