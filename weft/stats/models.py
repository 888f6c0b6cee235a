"""Cluster statistics: the indicator catalogue, periods, reporting rounds, firm values with their
revision history, aggregates with coverage, observation panels, warnings and assessments."""

import datetime
from calendar import monthrange

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from weft.registry.models import BilingualName

VALUE_DIGITS = 20
VALUE_PLACES = 4


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Indicator(BilingualName, models.Model):
    """One statistical indicator of the catalogue (kept by the operator, shipped as data)."""

    class Kind(models.TextChoices):
        FLOW = "flow", _("Flow (summed over time)")
        STOCK = "stock", _("Stock (level at a point in time)")

    code = models.SlugField(max_length=40, unique=True, help_text="Stable English code.")
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=100)
    unit_zh = models.CharField(max_length=20, help_text="Unit in Chinese, e.g. 元, 吨标准煤.")
    unit_en = models.CharField(max_length=30, help_text="Unit in English, e.g. yuan, tce.")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.FLOW)
    period_kinds = models.JSONField(
        default=list, help_text="Period kinds this indicator may be reported for."
    )
    decimal_places = models.PositiveSmallIntegerField(
        default=2, help_text="0 means a whole number (employees, patents)."
    )
    rules = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            'Validation rules: {"min": 0, "not_above": "revenue", "yoy_change": 0.5, '
            '"peer_factor": 10}.'
        ),
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return self.name_zh

    @property
    def unit(self) -> str:
        from django.utils.translation import get_language

        return self.unit_en if (get_language() or "").startswith("en") else self.unit_zh


class Period(models.Model):
    """A calendar month, quarter or year."""

    kind = models.CharField(max_length=7, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(help_text="Month 1–12, quarter 1–4, or 1 for a year.")
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["kind", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "number"], name="one_period"),
        ]

    def __str__(self):
        return self.code

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @staticmethod
    def bounds(kind: str, year: int, number: int) -> tuple[datetime.date, datetime.date]:
        if kind == PeriodKind.YEAR:
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if kind == PeriodKind.QUARTER:
            first = 3 * (number - 1) + 1
            return datetime.date(year, first, 1), datetime.date(
                year, first + 2, monthrange(year, first + 2)[1]
            )
        return datetime.date(year, number, 1), datetime.date(
            year, number, monthrange(year, number)[1]
        )


class ReportingRound(models.Model):
    """A cluster office's call for figures: which indicators, for which period, from which firms."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    cluster = models.ForeignKey(
        "registry.Cluster", on_delete=models.CASCADE, related_name="reporting_rounds"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="rounds")
    indicators = models.ManyToManyField(Indicator, related_name="rounds")
    firms = models.ManyToManyField(
        "registry.Enterprise", related_name="reporting_rounds", help_text="Firms asked to report."
    )
    title = models.CharField(max_length=200, blank=True)
    deadline = models.DateField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return self.title or f"{self.cluster} {self.period}"


class Submission(models.Model):
    """A firm's answer to a round (its values are `Value` rows of the round's period)."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="submissions")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="stat_submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now=True)
    via = models.CharField(max_length=10, default="form", help_text="form, upload or api.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "enterprise"], name="one_submission_per_firm")
        ]

    def __str__(self):
        return f"{self.enterprise_id} → {self.round_id}"


class Value(models.Model):
    """One firm's figure for one indicator and period: the current revision."""

    # No single-column indexes on enterprise and indicator: the unique constraint and the
    # covering index start with them (fewer indexes to maintain on millions of figures).
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        on_delete=models.CASCADE,
        related_name="stat_values",
        db_index=False,
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "period"], name="one_value_per_firm_period"
            )
        ]
        indexes = [
            # Covering: a full recompute reads each (indicator, period) as one contiguous range
            # (SQLite), and a cluster's member figures are read from the index alone.
            models.Index(
                fields=["indicator", "period", "enterprise", "value"], name="stats_value_covering"
            )
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.indicator_id} {self.period_id} = {self.value}"


class ValueRevision(models.Model):
    """Every version of a value: who, when, why, and which soft warnings they confirmed."""

    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    previous = models.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)
    confirmed_warnings = models.JSONField(default=list, blank=True)
    via = models.CharField(max_length=10, default="form")

    class Meta:
        ordering = ["value", "revision"]

    def __str__(self):
        return f"{self.value_id} r{self.revision}"


class Aggregate(models.Model):
    """A total over reporting firms, with how many firms reported (coverage)."""

    class Level(models.TextChoices):
        CLUSTER = "cluster", _("Cluster")
        PROVINCE = "province", _("Province")
        NATION = "nation", _("Nation")
        INDUSTRY = "industry", _("Industry code")
        STAGE = "stage", _("Chain stage")
        # A cluster's breakdowns (key "<cluster id>:<code>"), for yearly periods only: location
        # quotients and shift-share read these instead of the member firms' figures.
        CLUSTER_STAGE = "cstage", format_lazy("{} × {}", _("Cluster"), _("Chain stage"))
        CLUSTER_INDUSTRY = "cind", format_lazy("{} × {}", _("Cluster"), _("Industry code"))

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="aggregates")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="aggregates")
    level = models.CharField(max_length=8, choices=Level.choices)
    key = models.CharField(
        max_length=40,
        help_text="Cluster id, province name, CN, industry division, stage code, or cluster id "
        "and division or stage code.",
    )
    total = models.DecimalField(max_digits=24, decimal_places=VALUE_PLACES)
    firms = models.PositiveIntegerField(help_text="Reporting firms behind the total (coverage).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "key", "indicator", "period"], name="one_aggregate"
            )
        ]
        # Every unit of a level for one indicator and period: rankings, maps, national shares.
        indexes = [
            models.Index(fields=["level", "indicator", "period"], name="stats_aggregate_level_ip")
        ]

    def __str__(self):
        return f"{self.level}:{self.key} {self.indicator_id} {self.period_id}"


