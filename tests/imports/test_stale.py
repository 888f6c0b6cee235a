"""A killed worker: its import is found stale, shown so, and resumes after its last batch."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, TestCase
from django.utils import timezone

from weft.imports import engine, services
from weft.imports.models import ImportJob
from weft.registry.models import Enterprise

from .files import firm_row, upload, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NAMES = [f"东莞市虎门镇断电{i}号服饰有限公司" for i in range(5)]


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no handler, no status."""


@pytest.fixture
def killed_job(world, settings, monkeypatch):
    """An import whose worker died after committing its first batch of two rows."""
    settings.WEFT_IMPORT_BATCH_SIZE = 2
    rows = [firm_row(name=n, address=f"广东省东莞市虎门镇断电路{i}号") for i, n in enumerate(NAMES)]
    job = services.create_job(
        user=world.humen_office, upload=upload(xlsx(rows)), cluster=world.humen
    )
    services.start_job(user=None, job=job, system=True)
    original = engine.Engine.process
    calls = {"n": 0}

    def die_in_second_batch(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        return original(self, batch)

    monkeypatch.setattr(engine.Engine, "process", die_in_second_batch)
    with pytest.raises(Killed):
        engine.run(job)
    monkeypatch.setattr(engine.Engine, "process", original)
    job.refresh_from_db()
    return job


def _ago(job, field, seconds):
    """Set the job's `field` (heartbeat_at, queued_at) to `seconds` ago."""
    ImportJob.objects.filter(pk=job.pk).update(
        **{field: timezone.now() - datetime.timedelta(seconds=seconds)}
    )
    job.refresh_from_db()


def test_running_job_with_a_silent_worker_is_stale(killed_job, settings):
    settings.WEFT_IMPORT_STALE_AFTER = 300
    job = killed_job
    # Status still says running, and the heartbeat is fresh: not stale yet.
    assert job.status == "running" and job.last_row == 3 and job.rows_done == 2
    assert not job.is_stale and job.is_active and not job.can_resume
    with pytest.raises(ValidationError):
        services.start_job(user=None, job=job, system=True)
    _ago(job, "heartbeat_at", 299)
    assert not job.is_stale
    _ago(job, "heartbeat_at", 301)
    assert job.is_stale and not job.is_active and job.can_resume
    assert job.status_label == "Stopped: the worker running it no longer responds"
    # Finished and failed jobs are never stale, however old.
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    job.refresh_from_db()
    assert not job.is_stale


def test_stale_job_is_shown_and_resumed_from_the_page(world, killed_job):
    job = killed_job
    _ago(job, "heartbeat_at", 3600)
    before = Enterprise.objects.count()
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(world.humen_office)
    page = c.get(f"/imports/{job.pk}/").content.decode()
    assert "The worker running this import stopped responding" in page
    assert "Resume after row 3" in page
    # The progress fragment stops polling and says why.
    fragment = c.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "no longer responds" in fragment and "hx-trigger" not in fragment
    api = c.get(f"/api/v1/imports/{job.pk}").json()
    assert api["status"] == "running" and api["stale"] is True
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = c.post(f"/imports/{job.pk}/start/", {"col-0": "name_zh", "col-1": "uscc",
                                                 "col-2": "address", "col-3": "main_products",
                                                 "col-4": "stages", "col-5": "employees"})  # fmt: skip
    assert r.status_code == 302
    job.refresh_from_db()
    # Resumed after the committed batch: the three remaining rows, no duplicate of the first two.
    assert job.status == "done" and job.rows_done == 5 and job.created == 5
    assert Enterprise.objects.count() == before + 3
    for name in NAMES:
        assert Enterprise.objects.filter(name_zh=name).count() == 1
    assert job.decisions.count() == 5
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    zh.force_login(world.humen_office)
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    _ago(job, "heartbeat_at", 3600)
    assert "无响应" in zh.get(f"/imports/{job.pk}/").content.decode()


def test_a_worker_thought_dead_that_comes_back_writes_nothing(killed_job):
    job = killed_job
    _ago(job, "heartbeat_at", 3600)
    slow = engine.Engine(ImportJob.objects.get(pk=job.pk))  # the old worker, still holding state
    batch = list(engine.table_of(job).rows(after=job.last_row))[:2]
    services.start_job(user=None, job=job, system=True)
    job = engine.run(job)
    assert job.status == "done" and job.created == 5
    count = Enterprise.objects.count()
    with pytest.raises(engine.Superseded):
        slow.process(batch)
    assert Enterprise.objects.count() == count and job.decisions.count() == 5


def test_queued_job_no_worker_picks_up_is_stale_and_queued_again(world, settings):
    settings.WEFT_IMPORT_QUEUE_STALE_AFTER = 900
    rows = [firm_row(name=n, address=f"广东省东莞市虎门镇候车路{i}号") for i, n in enumerate(NAMES)]
    job = services.create_job(
        user=world.humen_office, upload=upload(xlsx(rows)), cluster=world.humen
    )
    # Queued, but no worker runs (the task is never executed).
    services.start_job(user=world.humen_office, job=job)
    job.refresh_from_db()
    assert job.status == "queued" and job.queued_at is not None
    assert not job.is_stale and job.is_active and not job.can_resume
    with pytest.raises(ValidationError):
        services.start_job(user=None, job=job, system=True)
    _ago(job, "queued_at", 899)
    assert not job.is_stale
    _ago(job, "queued_at", 901)
    assert job.is_stale and job.is_unclaimed and not job.is_active and job.can_resume
    assert job.status_label == "Waiting: no worker has picked it up"
    # A running job is judged by its heartbeat, never by when it was queued.
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    job.refresh_from_db()
    assert not job.is_stale and not job.is_unclaimed
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    job.refresh_from_db()

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(world.humen_office)
    page = c.get(f"/imports/{job.pk}/").content.decode()
    assert "No worker has picked this import up since it was queued" in page
    assert "Queue it again" in page and "Resume after row" not in page
    fragment = c.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "no worker has picked it up" in fragment and "hx-trigger" not in fragment
    assert c.get(f"/api/v1/imports/{job.pk}").json()["stale"] is True
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    zh.force_login(world.humen_office)
    assert "没有后台进程接手" in zh.get(f"/imports/{job.pk}/").content.decode()

    before = Enterprise.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = c.post(f"/imports/{job.pk}/start/", {"col-0": "name_zh", "col-1": "uscc",
                                                 "col-2": "address", "col-3": "main_products",
                                                 "col-4": "stages", "col-5": "employees"})  # fmt: skip
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.created == 5 and not job.is_stale
    assert Enterprise.objects.count() == before + 5


def test_queued_job_without_a_queue_time_is_not_called_stale(world):
    rows = [firm_row(name=NAMES[0], address="广东省东莞市虎门镇候车路1号")]
    job = services.create_job(
        user=world.humen_office, upload=upload(xlsx(rows)), cluster=world.humen
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status="queued", created_at=timezone.now() - datetime.timedelta(days=3)
    )
    job.refresh_from_db()
    assert job.queued_at is None and not job.is_stale and job.is_active
