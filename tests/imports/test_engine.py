"""Importing a list end to end: validation, resolution, batches, search, reruns and resumption."""

import pytest
from django.db import connection
from django.utils import translation

from weft.audit.models import AuditRecord
from weft.imports import engine, services
from weft.imports.models import ImportJob, MatchDecision, RowError
from weft.imports.validation import message
from weft.registry.fields import GIN
from weft.registry.identifiers import make_uscc
from weft.registry.models import ClusterMembership, Enterprise
from weft.registry.selectors import EnterpriseFilters, enterprise_directory

from ..factories import assert_name_keys_current
from .files import firm_row, firm_row_without_code, upload, xlsx

pytestmark = pytest.mark.django_db


def run_file(world, content, name="list.xlsx", user=None, cluster=None):
    from django.test import TestCase

    job = services.create_job(
        user=user or world.humen_office,
        upload=upload(content, name),
        cluster=cluster or world.humen,
    )
    # The task is enqueued on commit; the immediate backend then runs it at once.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.start_job(user=user or world.humen_office, job=job)
    job.refresh_from_db()
    return job


def search(q):
    return list(enterprise_directory(EnterpriseFilters(q=q)).values_list("name_zh", flat=True))


def test_import_creates_searchable_members_with_audit(world):
    rows = [
        firm_row(name=f"东莞市虎门镇{t}制衣有限公司", address=f"广东省东莞市虎门镇连升路{i}号")
        for i, t in enumerate(["霓裳", "云锦", "素衣"], start=1)
    ]
    job = run_file(world, xlsx(rows))
    assert job.status == ImportJob.Status.DONE
    assert (job.created, job.merged, job.rejected, job.rows_done) == (3, 0, 0, 3)
    assert search("霓裳") == ["东莞市虎门镇霓裳制衣有限公司"]
    firm = Enterprise.objects.get(name_zh="东莞市虎门镇云锦制衣有限公司")
    assert firm.source == Enterprise.Source.IMPORT and firm.adcode == "441900"
    assert list(firm.stages.values_list("code", flat=True)) == ["garment_making"]
    assert firm.employees == 80 and firm.size_band == "small"
    assert firm.field_provenance["name_zh"]["import"] == job.pk
    assert ClusterMembership.objects.get(enterprise=firm).status == "approved"
    assert enterprise_directory(EnterpriseFilters(cluster=world.humen.pk, q="云锦")).count() == 1
    created = AuditRecord.objects.get(
        object_type="registry.enterprise", object_id=str(firm.pk), action="create"
    )
    assert created.object_repr == firm.name_zh and created.reason == f"import #{job.pk}"
    assert created.actor == world.humen_office and created.before is None
    assert created.after["name_zh"] == firm.name_zh and created.after["stages"] == [
        "garment_making"
    ]
    decision = MatchDecision.objects.get(job=job, enterprise=firm)
    assert decision.reason == "none" and decision.outcome == "created"


def test_row_errors_are_specific_and_rows_not_written(world, english):
    dup = make_uscc("9", "1", "441900", "MA7Q2X3B")
    bad_check = dup[:-1] + ("0" if dup[-1] != "0" else "1")
    rows = [
        firm_row(name="甲制衣有限公司", uscc=bad_check),
        firm_row(name="乙制衣有限公司", stage="飞船制造"),
        firm_row(name="丙制衣有限公司", employees="-5"),
        firm_row(name="丁制衣有限公司", address="浙江省"),
        firm_row(name="戊制衣有限公司", uscc=dup),
        firm_row(name="己制衣有限公司", uscc=dup),
        firm_row(name="庚制衣有限公司", employees="=A1*2"),
        firm_row(name=None),
    ]
    job = run_file(world, xlsx(rows))
    assert job.status == "done" and job.rejected == 7 and job.created == 1
    assert not Enterprise.objects.filter(name_zh__in=["甲制衣有限公司", "己制衣有限公司"]).exists()
    errors = {
        e.row: message(e.code, {**e.params, "field": e.field})
        for e in RowError.objects.filter(job=job)
    }
    assert "check character (position 18) should be" in errors[2]
    assert "Unknown chain stage “飞船制造”" in errors[3]
    assert errors[4] == "Employees cannot be negative (-5)."
    assert "locates only to 浙江省" in errors[5]
    assert errors[7] == f"Code {dup} already appears in row 6 of this file."
    assert "holds a formula (=A1*2)" in errors[8]
    assert errors[9] == "Enterprise name is required."
    with translation.override("zh-hans"):
        chinese = message("employees_negative", {"value": "-5", "field": "employees"})
        assert chinese == "员工人数不能为负数（-5）。"
        assert message("required", {"field": "name_zh"}) == "“企业名称”必须填写。"


