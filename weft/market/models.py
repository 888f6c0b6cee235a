"""The sourcing marketplace: demands, spare capacity offers, quotes, awards, ratings.

Lifecycle rules live in services.py (one state machine); who sees what lives in
weft/accounts/permissions/market.py. Columns marked "derived" are kept by services for matching.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 2}


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    CLUSTER = "cluster", _("Firms of our cluster")
    INVITED = "invited", _("Invited firms only")


class Demand(models.Model):
    """What a firm needs made or supplied."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for quotes")
        AWARDED = "awarded", _("Awarded")
        IN_PRODUCTION = "in_production", _("In production")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    buyer = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="demands"
    )
    buyer_org = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="demands"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=120, help_text="One line: what is needed.")
    stage = models.CharField(max_length=32, help_text="Chain stage code of the supplier needed.")
    category = models.CharField(max_length=40, help_text="Product category code (vocabulary.py).")
    spec = models.TextField(blank=True, help_text="Free-text specification.")
    fibre_content = models.CharField(max_length=120, blank=True, help_text="e.g. 95% 棉 5% 氨纶")
    weight_gsm = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(2000)], help_text="Fabric g/m²."
    )
    width_cm = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(600)], help_text="Fabric width, cm."
    )
    colour = models.CharField(max_length=60, blank=True)
    size_range = models.CharField(max_length=60, blank=True, help_text="e.g. S–XXL")
    quantity = models.DecimalField(**QUANTITY, validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=8, help_text="Unit code of the quantity (vocabulary.UNITS).")
    target_price = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Yuan per unit, optional."
    )
    needed_by = models.DateField(help_text="Goods delivered by this date.")
    quote_deadline = models.DateTimeField(help_text="No quotes accepted after this moment.")
    delivery_address = models.CharField(max_length=300)
    delivery_province = models.CharField(max_length=20, blank=True)
    delivery_adcode = models.CharField(max_length=6, blank=True)
    delivery_lat = models.FloatField(null=True, blank=True)
    delivery_lon = models.FloatField(null=True, blank=True)
    certifications = models.ManyToManyField(
        "registry.Certification", blank=True, related_name="+", help_text="Supplier must hold all."
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    clusters = models.ManyToManyField(
        "registry.Cluster",
        blank=True,
        related_name="+",
        help_text="Derived: the buyer's approved clusters when posted ('own cluster' visibility).",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Hidden by a cluster office.")
    hidden_reason = models.CharField(max_length=300, blank=True)
    search_text = models.TextField(blank=True, help_text="Derived: normalised text for search.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "stage", "category"]),
            models.Index(fields=["buyer", "created_at"]),
            models.Index(fields=["status", "-published_at"]),
        ]

    def __str__(self):
        return self.title


class CapacityOffer(models.Model):
    """Spare capacity a firm offers ("shared factory")."""

    class Period(models.TextChoices):
        WEEK = "week", _("per week")
        MONTH = "month", _("per month")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("capacity offer status", "Open")
        CLOSED = "closed", _("Closed")

    supplier = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="capacity_offers"
    )
    supplier_org = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="capacity_offers"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=120)
    stage = models.CharField(max_length=32)
    categories = models.JSONField(default=list, help_text="Category codes of the stage.")
    description = models.TextField(blank=True)
    quantity = models.DecimalField(**QUANTITY, validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=8)
    period = models.CharField(max_length=5, choices=Period.choices)
    available_from = models.DateField()
    available_until = models.DateField()
    price = models.DecimalField(**MONEY, null=True, blank=True, help_text="Indicative, yuan/unit.")
    min_order = models.DecimalField(**QUANTITY, default=0, help_text="In the offer's unit.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    # Derived columns for matching in the database (services.refresh_offer_index).
    category_tokens = models.CharField(max_length=400, blank=True, help_text="Derived.")
    daily_capacity = models.FloatField(default=0, help_text="Derived: quantity per day.")
    start_day = models.IntegerField(default=0, help_text="Derived: available_from ordinal.")
    end_day = models.IntegerField(default=0, help_text="Derived: available_until ordinal.")
    geo_x = models.FloatField(null=True, blank=True, help_text="Derived: unit vector of location.")
    geo_y = models.FloatField(null=True, blank=True)
    geo_z = models.FloatField(null=True, blank=True)
    province_code = models.CharField(max_length=2, blank=True, help_text="Derived.")
    cluster_tokens = models.CharField(max_length=400, blank=True, help_text="Derived: ' c:1 '.")
    cert_tokens = models.CharField(max_length=400, blank=True, help_text="Derived: ' gots '.")
    green_score = models.FloatField(default=0, help_text="Derived: CSR/green credentials 0–1.")
    history_score = models.FloatField(default=0.6, help_text="Derived: ratings on Weft 0–1.")
    search_text = models.TextField(blank=True, help_text="Derived.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The hard filters of matching: status, stage, then the date window.
            models.Index(fields=["status", "stage", "end_day"], name="market_offer_match"),
            models.Index(fields=["supplier", "created_at"]),
        ]

    def __str__(self):
        return self.title


class Invitation(models.Model):
    """A buyer invites a firm to quote; an invited firm may see an invited-only demand."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="invitations")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["demand", "enterprise"], name="one_invitation_per_firm")
        ]

    def __str__(self):
        return f"{self.enterprise_id} invited to {self.demand_id}"


class Quote(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        AWARDED = "awarded", _("Awarded")
        NOT_AWARDED = "not_awarded", _("Not awarded")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="quotes")
    supplier = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+")
    supplier_org = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="quotes"
    )
    offer = models.ForeignKey(
        CapacityOffer, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_price = models.DecimalField(**MONEY, help_text="Yuan per unit of the demand.")
    quantity = models.DecimalField(**QUANTITY, help_text="In the demand's unit.")
    lead_time_days = models.PositiveIntegerField(validators=[MaxValueValidator(730)])
    valid_until = models.DateField()
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_price", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "supplier"],
                condition=models.Q(status="submitted"),
                name="one_live_quote_per_supplier",
            )
        ]

    def __str__(self):
        return f"{self.supplier} → {self.demand} @ {self.unit_price}"

    @property
    def total(self):
        return self.unit_price * self.quantity


class Award(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="awards")
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="award")
    quantity = models.DecimalField(**QUANTITY, help_text="Awarded quantity, demand's unit.")
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.quote.supplier} × {self.quantity}"


class Rating(models.Model):
    """After delivery each side rates the other; supplier ratings feed the match score."""

    class Side(models.TextChoices):
        OF_SUPPLIER = "of_supplier", _("Buyer rates supplier")
        OF_BUYER = "of_buyer", _("Supplier rates buyer")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="ratings")
    side = models.CharField(max_length=12, choices=Side.choices)
    ratee = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="+")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_time = models.BooleanField(help_text="Delivered (or paid) on time.")
    quality = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1–5."
    )
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["award", "side"], name="one_rating_per_side")
        ]

    def __str__(self):
        return f"{self.side} {self.quality}/5"


class Attachment(models.Model):
    """A tech pack, photo or spreadsheet on a demand or a quote (type and size checked)."""

    demand = models.ForeignKey(
        Demand, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="market/%Y/%m/")
    name = models.CharField(max_length=200, help_text="The uploaded file's name.")
    content_type = models.CharField(max_length=100, help_text="Detected from the content.")
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(demand__isnull=False, quote__isnull=True)
                | models.Q(demand__isnull=True, quote__isnull=False),
                name="attachment_has_one_owner",
            )
        ]

    def __str__(self):
        return self.name


class Transition(models.Model):
    """Every status change of a demand, in order."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class Report(models.Model):
    """A flag on a demand or an offer, for the poster's cluster office to decide."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the cluster office")
        HIDDEN = "hidden", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    demand = models.ForeignKey(
        Demand, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    offer = models.ForeignKey(
        CapacityOffer, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"report on {self.post}"

    @property
    def post(self):
        return self.demand or self.offer


class SavedSearch(models.Model):
    class Kind(models.TextChoices):
        DEMANDS = "demands", _("Demands")
        OFFERS = "offers", _("Capacity offers")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="market_searches"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DEMANDS)
    filters = models.JSONField(default=dict, help_text="q, stage, category, cluster, province.")
    notify = models.BooleanField(default=True, help_text="Tell me about new posts that fit.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Notification(models.Model):
    """A message in the platform (and usually by email too)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="market_notifications"
    )
    kind = models.CharField(max_length=20, help_text="strong_match, invitation, saved_search, …")
    message_zh = models.CharField(max_length=300)
    message_en = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.message_zh

    @property
    def message(self) -> str:
        return self.message_en if (get_language() or "").startswith("en") else self.message_zh


