from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .fields import TokenListField


class BilingualName:
    """`name` picks the Chinese or English name by the active language, falling back to Chinese."""

    @property
    def name(self) -> str:
        lang = get_language() or "zh-hans"
        if lang.startswith("en") and getattr(self, "name_en", ""):
            return self.name_en
        return self.name_zh


class ChainStage(BilingualName, models.Model):
    """A stage of the textile and apparel chain (fixed vocabulary, see DESIGN.md)."""

    code = models.SlugField(max_length=32, unique=True, help_text="Stable English code.")
    name_zh = models.CharField(max_length=50)
    name_en = models.CharField(max_length=50)
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Position along the chain.")
    capacity_unit = models.CharField(
        max_length=20, blank=True, help_text="Usual unit of capacity at this stage."
    )

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class IndustryCode(BilingualName, models.Model):
    """A GB/T 4754-2017 code: division (2 digits), group (3) or class (4)."""

    class Level(models.TextChoices):
        DIVISION = "division", _("Division")
        GROUP = "group", _("Group")
        CLASS = "class", _("Class")

    code = models.CharField(max_length=4, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Certification(BilingualName, models.Model):
    """A certification or standard a firm may hold (GOTS, OEKO-TEX 100, CSC9000T, ...)."""

    code = models.SlugField(max_length=32, unique=True)
    name_en = models.CharField(max_length=100, help_text="Official name.")
    name_zh = models.CharField(max_length=100)
    issuer = models.CharField(max_length=200, blank=True)
    area = models.CharField(max_length=20, blank=True, help_text="environment, social, quality…")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name_en


class Cluster(BilingualName, models.Model):
    """An industrial cluster: a named place with a specialty, member firms and a cluster office."""

    slug = models.SlugField(max_length=50, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150)
    place_zh = models.CharField(max_length=50, blank=True, help_text="Town or county, e.g. 虎门镇.")
    province = models.CharField(max_length=20, db_index=True)
    prefecture = models.CharField(max_length=30)
    county = models.CharField(max_length=30, blank=True)
    town = models.CharField(max_length=30, blank=True)
    adcode = models.CharField(max_length=6, help_text="County-level administrative code.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    specialty_zh = models.CharField(max_length=50)
    specialty_en = models.CharField(max_length=80)
    stages = models.ManyToManyField(ChainStage, blank=True, related_name="clusters")
    primary_stages = models.JSONField(
        default=list, blank=True, help_text="Codes of the cluster's core stages."
    )
    industry_divisions = models.JSONField(default=list, blank=True)
    is_pilot = models.BooleanField(default=False, help_text="A national cluster pilot.")
    pilot_year = models.PositiveSmallIntegerField(null=True, blank=True)
    office = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clusters_managed",
        help_text="The cluster office (management committee) organisation.",
    )
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    size_weight = models.PositiveIntegerField(
        default=100, help_text="Approximate number of textile firms, as publicly reported."
    )
    source_note = models.TextField(blank=True, help_text="Where these facts come from.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["province", "slug"]

    def __str__(self):
        return self.name_zh

    @property
    def specialty(self) -> str:
        lang = get_language() or "zh-hans"
        return self.specialty_en if lang.startswith("en") else self.specialty_zh

    @property
    def description(self) -> str:
        lang = get_language() or "zh-hans"
        return self.description_en if lang.startswith("en") else self.description_zh


class Enterprise(BilingualName, models.Model):
    """A firm in the registry. It may or may not have an organisation of users speaking for it."""

    class LegalForm(models.TextChoices):
        LIMITED = "limited", _("Limited liability company")
        JOINT_STOCK = "joint_stock", _("Joint-stock company")
        SOLE_PROPRIETORSHIP = "sole_proprietorship", _("Sole proprietorship")
        PARTNERSHIP = "partnership", _("Partnership")
        INDIVIDUAL = "individual", _("Individual business")
        BRANCH = "branch", _("Branch")
        COOPERATIVE = "cooperative", _("Cooperative")
        OTHER = "other", _("Other")

    class SizeBand(models.TextChoices):
        # Employee bands of the national rule for classifying industrial enterprises (统计上大中小微型企业划分).
        MICRO = "micro", _("Micro (<20)")
        SMALL = "small", _("Small (20–299)")
        MEDIUM = "medium", _("Medium (300–999)")
        LARGE = "large", _("Large (1000+)")

    class CapacityPeriod(models.TextChoices):
        DAY = "day", _("per day")
        WEEK = "week", _("per week")
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    class Source(models.TextChoices):
        SELF = "self", _("Registered by the firm")
        CLUSTER_OFFICE = "cluster_office", _("Supplied by a cluster office")
        OPERATOR = "operator", _("Supplied by the operator")
        IMPORT = "import", _("Bulk import")
        DEMO = "demo", _("Demo generator")

    class GeocodePrecision(models.TextChoices):
        NONE = "none", _("Not located")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        REGISTERED = "registered", _("Signed-in users")
        PRIVATE = "private", _("Only the firm and its cluster office")

    CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")

    uscc = models.CharField(
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        help_text="Unified social credit code (统一社会信用代码), validated, unique when present.",
    )
    name_zh = models.CharField(max_length=200, help_text="Registered Chinese name.")
    name_en = models.CharField(max_length=200, blank=True)
    # Indexed in Meta: db_index would add, on PostgreSQL, a second index for LIKE that nothing
    # uses and every write keeps.
    name_sort = models.CharField(
        max_length=400, blank=True, help_text="Pinyin of the name, for sorting."
    )
    # Nullable: on SQLite, adding a NOT NULL column rebuilds the table, which drops its
    # triggers (the search index's and the directory version's).
    match_key = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        editable=False,
        help_text="The name as bulk imports match it (naming.match_key of the name and adcode); "
        "set with name_sort by every write, so an import need not compute it for every firm. "
        "Empty: computed when needed.",
    )
    legal_form = models.CharField(
        max_length=20, choices=LegalForm.choices, default=LegalForm.LIMITED
    )
    address = models.CharField(max_length=300, blank=True)
    province = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=30, blank=True)
    county = models.CharField(max_length=30, blank=True)
    adcode = models.CharField(max_length=6, blank=True, help_text="From offline geocoding.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    geocode_precision = models.CharField(
        max_length=10, choices=GeocodePrecision.choices, default=GeocodePrecision.NONE
    )
    clusters = models.ManyToManyField(
        Cluster, through="ClusterMembership", related_name="enterprises", blank=True
    )
    stages = models.ManyToManyField(ChainStage, blank=True, related_name="enterprises")
    industry_codes = models.ManyToManyField(IndustryCode, blank=True, related_name="enterprises")
    certifications = models.ManyToManyField(Certification, blank=True, related_name="enterprises")
    main_products = models.CharField(max_length=500, blank=True)
    capacity_quantity = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    capacity_unit = models.CharField(max_length=20, blank=True, help_text="pieces, metres, tonnes…")
    capacity_period = models.CharField(max_length=5, choices=CapacityPeriod.choices, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    # Not indexed: the directory filters by size band through the search tokens (sz:…).
    size_band = models.CharField(max_length=6, choices=SizeBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    ecommerce_channels = models.JSONField(default=list, blank=True, help_text="Tmall, JD, 1688…")
    website = models.URLField(blank=True)
    contact_name = models.CharField(max_length=50, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_visibility = models.JSONField(
        default=dict, blank=True, help_text="Per contact field: public, registered or private."
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SELF)
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who supplied the record.",
    )
    supplied_by_org = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="On behalf of which organisation.",
    )
    supplied_at = models.DateTimeField(null=True, blank=True)
    field_provenance = models.JSONField(
        default=dict, blank=True, help_text="Per field: who supplied the current value and when."
    )
    is_demo = models.BooleanField(default=False, help_text="Synthetic demo data.")
    search_text = models.TextField(blank=True, help_text="Normalised text the directory searches.")
    search_tokens = TokenListField(
        blank=True, default=list, help_text="Text n-grams and facet tokens; see search.py."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_sort", "id"]
        indexes = [models.Index(fields=["name_sort"], name="registry_enterprise_name_sort")]

    def __str__(self):
        return self.name_zh

    def contact_visibility_of(self, field: str) -> str:
        return self.contact_visibility.get(field, self.Visibility.PRIVATE)


class ClusterMembership(models.Model):
    """An enterprise's membership of a cluster; a request until the cluster office decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # No index of their own: the (enterprise, cluster) and (cluster, status) indexes begin with
    # them (one index less to keep per membership a bulk import writes).
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="cluster_memberships", db_index=False
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Reason given with the decision.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "cluster"], name="one_membership_per_cluster"
            )
        ]
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self):
        return f"{self.enterprise} ∈ {self.cluster} ({self.status})"


class DirectoryVersion(models.Model):
    """One row whose `token` changes whenever the directory's tables change.

    Database triggers (migration 0004) write it, so every path that writes firms, their stages,
    memberships or clusters changes it, raw SQL and bulk imports included. Cached directory
    answers are keyed by it: a write makes them unreachable the moment it commits.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField(
        default=0,
        help_text="A random number, new after every committed write to the directory's tables "
        "(random rather than counted, so a rolled-back or restored database never repeats one).",
    )
    # Here rather than read from the snapshots' table, so the directory's state is one row's
    # read by its key, on every directory request (index_selectors.directory_state).
    snapshot_id = models.BigIntegerField(
        null=True, blank=True, help_text="The newest directory index snapshot, once one is built."
    )
    snapshot_token = models.BigIntegerField(
        null=True, blank=True, help_text="That snapshot's token."
    )

    def __str__(self):
        return f"directory version {self.token}"


class DirectoryChange(models.Model):
    """A firm whose searchable or listed columns changed: written by database triggers
    (migrations 0010 and 0012) on every insert and delete, every update of what the index holds
    or a directory row shows, and every write to its stages or cluster memberships, whatever
    path wrote it. Firms changed since the in-memory index was built are searched in the
    database instead (see directory_index.py)."""

    enterprise_id = models.BigIntegerField(help_text="The firm (it may since have been deleted).")
    seq = models.BigIntegerField(
        db_index=True,
        help_text="When, in the order the index's watermark counts: on PostgreSQL the writing "
        "transaction's id, on SQLite one more than the last change's.",
    )

    def __str__(self):
        return f"directory change {self.seq}: firm {self.enterprise_id}"


class DirectoryIndexSnapshot(models.Model):
    """One build of the directory's in-memory index, loaded by every web process (see
    directory_index.py and services.build_directory_index)."""

    token = models.BigIntegerField(
        help_text="Random, so a process never mistakes another database's snapshot for its own."
    )
    built_at = models.DateTimeField(auto_now_add=True)
    watermark = models.BigIntegerField(
        help_text="Changes with a seq from this on may be missing from the snapshot."
    )
    horizon = models.TextField(
        blank=True,
        default="",
        help_text="On PostgreSQL, the transaction snapshot (pg_snapshot) taken before the firms "
        "were read: of the changes from the watermark on, those of transactions it shows as "
        "committed are in the snapshot. Empty on SQLite, where the watermark alone is exact.",
    )
    firms = models.PositiveIntegerField(help_text="Firms in the snapshot.")
    seconds = models.FloatField(help_text="How long the build took.")
    data = models.BinaryField(help_text="The index, as DirectoryIndex.dumps writes it.")

    class Meta:
        get_latest_by = "id"

    def __str__(self):
        return f"directory index of {self.firms:,} firms, {self.built_at:%Y-%m-%d %H:%M}"
