"""Cluster calendar (exhibitions, design competitions, forums, training days), news posts and
regional brands. Chain docking conferences live in the chain app, not here."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    class Kind(models.TextChoices):
        EXHIBITION = "exhibition", _("Exhibition")
        COMPETITION = "competition", _("Design competition")
        FORUM = "forum", _("Forum")
        TRAINING = "training", _("Training day")

    cluster = models.ForeignKey(
        "registry.Cluster",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        help_text="Empty for a national event published by the operator.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, db_index=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    organiser = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="events"
    )
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="judged_events",
        help_text="Scorers of a design competition.",
    )
    entries_close_at = models.DateTimeField(
        null=True, blank=True, help_text="Competitions: last moment to enter."
    )
    results_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self):
        return self.title


def entry_path(instance, filename):
    return f"events/entries/{instance.event_id}/{filename}"


class Entry(models.Model):
    """A design submitted to a competition, with its image."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    entrant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competition_entries"
    )
    title = models.CharField(max_length=200)
    statement = models.TextField(blank=True, help_text="The designer's description.")
    image = models.FileField(upload_to=entry_path)
    content_type = models.CharField(max_length=20)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "entrant"], name="one_entry_per_person")
        ]

    def __str__(self):
        return self.title


class Score(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    points = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)], help_text="0–100."
    )
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge"], name="one_score_per_judge")
        ]

    def __str__(self):
        return f"{self.entry}: {self.points}"


class NewsPost(models.Model):
    author_org = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="news_posts"
    )
    cluster = models.ForeignKey(
        "registry.Cluster", null=True, blank=True, on_delete=models.SET_NULL, related_name="news"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title


class RegionalBrand(models.Model):
    """A cluster's regional brand: its story and collective trademark (集体商标)."""

    cluster = models.OneToOneField(
        "registry.Cluster", on_delete=models.CASCADE, related_name="regional_brand"
    )
    name = models.CharField(max_length=100, help_text="e.g. 虎门服装.")
    story = models.TextField(blank=True)
    trademark = models.CharField(max_length=100, blank=True, help_text="The collective trademark.")
    trademark_number = models.CharField(max_length=30, blank=True, help_text="Registration number.")
    trademark_classes = models.CharField(
        max_length=50, blank=True, help_text="Nice classes, e.g. 25."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name


class BrandLicence(models.Model):
    """A member firm allowed to use the collective trademark, for the products named."""

    brand = models.ForeignKey(RegionalBrand, on_delete=models.CASCADE, related_name="licences")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="brand_licences"
    )
    products = models.CharField(max_length=300, help_text="Products that may carry the mark.")
    granted_on = models.DateField()

    class Meta:
        ordering = ["granted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "enterprise"], name="one_licence_per_firm")
        ]

    def __str__(self):
        return f"{self.brand} → {self.enterprise}"
