from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from weft.events.models import Event


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def at(days, hour=9):
    return timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=days), time(hour))
    )


def make_event(cluster, *, kind="exhibition", title="虎门服交会", days=10, length=1, **extra):
    return Event.objects.create(
        cluster=cluster,
        kind=kind,
        title=title,
        starts_at=at(days),
        ends_at=at(days + length - 1, 17),
        place="虎门会展中心",
        organiser=cluster.office,
        **extra,
    )


@pytest.fixture(autouse=True)
def _english_messages():
    # Services raise messages in the active language; an earlier test may have left another one.
    with translation.override("en"):
        yield