def test_rerun_is_idempotent(world):
    rows = [
        firm_row(name=f"东莞市虎门镇{t}服饰有限公司", uscc=(None if i % 2 else ""))
        for i, t in enumerate(["青禾", "白鹭", "远山", "晴川"])
    ]
    content = xlsx(rows)
    first = run_file(world, content)
    count = Enterprise.objects.count()
    second = run_file(world, content)
    assert Enterprise.objects.count() == count
    assert (second.created, second.unchanged, second.merged) == (0, 4, 0)
    assert first.created == 4


def test_merge_fills_gaps_and_newer_wins_with_provenance(world):
    existing = Enterprise.objects.get(pk=world.firm.pk)
    Enterprise.objects.filter(pk=existing.pk).update(main_products="", employees=50)
    row = firm_row(
        name=existing.name_zh,
        uscc=existing.uscc,
        products="礼服",
        employees="120",
        address="广东省东莞市虎门镇连升路1号",
    )
    job = run_file(world, xlsx([row]))
    existing.refresh_from_db()
    assert job.merged == 1 and existing.main_products == "礼服" and existing.employees == 120
    assert existing.field_provenance["employees"]["import"] == job.pk
    decision = MatchDecision.objects.get(job=job)
    assert decision.reason == "uscc" and decision.changes["employees"] == [50, 120]
    assert search("礼服") == [existing.name_zh]


def test_a_firm_merged_with_a_new_address_is_matched_by_name_in_its_new_county(world):
    """The stored match key follows the name and the county a merge gives the firm: a later list
    naming the firm without its code finds it there by name alone."""
    existing = Enterprise.objects.get(pk=world.firm.pk)
    moved = firm_row(
        name="绍兴市柯桥区丽人纺织有限公司",
        uscc=existing.uscc,
        address="浙江省绍兴市柯桥区齐贤街道人民路5号",
    )
    first = run_file(world, xlsx([moved]))
    existing.refresh_from_db()
    assert first.merged == 1 and existing.adcode == "330603"
    assert_name_keys_current()

    again = firm_row(name="丽人纺织（绍兴）有限公司", uscc="", address="浙江省绍兴市柯桥区")
    second = run_file(world, xlsx([again]))
    decision = MatchDecision.objects.get(job=second)
    assert (decision.reason, decision.enterprise_id) == ("name_county", existing.pk)


def test_registry_edit_after_list_date_wins(world):
    existing = Enterprise.objects.get(pk=world.firm.pk)
    job = services.create_job(
        user=world.humen_office,
        upload=upload(
            xlsx([firm_row(name=existing.name_zh, uscc=existing.uscc, products="旧产品")])
        ),
        cluster=world.humen,
    )
    existing.main_products = "新产品"
    existing.field_provenance = {"main_products": {"at": "2999-01-01T00:00:00+00:00"}}
    existing.save()
    services.start_job(user=None, job=job, system=True)
    engine.run(job)
    existing.refresh_from_db()
    assert existing.main_products == "新产品"


