"""Merges into registry firms are worked out while preparing a batch and applied by the writer
only for firms still as they were read; the others are worked out again under its lock."""

import pytest

from weft.audit.models import AuditRecord
from weft.imports import engine, registry_merge, services
from weft.imports.models import ImportJob, MatchDecision
from weft.registry.models import ClusterMembership, Enterprise
from weft.registry.selectors import EnterpriseFilters, enterprise_directory
from weft.registry.services import decide_membership, update_enterprise

from ..factories import make_enterprise
from .files import firm_row, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_out_again(monkeypatch):
    """The firms the writer had to read again (locked) to work their merges out."""
    again = []
    read = registry_merge.read

    def counted(firm_ids, cluster_ids, codes_of, *, lock):
        if lock:
            again.extend(sorted(firm_ids))
        return read(firm_ids, cluster_ids, codes_of, lock=lock)

    monkeypatch.setattr(registry_merge, "read", counted)
    return again


def _prepared(world, rows):
    """A job's engine and its one batch, prepared and not yet written."""
    job = services.create_job(
        user=world.humen_office, upload=upload(xlsx(rows)), cluster=world.humen
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    job.refresh_from_db()
    run = engine.Engine(job)
    return run, run.prepare(list(engine.table_of(job).rows()))


def _row_into(firm, **values):
    return firm_row(name=firm.name_zh, uscc=firm.uscc, address=firm.address, **values)


def _found(q, **filters):
    return list(
        enterprise_directory(EnterpriseFilters(q=q, **filters)).values_list("pk", flat=True)
    )


def test_a_firm_as_it_was_read_takes_the_prepared_merge(world, worked_out_again):
    firm = world.firm
    firm_before = dict(firm.field_provenance)
    run, batch = _prepared(world, [_row_into(firm, products="礼服、晚装", stage="成衣制造;印花")])
    assert set(batch.merges.seen) == {firm.pk}
    run.commit(batch)
    assert worked_out_again == []
    firm.refresh_from_db()
    assert "礼服" in firm.main_products
    assert "printing" in firm.stages.values_list("code", flat=True)
    assert _found("晚装") == [firm.pk]
    decision = MatchDecision.objects.get(job=run.job, enterprise=firm)
    assert decision.outcome == "merged" and decision.changes["main_products"][1] == "礼服、晚装"
    assert decision.changes["stages"][1][-1] == "printing"
    assert decision.provenance_before == firm_before
    _assert_update_audited(run.job, firm, decision)


def _assert_update_audited(job, firm, decision):
    audit = AuditRecord.objects.get(
        action="update", object_id=str(firm.pk), reason__startswith=f"import #{job.pk} "
    )
    assert audit.actor_id == job.created_by_id and audit.object_repr == firm.name_zh
    assert audit.reason == f"import #{job.pk} row {decision.row}"
    assert audit.after["main_products"] == decision.changes["main_products"][1]
    assert audit.before["main_products"] == decision.changes["main_products"][0]
    assert abs((audit.at - decision.decided_at).total_seconds()) < 1


def test_a_firm_edited_after_its_merge_was_prepared_is_merged_as_it_is_now(world, worked_out_again):
    """A person changes the firm between the two steps: the writer sees it under its lock and
    merges into the firm as it is now: the person's values, provenance and search stay."""
    firm = world.firm
    run, batch = _prepared(world, [_row_into(firm, products="礼服、晚装")])
    update_enterprise(
        user=world.firm_admin, enterprise=firm, data={"name_en": "Liren Garments Humen"}
    )
    run.commit(batch)
    assert worked_out_again == [firm.pk]
    firm.refresh_from_db()
    assert firm.name_en == "Liren Garments Humen" and "礼服" in firm.main_products
    assert firm.field_provenance["name_en"]["user"] == world.firm_admin.pk
    assert firm.field_provenance["main_products"]["import"] == run.job.pk
    assert _found("liren") == [firm.pk] and _found("晚装") == [firm.pk]
    decision = MatchDecision.objects.get(job=run.job, enterprise=firm)
    assert "name_en" in decision.provenance_before
    assert decision.changes["main_products"][1] == "礼服、晚装"
    _assert_update_audited(run.job, firm, decision)


def test_a_membership_decided_after_the_merge_was_prepared_is_not_decided_twice(
    world, worked_out_again
):
    """The firm asked to join the import's cluster; the office approves the request between the
    two steps (the firm itself is not saved): the import finds the membership approved."""
    firm = make_enterprise(name_zh="东莞市虎门镇近岸制衣有限公司", products="衬衫")
    asking = ClusterMembership.objects.create(
        enterprise=firm, cluster=world.humen, status=ClusterMembership.Status.PENDING
    )
    run, batch = _prepared(world, [_row_into(firm, products="衬衫", stage="")])
    assert batch.merges.joining == {firm.pk: "pending"}
    approved_at = decide_membership(
        user=world.humen_office, membership=asking, approve=True
    ).decided_at
    run.commit(batch)
    assert worked_out_again == [firm.pk]
    membership = ClusterMembership.objects.get(enterprise=firm, cluster=world.humen)
    assert membership.status == "approved" and membership.decided_at == approved_at
    decision = MatchDecision.objects.get(job=run.job, enterprise=firm)
    assert "_membership" not in decision.changes
    assert _found("近岸", cluster=world.humen.pk) == [firm.pk]


def test_a_batch_creating_merging_and_queueing_for_review(world, worked_out_again):
    """New firms, a merge, a row for review and a bad row in one batch: each gets its decision,
    the merge its audit record, the new firm its own."""
    firm = world.firm
    rows = [
        firm_row(name="东莞市虎门镇新月制衣有限公司", address="广东省东莞市虎门镇连升路9号"),
        _row_into(firm, products="礼服、晚装"),
        firm_row(name="东莞市虎门镇坏行制衣有限公司", employees="-3"),
        firm_row(
            name=firm.name_zh.replace("丽人", "丽仁"), uscc="", address=firm.address, products=""
        ),
    ]
    run, batch = _prepared(world, rows)
    run.commit(batch)
    job = ImportJob.objects.get(pk=run.job.pk)
    assert (job.created, job.merged, job.rejected) == (1, 1, 1)
    assert job.pending + job.merged + job.created == 3
    assert worked_out_again == []
    outcomes = dict(MatchDecision.objects.filter(job=job).values_list("row", "outcome"))
    assert outcomes[2] == "created" and outcomes[3] == "merged" and 4 not in outcomes
    created = Enterprise.objects.get(name_zh="东莞市虎门镇新月制衣有限公司")
    audited = AuditRecord.objects.filter(reason__startswith=f"import #{job.pk}")
    assert sorted(audited.values_list("action", "object_id")) == [
        ("create", str(created.pk)),
        ("update", str(firm.pk)),
    ]


def test_only_the_changed_firm_is_worked_out_again(world, worked_out_again):
    other = make_enterprise(
        name_zh="东莞市虎门镇远帆制衣有限公司", products="衬衫", cluster=world.humen
    )
    firm = world.firm
    run, batch = _prepared(
        world, [_row_into(firm, products="礼服"), _row_into(other, products="衬衫、风衣")]
    )
    update_enterprise(user=world.firm_admin, enterprise=firm, data={"employees": 95})
    run.commit(batch)
    assert worked_out_again == [firm.pk]
    firm.refresh_from_db()
    other.refresh_from_db()
    assert firm.employees == 95 and "礼服" in firm.main_products
    assert other.main_products == "衬衫、风衣" and _found("风衣") == [other.pk]
    assert ImportJob.objects.get(pk=run.job.pk).merged == 2
