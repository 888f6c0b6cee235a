"""Service catalogue, service orders, voucher programmes and the double-entry ledger behind them.

Money is Decimal yuan with two places (to the fen). Ledger entries are append-only: the model
refuses updates and deletes, and database triggers refuse them too (see migration 0002).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

FEN = Decimal("0.01")
MONEY = {"max_digits": 14, "decimal_places": 2}

# CNAS accreditation numbers: laboratories L1234, inspection bodies IB0123, certification bodies
# C123-M, proficiency-testing providers PT0012, reference-material producers RM0012.
CNAS_RE = re.compile(r"^CNAS\s?(L\d{4,5}|IB\d{4}|C\d{3}-[A-Z]|PT\d{4}|RM\d{4})$")


def validate_cnas(value: str) -> None:
    if value and not CNAS_RE.match(value.strip().upper()):
        raise ValidationError(
            _(
                "“%(value)s” is not a CNAS accreditation number; it looks like CNAS L1234 "
                "(laboratory), CNAS IB0123 (inspection body) or CNAS C123-M (certification body)."
            ),
            params={"value": value},
            code="cnas_format",
        )


def validate_money(value: Decimal) -> None:
    if value is not None and value != value.quantize(FEN):
        raise ValidationError(
            _("Amounts are in yuan to the fen (two decimal places): %(value)s has more."),
            params={"value": value},
            code="money_precision",
        )


def bilingual(obj, field: str) -> str:
    lang = get_language() or "zh-hans"
    if lang.startswith("en") and getattr(obj, f"{field}_en", ""):
        return getattr(obj, f"{field}_en")
    return getattr(obj, f"{field}_zh")


class Category(models.TextChoices):
    TESTING = "testing", _("Testing and certification")
    DESIGN = "design", _("Design")
    RND = "rnd", _("Research and development")
    FINANCING = "financing", _("Financing and guarantee")
    TRAINING = "training", _("Training")
    IP_LEGAL = "ip_legal", _("Intellectual property and legal")
    CLOUD = "cloud", _("Cloud and industrial-internet software")
    ECOMMERCE = "ecommerce", _("E-commerce operations")
    LOGISTICS = "logistics", _("Logistics")
    EXHIBITION = "exhibition", _("Exhibitions and marketing")
    CSR_AUDIT = "csr_audit", _("Social-responsibility audit")


# --- catalogue ---------------------------------------------------------------------------------


class Service(models.Model):
    """A service a provider offers, at a price per unit or on quotation."""

    provider = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        help_text="The service-provider organisation offering it.",
    )
    category = models.CharField(max_length=20, choices=Category.choices, db_index=True)
    title_zh = models.CharField(max_length=200, help_text="Title in Chinese.")
    title_en = models.CharField(max_length=200, blank=True, help_text="Title in English.")
    description = models.TextField(blank=True)
    price = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), validate_money],
        help_text="Price in yuan per unit; empty means on quotation.",
    )
    price_unit = models.CharField(
        max_length=30, blank=True, help_text="What the price is for: per sample, per day, per year…"
    )
    turnaround_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Usual working days from request to delivery."
    )
    area_served = models.CharField(
        max_length=100, blank=True, help_text="Where the service is offered, e.g. 全国 or 广东省."
    )
    cnas_number = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_cnas],
        help_text="CNAS accreditation number, e.g. CNAS L1234.",
    )
    qualifications = models.TextField(blank=True, help_text="Other accreditations and licences.")
    is_active = models.BooleanField(default=True, help_text="Shown in the catalogue.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "title_zh"]

    def __str__(self):
        return self.title_zh

    @property
    def title(self) -> str:
        return bilingual(self, "title")

    @property
    def on_quotation(self) -> bool:
        return self.price is None


# --- orders ------------------------------------------------------------------------------------


class ServiceOrder(models.Model):
    """A firm's request for a service, through quote, delivery and confirmation (see orders.py)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("service order status", "Requested")
        QUOTED = "quoted", _("Quoted")
        ACCEPTED = "accepted", pgettext_lazy("service order status", "Accepted")
        DELIVERED = "delivered", pgettext_lazy("service order status", "Delivered")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        DISPUTED = "disputed", _("Disputed")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="orders")
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="service_orders_received"
    )
    firm = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="service_orders_placed",
        help_text="The enterprise organisation ordering.",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    request_note = models.TextField(blank=True, help_text="What the firm needs.")
    quote_amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Quoted total in yuan."
    )
    quote_note = models.TextField(blank=True)
    delivery_note = models.TextField(blank=True)
    deliverable = models.FileField(upload_to="services/deliverables/%Y/%m/", blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    review = models.TextField(blank=True)
    dispute_reason = models.TextField(blank=True)
    dispute_raised_by = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_before_dispute = models.CharField(max_length=12, blank=True)
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "status"]), models.Index(fields=["firm"])]

    def __str__(self):
        return f"#{self.pk} {self.service}"


