import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. What they may do comes from their memberships, never from flags on the user."""

    language = models.CharField(
        max_length=10,
        blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        help_text="Preferred language; empty means follow the browser.",
    )
    display_name = models.CharField(max_length=100, blank=True, help_text="Name shown to others.")

    def __str__(self):
        return self.display_name or self.username


class Organisation(models.Model):
    """A party acting in Weft: an enterprise, a service provider, a cluster office or the operator."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        SERVICE_PROVIDER = "service_provider", _("Service provider")
        CLUSTER_OFFICE = "cluster_office", _("Cluster office")
        OPERATOR = "operator", _("Operator")

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    name_zh = models.CharField(max_length=200, help_text="Name in Chinese.")
    name_en = models.CharField(max_length=200, blank=True, help_text="Name in English.")
    enterprise = models.OneToOneField(
        "registry.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
        help_text="For kind=enterprise: the registry record this organisation speaks for.",
    )
    is_demo = models.BooleanField(default=False, help_text="Part of the synthetic demo data.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_zh"]

    def __str__(self):
        return self.name_zh


class Membership(models.Model):
    """A user's role in one organisation."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class ApiToken(models.Model):
    """A bearer token for machines. Only its SHA-256 is stored; the secret is shown once."""

    PREFIX_LEN = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    prefix = models.CharField(max_length=PREFIX_LEN, db_index=True, help_text="Public lookup part.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the whole token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return "wft_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
