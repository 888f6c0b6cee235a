"""Talent: training courses and enrolments, jobs posted by firms, talent profiles and applications."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """The trades clusters hire for (the vocabulary jobs, profiles and the dashboard share)."""

    DESIGNER = "designer", _("Designer")
    PATTERN_MAKER = "pattern_maker", _("Pattern maker")
    MERCHANDISER = "merchandiser", _("Merchandiser")
    SEWING_TECHNICIAN = "sewing_technician", _("Sewing technician")
    DYEING_ENGINEER = "dyeing_engineer", _("Dyeing engineer")
    KNITTING_TECHNICIAN = "knitting_technician", _("Knitting technician")
    QUALITY_INSPECTOR = "quality_inspector", _("Quality inspector")
    PRODUCTION_MANAGER = "production_manager", _("Production manager")
    ECOMMERCE_OPERATOR = "ecommerce_operator", _("E-commerce operator")


class Course(models.Model):
    """A training course published by a cluster office, a firm or a training provider."""

    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")

    provider = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="courses",
        help_text=_("The organisation that publishes and runs the course."),
    )
    cluster = models.ForeignKey(
        "registry.Cluster",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
        help_text=_("The cluster the course is for, if any."),
    )
    title = models.CharField(max_length=200)
    topic = models.CharField(
        max_length=100, help_text=_("e.g. garment design, pattern making, dyeing and printing.")
    )
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.BEGINNER)
    starts_on = models.DateField()
    ends_on = models.DateField()
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ON_SITE)
    place = models.CharField(max_length=200, blank=True, help_text=_("Address when on site."))
    seats = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    fee = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Fee per person in yuan."),
    )
    voucher_covered = models.BooleanField(
        default=False, help_text=_("A voucher programme covers the fee (see voucher_programme).")
    )
    voucher_programme = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Code of the covering voucher programme in the services app, when known."),
    )
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self):
        return self.title


class Enrolment(models.Model):
    """A person's seat on a course; attendance and the certificate are recorded on it."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENROLLED)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    attended = models.BooleanField(default=False, help_text=_("Set by the provider."))
    certificate_number = models.CharField(
        max_length=40, blank=True, help_text=_("Given once the person attended.")
    )
    certified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrolled_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="one_enrolment_per_course")
        ]

    def __str__(self):
        return f"{self.person} → {self.course}"


class Job(models.Model):
    """An opening posted by a firm."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="jobs"
    )
    cluster = models.ForeignKey(
        "registry.Cluster",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text=_("The cluster the opening counts in (one of the firm's clusters)."),
    )
    role = models.CharField(max_length=24, choices=Role.choices, db_index=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    openings = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text=_("How many people are wanted.")
    )
    pay_min = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Yuan/month."),
    )
    pay_max = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Yuan/month."),
    )
    place = models.CharField(max_length=200)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class TalentProfile(models.Model):
    """A person's professional profile. Contact and ID fields are personal data: never listed."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CLUSTER = "cluster", _("Firms and the office of my cluster")
        HIDDEN = "hidden", _("Nobody (only firms I apply to)")

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Looking for work")
        OPEN = "open", _("Open to offers")
        UNAVAILABLE = "unavailable", _("Not looking")

    PERSONAL_FIELDS = ("phone", "email", "id_number")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talent_profile"
    )
    name = models.CharField(max_length=50, help_text=_("Name shown on the profile."))
    role = models.CharField(max_length=24, choices=Role.choices, db_index=True)
    headline = models.CharField(max_length=120, blank=True)
    skills = models.CharField(max_length=500, blank=True, help_text=_("Comma-separated skills."))
    experience_years = models.PositiveSmallIntegerField(default=0)
    experience = models.TextField(blank=True, help_text=_("Work history in the person's words."))
    cluster = models.ForeignKey(
        "registry.Cluster",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talent_profiles",
        help_text=_("The cluster the person lives or works in."),
    )
    availability = models.CharField(
        max_length=12, choices=Availability.choices, default=Availability.AVAILABLE
    )
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.CLUSTER
    )
    phone = models.CharField(max_length=30, blank=True, help_text=_("Personal data."))
    email = models.EmailField(blank=True, help_text=_("Personal data."))
    id_number = models.CharField(
        max_length=18, blank=True, help_text=_("Resident ID number; personal data.")
    )
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in self.skills.replace("，", ",").split(",") if s.strip()]


def portfolio_path(instance, filename):
    return f"talent/portfolio/{instance.profile_id}/{filename}"


class PortfolioImage(models.Model):
    """An image of the person's work, served only to those who may see the profile."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="portfolio")
    image = models.FileField(upload_to=portfolio_path)
    content_type = models.CharField(max_length=20, help_text=_("Checked from the file's content."))
    size = models.PositiveIntegerField(help_text=_("Bytes."))
    caption = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.caption or self.image.name


class Application(models.Model):
    """A person's application to a job; applying shares their profile with that firm."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        DECLINED = "declined", pgettext_lazy("job application status", "Declined")
        HIRED = "hired", _("Hired")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications")
    profile = models.ForeignKey(
        TalentProfile, on_delete=models.CASCADE, related_name="applications"
    )
    note = models.TextField(blank=True, help_text=_("A short note to the firm."))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "profile"], name="one_application_per_job")
        ]

    def __str__(self):
        return f"{self.profile} → {self.job}"