class OrderEvent(models.Model):
    """One step of an order, as it happened: who, when, from which status to which."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"#{self.order_id} {self.action} → {self.to_status}"


# --- vouchers ----------------------------------------------------------------------------------


class VoucherProgramme(models.Model):
    """A subsidy programme run by an issuer (the operator or a cluster office)."""

    issuer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="voucher_programmes"
    )
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    budget = models.DecimalField(
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01")), validate_money],
        help_text="Total budget in yuan, funded into the ledger when the programme is created.",
    )
    subsidy_ratio = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("1"))],
        help_text="Share of an order's amount the voucher pays, e.g. 0.30.",
    )
    cap_per_firm_year = models.DecimalField(
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01")), validate_money],
        help_text="Most a firm may be granted in one calendar year, in yuan.",
    )
    categories = models.JSONField(
        default=list, blank=True, help_text="Eligible service categories; empty means all."
    )
    providers = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="+",
        help_text="Eligible providers; none means any provider.",
    )
    clusters = models.ManyToManyField(
        "registry.Cluster",
        blank=True,
        related_name="voucher_programmes",
        help_text="Firms must be approved members of one of these; none means any firm.",
    )
    max_employees = models.PositiveIntegerField(
        null=True, blank=True, help_text="Firms with more employees are not eligible."
    )
    max_revenue = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="Firms declaring a larger last-year revenue (yuan) are not eligible.",
    )
    apply_from = models.DateField(help_text="First day applications are taken.")
    apply_until = models.DateField(help_text="Last day applications are taken.")
    validity_days = models.PositiveIntegerField(
        default=180, help_text="Days a granted voucher stays valid."
    )
    auto_approve = models.BooleanField(
        default=False, help_text="Grant eligible applications at once, without a person deciding."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name_zh

    @property
    def name(self) -> str:
        return bilingual(self, "name")


class VoucherApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="applications"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="voucher_applications"
    )
    amount = models.DecimalField(
        **MONEY, validators=[validate_money], help_text="Amount asked for, in yuan."
    )
    declared_revenue = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Last year's revenue as the firm declares it."
    )
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "firm"],
                condition=models.Q(status="pending"),
                name="one_pending_application_per_firm",
            )
        ]

    def __str__(self):
        return f"{self.firm} → {self.programme}"


class Voucher(models.Model):
    """A granted entitlement: the firm may have up to `amount` of orders subsidised until expiry.
    Its balance lives in the ledger (account kind VOUCHER)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")

    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="vouchers"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="vouchers"
    )
    application = models.OneToOneField(
        VoucherApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="voucher"
    )
    amount = models.DecimalField(**MONEY, help_text="Granted amount in yuan.")
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(help_text="Last day the voucher can be used.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )

    class Meta:
        ordering = ["-granted_at", "-id"]

    def __str__(self):
        return f"V{self.pk} {self.firm} ¥{self.amount}"


class Redemption(models.Model):
    """A voucher paying part of one order. At most one live redemption per order."""

    class Status(models.TextChoices):
        HELD = "held", _("Held until the firm confirms")
        EARNED = "earned", _("Earned by the provider")
        REVERSED = "reversed", _("Returned")

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="redemptions"
    )
    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="redemptions")
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    order_amount = models.DecimalField(**MONEY)
    subsidy = models.DecimalField(**MONEY, help_text="What the voucher pays, in yuan.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    settlement = models.ForeignKey(
        "Settlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="redemptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=~models.Q(status="reversed"),
                name="one_live_redemption_per_order",
            )
        ]

    def __str__(self):
        return f"R{self.pk} order #{self.order_id} ¥{self.subsidy}"


