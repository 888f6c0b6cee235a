"""Social responsibility self-assessments (CSC9000T areas) and green production: discharge permits."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assessment(models.Model):
    """One firm's self-assessment: answers, evidence, scores, improvement plan and review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        VERIFIED = "verified", _("Verified")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="csr_assessments"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    auditor = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="csr_audits",
        help_text="An audit provider the firm invited to review (a service provider organisation).",
    )
    area_scores = models.JSONField(
        default=dict, blank=True, help_text="Area code → score, frozen when submitted."
    )
    overall_score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    level = models.CharField(max_length=1, blank=True, help_text="A–D, set when verified.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_org = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The cluster office or auditor that reviewed it.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"CSR {self.enterprise} ({self.get_status_display()})"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Answer(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")
        NA = "na", _("Not applicable")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=10, help_text="Question code, see questionnaire.py.")
    choice = models.CharField(max_length=6, choices=Choice.choices)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self):
        return f"{self.question}: {self.choice}"


def evidence_path(instance, filename):
    return f"csr/evidence/{instance.assessment_id}/{filename}"


class Evidence(models.Model):
    """A file backing an answer (PDF or image), seen only by those who may see the answers."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    question = models.CharField(max_length=10)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(help_text="Bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ImprovementAction(models.Model):
    """A step of the improvement plan, for one area, with a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    area = models.CharField(max_length=32, help_text="Area code.")
    action = models.CharField(max_length=300)
    due_on = models.DateField()
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.action


class DischargePermit(models.Model):
    """A pollutant discharge permit (排污许可证) and its validity, for expiry reminders."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="discharge_permits"
    )
    number = models.CharField(max_length=40, help_text="Permit number as printed.")
    issued_by = models.CharField(max_length=100, help_text="Issuing environment bureau.")
    pollutants = models.CharField(max_length=200, blank=True, help_text="COD, ammonia nitrogen…")
    valid_from = models.DateField()
    valid_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["valid_until", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "number"], name="one_permit_number_per_firm"
            )
        ]

    def __str__(self):
        return self.number


class PermitReminder(models.Model):
    """A reminder sent for a permit at one threshold (90, 30 or 0 days), at most once each."""

    permit = models.ForeignKey(DischargePermit, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.SmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list, help_text="E-mail addresses written to.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["permit", "days_before"], name="one_reminder_per_threshold"
            )
        ]

    def __str__(self):
        return f"{self.permit} −{self.days_before}d"
