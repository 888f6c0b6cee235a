"""The industry chain as data, each cluster's chain profile and gaps, and docking conferences."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from weft.registry.models import ChainStage, Cluster, Enterprise


def _in_language(zh: str, en: str) -> str:
    lang = get_language() or "zh-hans"
    return en if lang.startswith("en") and en else zh


# --- the chain graph -----------------------------------------------------------------------------


class StageLink(models.Model):
    """One edge of the chain graph: `supplier` feeds `consumer`. The operator edits these."""

    class Kind(models.TextChoices):
        MATERIAL = "material", _("Material")
        SERVICE = "service", _("Service")
        EQUIPMENT = "equipment", _("Equipment")

    supplier = models.ForeignKey(ChainStage, on_delete=models.CASCADE, related_name="feeds")
    consumer = models.ForeignKey(ChainStage, on_delete=models.CASCADE, related_name="fed_by")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MATERIAL)
    group = models.SlugField(
        max_length=32,
        blank=True,
        help_text="Suppliers in the same group are alternatives (weaving or knitting = fabric); "
        "blank means the supplier stands alone.",
    )
    weight = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="How much the consumer depends on this input, 0–1; scales a gap's severity.",
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "consumer"], name="one_link_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(supplier=models.F("consumer")), name="link_not_a_loop"
            ),
        ]
        ordering = ["consumer__order", "supplier__order"]

    def __str__(self):
        return f"{self.supplier.code} → {self.consumer.code}"

    @property
    def group_key(self) -> str:
        return self.group or self.supplier.code


# --- computed profiles and gaps ------------------------------------------------------------------


class StageProfile(models.Model):
    """How strong a cluster is in one stage: computed by services.recompute_profiles()."""

    class Level(models.TextChoices):
        STRONG = "strong", _("Strong")
        WEAK = "weak", _("Weak")
        MISSING = "missing", _("Missing")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="stage_profiles")
    stage = models.ForeignKey(ChainStage, on_delete=models.CASCADE, related_name="+")
    firms = models.PositiveIntegerField(default=0, help_text="Approved member firms in the stage.")
    employees = models.PositiveIntegerField(default=0, help_text="Their employees, summed.")
    capacity_per_year = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Firms' stated capacity in the stage's unit, turned into a year's worth.",
    )
    capacity_unit = models.CharField(max_length=20, blank=True)
    output_per_year = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Reported output, where statistics provide it (see selectors.reported_output).",
    )
    share_firms = models.FloatField(default=0, help_text="Share of the national firms, 0–1.")
    share_employees = models.FloatField(default=0, help_text="Share of national employees, 0–1.")
    share_capacity = models.FloatField(default=0, help_text="Share of national capacity, 0–1.")
    location_quotient = models.FloatField(
        default=0,
        help_text="The stage's share of the cluster's employees over its share nationally.",
    )
    spare_employees = models.FloatField(
        default=0,
        help_text="Employees beyond what the cluster's own consumers of this stage need.",
    )
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.MISSING)
    certifications = models.JSONField(
        default=dict, blank=True, help_text="Certification code → number of firms holding it."
    )
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "stage"], name="one_profile_per_stage")
        ]
        indexes = [models.Index(fields=["stage", "level"])]

    def __str__(self):
        return f"{self.cluster.slug}/{self.stage.code}: {self.level}"


class StageFirm(models.Model):
    """One approved cluster member working in one stage, as the last recompute saw it.

    A narrow copy of the registry (firm × stage × cluster) that recompute_profiles() rebuilds in
    one INSERT … SELECT: profiles are grouped from it, and a firm partner query reads the biggest
    firms of a stage in each candidate cluster straight from its index.
    """

    # The composite index below serves stage and cluster; fewer indexes, a faster rebuild.
    stage = models.ForeignKey(
        ChainStage, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+", db_index=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    employees = models.PositiveIntegerField(default=0)
    capacity_per_year = models.DecimalField(
        max_digits=24,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Stated capacity as a year's worth, when stated in the stage's own unit.",
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    certifications = models.TextField(
        blank=True, help_text="Codes of the certificates the firm holds, as “,code,code,”."
    )

    class Meta:
        indexes = [
            # The biggest firms of a stage in one cluster: an index range, no sort.
            models.Index(fields=["stage", "cluster", "-employees"], name="chain_stagefirm_biggest"),
        ]

    def __str__(self):
        return f"{self.enterprise_id}@{self.cluster_id}/{self.stage_id}"


class ChainGap(models.Model):
    """A missing or weak link in a cluster's chain: diagnosed from data, or declared by its office."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Diagnosed from the registry")
        DECLARED = "declared", _("Declared by the cluster office")

    class Level(models.TextChoices):
        MISSING = "missing", _("Missing")
        WEAK = "weak", _("Weak")
        DECLARED = "declared", _("Declared need")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="chain_gaps")
    consumer = models.ForeignKey(
        ChainStage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The cluster's own stage that needs this input.",
    )
    group = models.SlugField(max_length=32, help_text="The input: a link group or a stage code.")
    stages = models.JSONField(default=list, help_text="Codes of the stages that can fill the gap.")
    source = models.CharField(max_length=10, choices=Source.choices, db_index=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    severity = models.FloatField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(1)], help_text="0–1."
    )
    coverage = models.FloatField(
        null=True, blank=True, help_text="Local supply over local need, against the national norm."
    )
    evidence_zh = models.TextField(blank=True)
    evidence_en = models.TextField(blank=True)
    quantity = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    quantity_unit = models.CharField(max_length=20, blank=True)
    required_certifications = models.JSONField(default=list, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-severity", "group"]
        indexes = [models.Index(fields=["cluster", "source"])]

    def __str__(self):
        return f"{self.cluster.slug}: {self.group} ({self.level})"

    @property
    def evidence(self) -> str:
        return _in_language(self.evidence_zh, self.evidence_en)

    @property
    def label(self) -> str:
        """'fabric (weaving, knitting)' / '面料（织造、针织）', or the one stage's name."""
        from .graph import GROUP_NAMES

        stages = list(ChainStage.objects.filter(code__in=self.stages).order_by("order"))
        en = (get_language() or "").startswith("en")
        names = [s.name_en.lower() if en else s.name_zh for s in stages]
        if self.group in GROUP_NAMES:
            zh, eng = GROUP_NAMES[self.group]
            return f"{eng} ({', '.join(names)})" if en else f"{zh}（{'、'.join(names)}）"
        return stages[0].name if stages else self.group

    @property
    def severity_label(self) -> str:
        if self.severity >= 0.6:
            return "high"
        return "medium" if self.severity >= 0.3 else "low"


class RecomputeRun(models.Model):
    """One recomputation of profiles and gaps, so users can see when the figures were made."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    clusters = models.PositiveIntegerField(default=0)
    profiles = models.PositiveIntegerField(default=0)
    gaps = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


# --- docking conferences -------------------------------------------------------------------------


class DockingEvent(models.Model):
    """A docking conference a cluster office runs: firms meet one to one in time slots at tables."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for registration")
        SCHEDULED = "scheduled", _("Meetings scheduled")
        CLOSED = "closed", pgettext_lazy("docking event status", "Closed")

    host = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="docking_events")
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    theme = models.CharField(
        max_length=200, blank=True, help_text="E.g. Keqiao–Humen fabric docking."
    )
    place = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    clusters = models.ManyToManyField(Cluster, blank=True, related_name="+")
    stages = models.ManyToManyField(ChainStage, blank=True, related_name="+")
    tables = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    max_meetings = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="At most this many meetings per participant.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]

    def __str__(self):
        return self.title_zh

    @property
    def title(self) -> str:
        return _in_language(self.title_zh, self.title_en)


