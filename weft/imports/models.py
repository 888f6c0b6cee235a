import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportJob(models.Model):
    """One uploaded enterprise list and its progress through validation, resolution and writing."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for the column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("import status", "Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    cluster = models.ForeignKey(
        "registry.Cluster",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        help_text="Cluster the listed firms join; empty for an operator's registry-wide list.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="On whose behalf the list is supplied (the cluster office or the operator).",
    )
    file = models.FileField(upload_to="imports/%Y/%m/", help_text="The uploaded file as received.")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=4, help_text="xlsx or csv")
    sheet = models.CharField(max_length=100, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text="Column index (as text) → field name.")
    notes = models.JSONField(default=list, blank=True, help_text="Things the user should know.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PREVIEW, db_index=True
    )
    total_rows = models.PositiveIntegerField(default=0, help_text="Data rows (upper bound).")
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows in committed batches.")
    last_row = models.PositiveIntegerField(
        default=0, help_text="Sheet row number of the last committed row: where a rerun resumes."
    )
    created = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0, help_text="Potential matches for review.")
    outside = models.PositiveIntegerField(
        default=0,
        help_text="Rows matching a firm outside the list's clusters, which they leave unchanged.",
    )
    rejected = models.PositiveIntegerField(default=0, help_text="Rows with errors, not written.")
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life of the worker running the import: its start and each batch "
        "commit. A running import silent for longer than WEFT_IMPORT_STALE_AFTER is stale.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was last queued for a worker. A job still queued after "
        "WEFT_IMPORT_QUEUE_STALE_AFTER was never picked up (no worker running, task lost).",
    )
    formulas = models.BooleanField(
        default=True,
        help_text="The worksheet holds formulas: its rows are read by openpyxl, which shows them "
        "(a faster reader would give only their cached values).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.rows_done / self.total_rows)) if self.total_rows else 0

    @property
    def is_stale(self) -> bool:
        """Says running, but its worker has not been heard of for too long: it died (killed,
        out of memory, machine restarted). Or says queued, but no worker has taken it for too
        long (none is running, or the task was lost). Either can be resumed (queued again) and
        continues after its last committed batch."""
        if self.status == self.Status.QUEUED:
            return self.is_unclaimed
        if self.status != self.Status.RUNNING:
            return False
        seen = self.heartbeat_at or self.started_at
        return seen is None or timezone.now() - seen > stale_after()

    @property
    def is_unclaimed(self) -> bool:
        """Queued longer than a worker should take to pick it up."""
        return (
            self.status == self.Status.QUEUED
            and self.queued_at is not None
            and timezone.now() - self.queued_at > queue_stale_after()
        )

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.is_stale

    @property
    def can_resume(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stale

    @property
    def status_label(self) -> str:
        if self.is_unclaimed:
            return str(_("Waiting: no worker has picked it up"))
        if self.is_stale:
            return str(_("Stopped: the worker running it no longer responds"))
        return self.get_status_display()


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "WEFT_IMPORT_STALE_AFTER", 300)))


def queue_stale_after() -> datetime.timedelta:
    # Longer than for a running job: a queued one may wait behind other imports.
    seconds = getattr(settings, "WEFT_IMPORT_QUEUE_STALE_AFTER", 900)
    return datetime.timedelta(seconds=int(seconds))


class RowError(models.Model):
    """A problem with one cell or row; the row is not written. Message from `code` + `params`."""

    # No index of its own: the (job, row) index begins with it.
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="row_errors", db_index=False
    )
    row = models.PositiveIntegerField(help_text="Row number as the spreadsheet shows it.")
    field = models.CharField(max_length=30, blank=True, help_text="Field of the column, if any.")
    column = models.CharField(max_length=200, blank=True, help_text="Header of the column.")
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"])]

    def __str__(self):
        return f"row {self.row}: {self.code}"


class MatchDecision(models.Model):
    """What entity resolution decided for one incoming row, with its score and reason."""

    class Reason(models.TextChoices):
        USCC = "uscc", _("Same unified social credit code")
        NAME_COUNTY = "name_county", _("Same normalised name in the same county")
        FUZZY = "fuzzy", _("Similar name and address")
        NONE = "none", _("No similar enterprise")

    class Outcome(models.TextChoices):
        CREATED = "created", _("New enterprise")
        MERGED = "merged", _("Merged automatically")
        UNCHANGED = "unchanged", _("Already up to date")
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Merged after review")
        REJECTED = "rejected", _("Rejected: new enterprise created")
        UNDONE = "undone", _("Merge undone")
        OUTSIDE = "outside", _("Not changed: a firm outside the list's clusters")

    # No index of its own: the (job, row) constraint's index begins with it.
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    row = models.PositiveIntegerField()
    incoming = models.JSONField(help_text="The row's cleaned values.")
    candidate = models.ForeignKey(
        "registry.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The registry record the row was compared with.",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The record the row ended up in.",
    )
    score = models.FloatField(default=0, help_text="0–100; 100 for a code or exact-name match.")
    name_score = models.FloatField(default=0)
    address_score = models.FloatField(default=0)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, db_index=True)
    changes = models.JSONField(
        default=dict, blank=True, help_text="Merged fields: {field: [before, after]}, for undo."
    )
    provenance_before = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "row"]
        constraints = [models.UniqueConstraint(fields=["job", "row"], name="one_decision_per_row")]
        indexes = [models.Index(fields=["job", "outcome"])]

    def __str__(self):
        return f"row {self.row}: {self.outcome} ({self.reason}, {self.score:.0f})"