class Settlement(models.Model):
    """A provider's claim for the subsidies it has earned under one programme."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="settlements"
    )
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="settlements"
    )
    amount = models.DecimalField(**MONEY)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.CLAIMED, db_index=True
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]

    def __str__(self):
        return f"S{self.pk} {self.provider} ¥{self.amount}"


class IdempotencyRecord(models.Model):
    """The first answer to a money-moving request, replayed when the same key comes again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40, help_text="Which operation, e.g. redeem.")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, help_text="Hash of the request's arguments.")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="one_answer_per_key")
        ]

    def __str__(self):
        return f"{self.scope}:{self.key}"


# --- ledger ------------------------------------------------------------------------------------


class Account(models.Model):
    """A ledger account. `balance` is debit-positive and kept in step with the entries (checked
    by ledger.verify); natural balances are shown by kind."""

    class Kind(models.TextChoices):
        FUNDING = "funding", _("Programme funding")  # credit: what the issuer put in
        BUDGET = "budget", _("Programme budget remaining")
        COMMITTED = "committed", _("Subsidies held for open orders")
        RECEIVABLE = "receivable", _("Provider receivable")
        CLAIMED = "claimed", _("Settlement claimed")
        PAID = "paid", _("Settlements paid")
        ENTITLEMENT = "entitlement", _("Vouchers granted (contra)")  # credit
        VOUCHER = "voucher", _("Granted voucher")

    CREDIT_NORMAL = {Kind.FUNDING, Kind.ENTITLEMENT}

    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="accounts"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The provider (receivable, claimed, paid) or firm (voucher).",
    )
    voucher = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    balance = models.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.code

    @property
    def natural_balance(self) -> Decimal:
        return -self.balance if self.kind in self.CREDIT_NORMAL else self.balance


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger records are append-only; post a reversal instead.")

    def delete(self):
        raise TypeError("Ledger records are append-only; post a reversal instead.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Ledger records are append-only; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger records are append-only; post a reversal instead.")


class LedgerTransaction(AppendOnly):
    """One balanced set of entries: the sum of its entries is zero, to the fen."""

    class Kind(models.TextChoices):
        FUND = "fund", _("Programme funded")
        GRANT = "grant", _("Voucher granted")
        REDEEM = "redeem", _("Voucher redeemed on an order")
        EARN = "earn", _("Order confirmed: subsidy earned")
        EXPIRE = "expire", _("Voucher expired")
        CLAIM = "claim", _("Settlement claimed")
        PAY = "pay", _("Settlement paid")
        REVERSAL = "reversal", _("Reversal")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="transactions"
    )
    memo = models.CharField(max_length=255, blank=True)
    reference = models.CharField(
        max_length=40, blank=True, help_text="What it is about: order:12, voucher:3, settlement:4."
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"T{self.pk} {self.kind} {self.reference}"


class Entry(AppendOnly):
    """A debit (positive) or credit (negative) of one account within one transaction."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(**MONEY, help_text="Debit positive, credit negative, yuan.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="entry_amount_not_zero")
        ]

    def __str__(self):
        return f"T{self.transaction_id} {self.account_id} {self.amount}"