class SupplierRecord(models.Model):
    """A firm's history on Weft as a supplier, summed from ratings."""

    enterprise = models.OneToOneField(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="supplier_record"
    )
    ratings = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    quality_sum = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.enterprise_id}: {self.ratings} ratings"


class SupplierCapability(models.Model):
    """Derived: what a firm can make (stage, category) with the columns matching scores on.

    One row per firm, stage and category, kept by `services.refresh_capabilities` from the firm's
    declared stages, main products and past capacity offers. Lets matching rank firms that have
    no open capacity offer, with one indexed lookup instead of joins over the whole registry.
    """

    # No index of its own: the one-capability-per-category constraint's index begins with it.
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        on_delete=models.CASCADE,
        related_name="market_capabilities",
        db_index=False,
    )
    stage = models.CharField(max_length=32, help_text="Chain stage code.")
    category = models.CharField(max_length=40, help_text="Category code of the stage.")
    geo_x = models.FloatField(null=True, blank=True, help_text="Derived: unit vector of location.")
    geo_y = models.FloatField(null=True, blank=True)
    geo_z = models.FloatField(null=True, blank=True)
    province_code = models.CharField(max_length=2, blank=True, help_text="Derived.")
    cluster_tokens = models.CharField(max_length=400, blank=True, help_text="Derived: ' c:1 '.")
    cert_tokens = models.CharField(max_length=400, blank=True, help_text="Derived: ' gots '.")
    green_score = models.FloatField(default=0, help_text="Derived: CSR/green credentials 0–1.")
    history_score = models.FloatField(default=0.6, help_text="Derived: ratings on Weft 0–1.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "stage", "category"], name="one_capability_per_category"
            )
        ]
        indexes = [models.Index(fields=["stage", "category"], name="market_capability_match")]

    def __str__(self):
        return f"{self.enterprise_id}: {self.stage}/{self.category}"


class CapabilityVersion(models.Model):
    """Derived: bumped whenever a stage and category's SupplierCapability rows change, so each
    process's in-memory ranking (firm_index.py) knows with one key look-up to reload them."""

    stage = models.CharField(max_length=32)
    category = models.CharField(max_length=40)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "category"], name="one_version_per_category")
        ]

    def __str__(self):
        return f"{self.stage}/{self.category} v{self.version}"
