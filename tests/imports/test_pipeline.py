"""Imports prepared in a second process while the first writes: the same outcome, batch by batch.

The preparing process is forked and reads only committed rows, so these tests commit
(`transaction=True`) and need a database a forked process can open: PostgreSQL, or an SQLite
file. The test database on SQLite is in memory: there the import stays in one process, which
the first test checks (and, on PostgreSQL, that it does not).
"""

import pytest
from django.db import connection

from weft.audit.models import AuditRecord
from weft.imports import engine, services
from weft.imports.models import MatchDecision
from weft.registry.models import Enterprise
from weft.registry.selectors import EnterpriseFilters, enterprise_directory

from .files import firm_row, firm_row_without_code, upload, xlsx

IN_MEMORY = connection.vendor == "sqlite"  # pytest-django's SQLite test database is in memory

forks = pytest.mark.skipif(IN_MEMORY, reason="a forked process cannot open an in-memory database")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    """Earlier tests in the same worker may leave idle threads behind, which would keep every
    import here in one process (forking copies no thread): counted as the worker's one."""
    monkeypatch.setattr(engine.threading, "active_count", lambda: 1)


def _start(world, rows):
    job = services.create_job(
        user=world.humen_office, upload=upload(xlsx(rows)), cluster=world.humen
    )
    services.start_job(user=None, job=job, system=True)
    return job


def test_two_processes_only_where_the_fork_sees_the_same_data(world, monkeypatch, settings):
    if not IN_MEMORY:
        assert engine.pipelined()  # nothing open, one thread, a server database
    else:
        assert not engine.pipelined()
    # Never when switched off, nor with a second thread running.
    settings.WEFT_IMPORT_PIPELINE = False
    assert not engine.pipelined()
    settings.WEFT_IMPORT_PIPELINE = True
    monkeypatch.setattr(engine.threading, "active_count", lambda: 2)
    assert not engine.pipelined()


@forks
def test_pipelined_run_resolves_across_batches_with_audit(world, settings):
    """Batches of two: a firm created in the first batch is merged into by a row of a later
    batch (known to the preparing process only by the id it was decided under), a registry firm
    is merged by code, a bad row is rejected; every create and update is audited."""
    settings.WEFT_IMPORT_BATCH_SIZE = 2
    existing = world.firm
    rows = [
        firm_row_without_code(),
        firm_row(name="东莞市虎门镇晨星制衣有限公司", address="广东省东莞市虎门镇大宁路5号"),
        firm_row(name="东莞市虎门镇坏行制衣有限公司", employees="-3"),
        firm_row(
            name=existing.name_zh, uscc=existing.uscc, address=existing.address, products="礼服"
        ),
        firm_row(
            name="锦衣坊服饰（东莞）有限责任公司",
            uscc="",
            address="东莞市虎门镇大宁路3号",
            products="童装",
        ),
    ]
    job = _start(world, rows)
    seen = []
    job = engine.run(job, progress=seen.append)
    assert job.status == "done", job.error_message
    assert "waiting for prepared rows" in job.timings  # it did run in two processes
    assert seen == [2, 2, 1]
    assert (job.created, job.merged, job.rejected, job.rows_done) == (2, 2, 1, 5)
    firm = Enterprise.objects.get(name_zh="东莞市虎门镇锦衣坊服饰有限公司")
    assert firm.main_products == "童装"  # the row of the third batch filled the gap
    assert firm.field_provenance["main_products"]["import"] == job.pk
    later = MatchDecision.objects.get(job=job, row=6)
    assert later.outcome == "merged" and later.enterprise_id == firm.pk
    assert later.candidate_id == firm.pk
    existing.refresh_from_db()
    assert existing.main_products == "礼服"
    audited = AuditRecord.objects.filter(
        object_type="registry.enterprise", reason__contains=f"#{job.pk}"
    )
    assert sorted(audited.values_list("action", "object_id")) == sorted(
        [
            ("create", str(firm.pk)),
            ("create", str(Enterprise.objects.get(name_zh="东莞市虎门镇晨星制衣有限公司").pk)),
            ("update", str(existing.pk)),
            ("update", str(firm.pk)),
        ]
    )
    assert not Enterprise.objects.filter(name_zh="东莞市虎门镇坏行制衣有限公司").exists()
    # A rerun of the same file creates nothing more.
    again = engine.run(_start(world, rows))
    assert again.created == 0 and Enterprise.objects.filter(name_zh__contains="锦衣坊").count() == 1


