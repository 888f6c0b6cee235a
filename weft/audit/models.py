from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One write that matters: who did what to which object, with the fields before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")

    at = models.DateTimeField(
        auto_now_add=True, db_index=True, help_text="When the write happened."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made the write; empty for system jobs such as the demo generator.",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=64, help_text="app_label.model of the object.")
    object_id = models.CharField(max_length=64, help_text="Primary key of the object.")
    object_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True, help_text="Changed fields before the write.")
    after = models.JSONField(null=True, blank=True, help_text="Changed fields after the write.")
    reason = models.CharField(max_length=255, blank=True, help_text="Why, when the caller says.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
