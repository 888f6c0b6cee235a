import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from weft.talent.models import Course, Job, Role, TalentProfile


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def png_upload(name="work.png", size=(40, 30), fmt="PNG") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def make_course(provider, *, seats=2, cluster=None, **extra) -> Course:
    today = timezone.localdate()
    return Course.objects.create(
        provider=provider,
        cluster=cluster,
        title=extra.pop("title", "制版提高班"),
        topic="制版",
        starts_on=extra.pop("starts_on", today + timedelta(days=7)),
        ends_on=extra.pop("ends_on", today + timedelta(days=8)),
        place="虎门镇",
        seats=seats,
        fee=Decimal("300.00"),
        **extra,
    )


def make_job(firm, cluster, *, role=Role.DESIGNER, openings=1, **extra) -> Job:
    return Job.objects.create(
        enterprise=firm,
        cluster=cluster,
        role=role,
        title=extra.pop("title", "女装设计师"),
        openings=openings,
        pay_min=Decimal("8000"),
        pay_max=Decimal("12000"),
        place=extra.pop("place", "虎门镇"),
        **extra,
    )


def make_profile(user, *, cluster=None, visibility="public", role=Role.DESIGNER, **extra):
    return TalentProfile.objects.create(
        user=user,
        name=extra.pop("name", "林晓"),
        role=role,
        cluster=cluster,
        visibility=visibility,
        phone=extra.pop("phone", "13800138000"),
        email=extra.pop("email", "xiao@example.test"),
        id_number=extra.pop("id_number", "11010519491231002X"),
        skills="女装, 立体裁剪",
        **extra,
    )


@pytest.fixture(autouse=True)
def _english_messages():
    # Services raise messages in the active language; an earlier test may have left another one.
    with translation.override("en"):
        yield