@forks
def test_batches_merging_into_one_registry_firm_each_add_to_it(world, settings):
    """Batches of one row, each merging into the same registry firm: a batch is prepared while
    the one before is written, so its merge is worked out again from what that one wrote."""
    settings.WEFT_IMPORT_BATCH_SIZE = 1
    settings.WEFT_IMPORT_FIRST_BATCH_SIZE = 1
    firm = world.firm
    rows = [
        # Without the code, which may appear once in a list: matched by name and county.
        firm_row(name=firm.name_zh, uscc="", address=firm.address, products=p, stage=s)
        for p, s in [("礼服", "成衣制造;印花"), ("晚装", "设计"), ("婚纱", "品牌;设计")]
    ]
    job = engine.run(_start(world, rows))
    assert job.status == "done", job.error_message
    assert (job.merged, job.created) == (3, 0)
    firm.refresh_from_db()
    stages = set(firm.stages.values_list("code", flat=True))
    assert {"garment_making", "printing", "design", "brand"} <= stages
    assert firm.main_products == "礼服"  # the first row's, as new as the others': kept
    for stage in ("printing", "design", "brand"):
        assert list(
            enterprise_directory(EnterpriseFilters(stage=stage)).values_list("pk", flat=True)
        ) == [firm.pk]
    changes = [
        d.changes.get("stages", [None, None])[1]
        for d in MatchDecision.objects.filter(job=job).order_by("row")
    ]
    assert changes[1][-1] == "design" and changes[2][-1] == "brand"
    assert "design" not in changes[0] and changes[2].count("design") == 1


@forks
def test_first_batch_is_the_small_one(world, settings):
    """The writer waits, idle, for the first batch: it gets a small one, then each twice as
    large up to the full size."""
    settings.WEFT_IMPORT_BATCH_SIZE = 4
    settings.WEFT_IMPORT_FIRST_BATCH_SIZE = 1
    rows = [
        firm_row(
            name=f"东莞市虎门镇首批{i}号服饰有限公司", address=f"广东省东莞市虎门镇银龙路{i}号"
        )
        for i in range(13)
    ]
    seen = []
    job = engine.run(_start(world, rows), progress=seen.append)
    assert job.status == "done", job.error_message
    assert seen == [1, 2, 4, 4, 2]
    assert job.created == 13 and job.rows_done == 13


@forks
def test_file_rejected_while_preparing_fails_the_job_and_writes_nothing(world, settings):
    job = _start(world, [firm_row(name=f"东莞市虎门镇限行{i}制衣厂") for i in range(5)])
    settings.WEFT_IMPORT_MAX_ROWS = 2  # lowered after the upload: the reader stops the run
    before = Enterprise.objects.count()
    job = engine.run(job)
    assert job.status == "failed" and job.error_code == "too_many_rows"
    assert "2" in job.error_message
    assert Enterprise.objects.count() == before and job.rows_done == 0


@forks
def test_crash_while_preparing_keeps_the_committed_batches(world, settings, monkeypatch):
    """The preparing process fails in the third batch: the two before are committed, the job is
    failed with the reason, and a rerun (here in one process) finishes without duplicates."""
    settings.WEFT_IMPORT_BATCH_SIZE = 2
    rows = [
        firm_row(
            name=f"东莞市虎门镇织梦{i}号服饰有限公司", address=f"广东省东莞市虎门镇银龙路{i}号"
        )
        for i in range(5)
    ]
    job = _start(world, rows)
    original = engine.Engine.prepare

    def fail_third(self, batch):
        if batch[0][0] >= 6:  # rows 6 and after (row 1 is the header)
            raise ValueError("unreadable batch")
        return original(self, batch)

    monkeypatch.setattr(engine.Engine, "prepare", fail_third)
    job = engine.run(job)
    assert job.status == "failed" and "unreadable batch" in job.error_message
    assert job.rows_done == 4 and job.last_row == 5
    assert Enterprise.objects.filter(name_zh__startswith="东莞市虎门镇织梦").count() == 4
    monkeypatch.setattr(engine.Engine, "prepare", original)
    settings.WEFT_IMPORT_PIPELINE = False
    job = engine.run(job)
    assert job.status == "done" and job.rows_done == 5 and job.created == 5
    assert Enterprise.objects.filter(name_zh__startswith="东莞市虎门镇织梦").count() == 5