def test_crash_leaves_whole_batches_and_resume_finishes_without_duplicates(
    world, settings, monkeypatch
):
    settings.WEFT_IMPORT_BATCH_SIZE = 2
    rows = [
        firm_row(
            name=f"东莞市虎门镇织梦{i}号服饰有限公司", address=f"广东省东莞市虎门镇银龙路{i}号"
        )
        for i in range(5)
    ]
    job = services.create_job(
        user=world.humen_office, upload=upload(xlsx(rows)), cluster=world.humen
    )
    services.start_job(user=None, job=job, system=True)
    calls = {"n": 0}
    original = engine.Engine._write

    def crash_on_second(self, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            original(self, *args)
            raise RuntimeError("worker killed")
        return original(self, *args)

    monkeypatch.setattr(engine.Engine, "_write", crash_on_second)
    before = Enterprise.objects.count()
    job = engine.run(job)
    assert job.status == "failed" and "worker killed" in job.error_message
    # The first batch committed; the second rolled back whole: no half-written firm.
    assert Enterprise.objects.count() == before + 2 and job.rows_done == 2 and job.last_row == 3
    monkeypatch.setattr(engine.Engine, "_write", original)
    job = engine.run(job)
    assert job.status == "done" and job.rows_done == 5 and job.created == 5
    assert Enterprise.objects.count() == before + 5
    assert Enterprise.objects.filter(name_zh__startswith="东莞市虎门镇织梦").count() == 5


def test_row_limit_holds_while_streaming_and_nothing_is_written(world, settings):
    """A limit lowered (or a file changed) after the upload stops the run before any batch."""
    job = services.create_job(
        user=world.humen_office,
        upload=upload(xlsx([firm_row(name=f"东莞市虎门镇限行{i}制衣厂") for i in range(5)])),
        cluster=world.humen,
    )
    services.start_job(user=None, job=job, system=True)
    settings.WEFT_IMPORT_MAX_ROWS = 2
    before = (Enterprise.objects.count(), MatchDecision.objects.count())
    job = engine.run(job)
    assert job.status == "failed" and job.error_code == "too_many_rows"
    # Stored in the site's language (Chinese by default), as the worker has no user's.
    assert "一次最多导入 2 行" in job.error_message
    assert (Enterprise.objects.count(), MatchDecision.objects.count()) == before
    assert job.rows_done == 0 and job.last_row == 0


def test_duplicates_within_file_resolve_to_one_firm(world):
    rows = [
        firm_row_without_code(),
        firm_row(
            name="锦衣坊服饰（东莞）有限责任公司",
            uscc="",
            address="东莞市虎门镇大宁路3号",
            products="童装",
        ),
    ]
    job = run_file(world, xlsx(rows))
    assert job.created == 1 and job.merged == 1
    firm = Enterprise.objects.get(name_zh="东莞市虎门镇锦衣坊服饰有限公司")
    assert firm.main_products == "童装"


def test_fuzzy_match_waits_for_review_then_confirm_and_undo(world):
    existing = world.firm  # 东莞市虎门镇丽人制衣有限公司, 广东省东莞市虎门镇连升路1号
    row = firm_row(
        name="东莞市虎门镇丽人制衣坊",
        uscc="",
        address="广东省东莞市虎门镇连升路3号",
        products="婚纱",
    )
    job = run_file(world, xlsx([row]))
    decision = MatchDecision.objects.get(job=job)
    assert decision.outcome == "pending" and decision.reason == "fuzzy"
    assert decision.candidate_id == existing.pk and 72 <= decision.score < 90
    assert job.pending == 1
    services.confirm_match(user=world.humen_office, decision=decision)
    existing.refresh_from_db()
    assert existing.main_products == "婚纱" and existing.name_zh == "东莞市虎门镇丽人制衣坊"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.undo_merge(user=world.humen_office, decision=decision)
    services.undo_merge(user=world.operator, decision=decision)
    existing.refresh_from_db()
    assert existing.main_products == "女装" and existing.name_zh == "东莞市虎门镇丽人制衣有限公司"
    assert existing.address == "广东省东莞市虎门镇连升路1号"
    decision.refresh_from_db()
    assert decision.outcome == "pending"
    services.reject_match(user=world.humen_office, decision=decision)
    assert Enterprise.objects.filter(name_zh="东莞市虎门镇丽人制衣坊").count() == 1
    assert search("婚纱") == ["东莞市虎门镇丽人制衣坊"]
    assert_name_keys_current()  # through the confirmed merge, its undoing and the new firm


@pytest.mark.django_db(transaction=True)
def test_imported_firms_become_marketplace_candidates(world):
    """Bulk writes bypass model signals; the registry's own signal keeps derived data in step.

    Transactional: the marketplace rebuilds a firm's rows inside the import batch's transaction.
    """
    from weft.market.models import SupplierCapability

    job = run_file(
        world, xlsx([firm_row(name="东莞市虎门镇锦绣制衣有限公司", products="女装、T恤")])
    )
    firm = Enterprise.objects.get(name_zh="东莞市虎门镇锦绣制衣有限公司")
    assert job.created == 1
    capabilities = set(
        SupplierCapability.objects.filter(enterprise=firm).values_list("stage", "category")
    )
    assert capabilities == {("garment_making", "womenswear")}


def test_merged_firms_join_the_import_cluster_in_bulk(world):
    """A merged firm not yet an approved member of the import's cluster becomes one: a new
    membership for a firm without any, the pending request approved for another; the change is
    recorded in the decision, and the cluster's directory finds them at once."""
    from tests.factories import make_enterprise

    outsider = make_enterprise(name_zh="东莞市虎门镇远帆制衣有限公司", products="衬衫")
    asking = make_enterprise(name_zh="东莞市虎门镇近岸制衣有限公司", products="衬衫")
    ClusterMembership.objects.create(
        enterprise=asking, cluster=world.humen, status=ClusterMembership.Status.PENDING
    )
    rows = [
        firm_row(name=f.name_zh, uscc=f.uscc, address=f.address, products="衬衫", stage="")
        for f in (outsider, asking)
    ]
    job = run_file(world, xlsx(rows))
    assert (job.merged, job.created) == (2, 0)
    for firm in (outsider, asking):
        membership = ClusterMembership.objects.get(enterprise=firm, cluster=world.humen)
        assert membership.status == "approved"
        assert membership.decided_by == world.humen_office and membership.decided_at
        decision = MatchDecision.objects.get(job=job, enterprise=firm)
        assert decision.outcome == "merged" and decision.changes["_membership"][1] == "approved"
        # Its search tokens now carry the cluster.
        found = enterprise_directory(EnterpriseFilters(cluster=world.humen.pk, q=firm.name_zh))
        assert list(found.values_list("pk", flat=True)) == [firm.pk]
    assert ClusterMembership.objects.filter(enterprise=asking).count() == 1
    assert ClusterMembership.objects.get(enterprise=asking).requested_by == world.humen_office
    assert MatchDecision.objects.get(enterprise=outsider).changes["_membership"][0] is None
    assert MatchDecision.objects.get(enterprise=asking).changes["_membership"][0] == "pending"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
def test_import_leaves_no_search_entries_pending_on_postgresql(world):
    """Batches let the GIN index gather new entries in its pending list; the import merges what
    is left into the index at its end (searches need not read a long list afterwards)."""
    rows = [firm_row(name=f"东莞市虎门镇待合{i}号服饰有限公司") for i in range(3)]
    job = run_file(world, xlsx(rows))
    assert job.created == 3 and search("待合") != []
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN])
        assert cursor.fetchone()[0] == 0  # nothing left to merge


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit setting")
@pytest.mark.django_db(transaction=True)  # each batch's transaction is a real one
@pytest.mark.parametrize(("wait", "expected"), [(False, "off"), (True, "on")])
def test_batches_commit_without_waiting_for_the_disk_unless_told(
    world, settings, monkeypatch, wait, expected
):
    settings.WEFT_IMPORT_PG_WAIT_FOR_DISK = wait
    settings.WEFT_IMPORT_PIPELINE = False  # the batch is written by this connection
    seen = []
    write = engine.Engine._write

    def observed(self, batch):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return write(self, batch)

    monkeypatch.setattr(engine.Engine, "_write", observed)
    with connection.cursor() as cursor:  # as a production server runs (the test cluster may not)
        cursor.execute("SET synchronous_commit = on")
    try:
        job = run_file(world, xlsx([firm_row(name="东莞市虎门镇晨光制衣有限公司")]))
        assert job.created == 1 and seen == [expected]
        with connection.cursor() as cursor:  # only the batch's transaction: the rest as it was
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