class ObservationPoint(models.Model):
    """A firm on a cluster's observation panel: its monthly figures feed the barometer."""

    cluster = models.ForeignKey(
        "registry.Cluster", on_delete=models.CASCADE, related_name="observation_points"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="observation_points"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "enterprise"], name="one_point_per_firm")
        ]

    def __str__(self):
        return f"{self.cluster_id} ← {self.enterprise_id}"


class WarningRule(models.Model):
    """An early-warning rule, evaluated per cluster on its monthly aggregates."""

    class Kind(models.TextChoices):
        YOY_DROP_STREAK = "yoy_drop_streak", _("Down year on year for several months running")
        MARGIN_BELOW = "margin_below", _("Profit margin below a threshold")
        COVERAGE_DROP = "coverage_drop", _("Reporting coverage collapsing")
        ANOMALY = "anomaly", _("Statistical anomaly against the cluster's own history")

    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.CASCADE)
    threshold = models.DecimalField(
        max_digits=8, decimal_places=4, help_text="A fraction: 0.2 means 20%."
    )
    months = models.PositiveSmallIntegerField(default=3, help_text="How many months running.")
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.code


class ClusterWarning(models.Model):
    """A warning raised for a cluster; its office may acknowledge it with a note."""

    cluster = models.ForeignKey(
        "registry.Cluster", on_delete=models.CASCADE, related_name="stat_warnings"
    )
    rule = models.ForeignKey(WarningRule, on_delete=models.CASCADE, related_name="warnings")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    message_zh = models.CharField(max_length=300)
    message_en = models.CharField(max_length=300)
    observed = models.DecimalField(max_digits=24, decimal_places=VALUE_PLACES, null=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-period__year", "-period__number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "rule", "period"], name="one_warning")
        ]

    def __str__(self):
        return self.message_zh

    @property
    def message(self) -> str:
        from django.utils.translation import get_language

        return self.message_en if (get_language() or "").startswith("en") else self.message_zh


class Notice(models.Model):
    """An in-platform message to an organisation (round opened, reminder, warning raised), in both
    languages so each member reads it in their own."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="stat_notices"
    )
    subject = models.CharField(max_length=200, help_text="Subject in Chinese.")
    body = models.TextField(blank=True, help_text="Text in Chinese.")
    subject_en = models.CharField(max_length=200, blank=True, help_text="Subject in English.")
    body_en = models.TextField(blank=True, help_text="Text in English.")
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject

    def _english(self) -> bool:
        from django.utils.translation import get_language

        return (get_language() or "").startswith("en")

    @property
    def text_subject(self) -> str:
        return self.subject_en if self._english() and self.subject_en else self.subject

    @property
    def text_body(self) -> str:
        return self.body_en if self._english() and self.body_en else self.body


class RoundReminder(models.Model):
    """One reminder to one firm about one round on one day. The unique day keeps scheduled runs
    (cron, the task) and the office's button from reminding anybody twice a day."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the deadline")
        AFTER = "after", _("After the deadline")
        MANUAL = "manual", _("Sent by the cluster office")

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reminders")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="stat_reminders"
    )
    sent_on = models.DateField(help_text="The local day the reminder went out.")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    days_to_deadline = models.IntegerField(help_text="Negative once the deadline has passed.")
    emails = models.PositiveSmallIntegerField(default=0, help_text="E-mails sent to its members.")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "round", "enterprise"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "enterprise", "sent_on"], name="one_reminder_per_firm_day"
            )
        ]

    def __str__(self):
        return f"{self.round_id} → {self.enterprise_id} {self.sent_on}"


class AssessmentScheme(models.Model):
    """A versioned evaluation scheme: weighted indicators grouped in dimensions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published (frozen)")

    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_scheme_version")
        ]

    def __str__(self):
        return f"{self.name_zh} v{self.version}"


class SchemeItem(models.Model):
    """One measure in a scheme: which dimension, which metric, its weight and direction."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    dimension = models.CharField(max_length=30, help_text="scale, growth, innovation, green…")
    metric = models.CharField(max_length=40, help_text="A metric code from assessment.METRICS.")

    class Normalisation(models.TextChoices):
        MIN_MAX = "min_max", _("Min–max over the clusters assessed")
        PERCENTILE = "percentile", _("Percentile rank among the clusters assessed")

    weight = models.DecimalField(max_digits=6, decimal_places=3)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    normalisation = models.CharField(
        max_length=10,
        choices=Normalisation.choices,
        default=Normalisation.MIN_MAX,
        help_text="How a raw value becomes a score from 0 to 100.",
    )

    class Meta:
        ordering = ["scheme", "dimension", "metric"]

    def __str__(self):
        return f"{self.dimension}/{self.metric}"


class AssessmentRun(models.Model):
    """A scheme run for one year. Once published its results are frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="runs")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    run_at = models.DateTimeField(auto_now_add=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    medians = models.JSONField(default=dict, help_text="Median score per dimension.")

    class Meta:
        ordering = ["-year", "-run_at"]

    def __str__(self):
        return f"{self.scheme} {self.year}"


class AssessmentResult(models.Model):
    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="results")
    cluster = models.ForeignKey("registry.Cluster", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField()
    dimensions = models.JSONField(default=dict, help_text="Score 0–100 per dimension.")
    metrics = models.JSONField(default=dict, help_text="Raw metric values behind the scores.")
    feedback_zh = models.TextField(blank=True)
    feedback_en = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "cluster"], name="one_result")]

    def __str__(self):
        return f"{self.run_id} {self.cluster_id} #{self.rank}"