class DockingSlot(models.Model):
    event = models.ForeignKey(DockingEvent, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.starts_at:%m-%d %H:%M}–{self.ends_at:%H:%M}"


class Registration(models.Model):
    """A firm taking part in a docking event, with what it needs and what it offers."""

    event = models.ForeignKey(DockingEvent, on_delete=models.CASCADE, related_name="registrations")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    needs = models.JSONField(default=list, blank=True, help_text="Stage codes the firm buys.")
    offers = models.JSONField(default=list, blank=True, help_text="Stage codes the firm sells.")
    needs_text = models.CharField(max_length=300, blank=True)
    offers_text = models.CharField(max_length=300, blank=True)
    required_certifications = models.JSONField(default=list, blank=True)
    max_meetings = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Fewer meetings than the event allows, if the firm wishes.",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise"], name="register_once_per_event")
        ]
        ordering = ["id"]

    def __str__(self):
        return f"{self.enterprise} @ {self.event_id}"

    def _names(self, codes) -> str:
        en = (get_language() or "").startswith("en")
        stages = ChainStage.objects.filter(code__in=codes).order_by("order")
        return (", " if en else "、").join(s.name_en.lower() if en else s.name_zh for s in stages)

    @property
    def needs_names(self) -> str:
        return self._names(self.needs)

    @property
    def offers_names(self) -> str:
        return self._names(self.offers)

    @property
    def meeting_cap(self) -> int:
        own = self.max_meetings if self.max_meetings is not None else self.event.max_meetings
        return min(own, self.event.max_meetings)


class MeetingRequest(models.Model):
    """One participant asks to meet another; requests weigh more than proposals in the schedule."""

    event = models.ForeignKey(DockingEvent, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="sent")
    target = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="received")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "target"], name="one_request_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(requester=models.F("target")), name="no_request_to_self"
            ),
        ]

    def __str__(self):
        return f"{self.requester_id} → {self.target_id}"


class Meeting(models.Model):
    """A one-to-one meeting the scheduler placed in a slot at a table."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    event = models.ForeignKey(DockingEvent, on_delete=models.CASCADE, related_name="meetings")
    first = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(DockingSlot, on_delete=models.CASCADE, related_name="meetings")
    table = models.PositiveSmallIntegerField()
    score = models.FloatField(help_text="Match score the scheduler maximised.")
    reason_zh = models.CharField(max_length=300, blank=True)
    reason_en = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    declined_by = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["slot__starts_at", "table"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "table"], name="one_meeting_per_table_slot")
        ]

    def __str__(self):
        return f"{self.first_id} × {self.second_id} @ {self.slot_id}/{self.table}"

    @property
    def reason(self) -> str:
        return _in_language(self.reason_zh, self.reason_en)


class MeetingOutcome(models.Model):
    """What came of a meeting, recorded by a participant; feeds partner recommendation."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="outcome")
    contact_made = models.BooleanField(default=False)
    sample_ordered = models.BooleanField(default=False)
    deal_signed = models.BooleanField(default=False)
    amount = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Deal amount in yuan.",
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"outcome of {self.meeting_id}"
