"""Import workflows: upload, mapping, start, review decisions and undo. Every write is audited."""

import hashlib
import os
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.accounts.models import Organisation
from weft.accounts.permissions import actor_for, can, firms_open_to_import
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot
from weft.registry.geocoding import geocode
from weft.registry.models import (
    Certification,
    ChainStage,
    Cluster,
    ClusterMembership,
    Enterprise,
    IndustryCode,
)
from weft.registry.naming import set_name_keys
from weft.registry.services import refresh_search, size_band_for

from .columns import BY_FIELD
from .merging import M2M, SCALARS, merge_codes, merge_scalars, place_values
from .models import ImportJob, MatchDecision
from .parsing import FileRejected, limits, open_table

M2M_MODELS = {"stages": ChainStage, "industry_codes": IndustryCode, "certifications": Certification}


def _organisation_for(user, cluster) -> Organisation | None:
    if cluster is not None and cluster.office_id:
        actor = actor_for(user)
        if cluster.office_id in actor.org_ids():
            return cluster.office
    actor = actor_for(user)
    ops = actor.org_ids(kind=Organisation.Kind.OPERATOR)
    return Organisation.objects.filter(pk__in=ops).first() if ops else None


def create_job(*, user, upload, cluster: Cluster | None = None, system: bool = False) -> ImportJob:
    """Check the uploaded file and keep it, ready for its column mapping. Raises FileRejected
    (nothing kept, nothing written) or PermissionDenied. `system`: the command line, no user."""
    if not system and not can(user, "imports.import_enterprises", cluster):
        raise PermissionDenied
    name = os.path.basename(getattr(upload, "name", "") or "list")
    if getattr(upload, "size", 0) > limits()["max_bytes"]:
        raise FileRejected(
            "too_large",
            _("The file is %(size)s; the limit is %(limit)s. Split the list into parts."),
            size=filesizeformat(upload.size),
            limit=filesizeformat(limits()["max_bytes"]),
        )
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}{_ext(name)}", upload)
    path = default_storage.path(stored)
    try:
        table = open_table(path, name)
    except FileRejected:
        default_storage.delete(stored)
        raise
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    user = user if user is not None and user.is_authenticated else None
    job = ImportJob.objects.create(
        cluster=cluster,
        created_by=user,
        organisation=_organisation_for(user, cluster) if user else None,
        original_name=name[:255],
        sha256=digest.hexdigest(),
        kind=table.kind,
        sheet=table.sheet,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header_row=table.header_row,
        headers=table.headers,
        mapping={str(k): v for k, v in table.mapping.items()},
        notes=table.notes,
        total_rows=table.total_rows,
        formulas=table.formulas,
    )
    job.file.name = stored
    job.save(update_fields=["file"])
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE,
        obj=job,
        after=snapshot(job, ["original_name", "sha256", "cluster", "total_rows"]),
    )
    return job


def _ext(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    return ext if ext in (".xlsx", ".csv", ".txt", ".tsv", ".xlsm") else ""


def clean_mapping(job: ImportJob, mapping: dict) -> dict[str, str]:
    """Column index → field, checked: known fields, each once, the name column present."""
    clean: dict[str, str] = {}
    for key, field in (mapping or {}).items():
        if not field:
            continue
        try:
            index = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("Column %(c)s does not exist.") % {"c": key}) from None
        if not 0 <= index < len(job.headers):
            raise ValidationError(_("Column %(c)s does not exist.") % {"c": key})
        if field not in BY_FIELD:
            raise ValidationError(
                _("%(f)s is not a field an enterprise list can fill.") % {"f": field}
            )
        if field in clean.values():
            raise ValidationError(
                _("Two columns are mapped to %(f)s; map it once.") % {"f": BY_FIELD[field].label}
            )
        clean[str(index)] = field
    if "name_zh" not in clean.values():
        raise ValidationError(_("Map one column to the enterprise name (企业名称) to start."))
    return clean


@transaction.atomic
def start_job(*, user, job: ImportJob, mapping: dict | None = None, system: bool = False):
    if not system and not can(user, "imports.view_import", job):
        raise PermissionDenied
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    # A failed import, or one whose worker died (stale), resumes after its last committed batch.
    if job.status not in (ImportJob.Status.PREVIEW, ImportJob.Status.FAILED) and not job.is_stale:
        raise ValidationError(_("This import has already started."))
    before = snapshot(job, ["status", "mapping"])
    job.mapping = clean_mapping(job, job.mapping if mapping is None else mapping)
    job.status = ImportJob.Status.QUEUED
    job.queued_at = timezone.now()
    job.save(update_fields=["mapping", "status", "queued_at"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=job,
        before=before,
        after=snapshot(job, ["status", "mapping"]),
    )
    if not system:
        from .tasks import run_import

        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


# --- review -------------------------------------------------------------------------------------


def _stamp(decision: MatchDecision) -> dict:
    job = decision.job
    return {
        "user": job.created_by_id,
        "org": job.organisation_id,
        "at": job.created_at.isoformat(),
        "import": job.pk,
    }


def _codes(enterprise: Enterprise) -> dict:
    return {name: list(getattr(enterprise, name).values_list("code", flat=True)) for name in M2M}


def _set_codes(enterprise: Enterprise, codes: dict) -> None:
    for name, values in codes.items():
        getattr(enterprise, name).set(M2M_MODELS[name].objects.filter(code__in=values))


def _ensure_member(enterprise: Enterprise, cluster_id, user) -> str | None:
    """Approve the firm in the import's cluster; return the earlier status ('' if none)."""
    if not cluster_id:
        return None
    membership = ClusterMembership.objects.filter(
        enterprise=enterprise, cluster_id=cluster_id
    ).first()
    if membership and membership.status == ClusterMembership.Status.APPROVED:
        return None
    before = membership.status if membership else ""
    ClusterMembership.objects.update_or_create(
        enterprise=enterprise,
        cluster_id=cluster_id,
        defaults={
            "status": ClusterMembership.Status.APPROVED,
            "requested_by": user,
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )
    return before


def _locked_pending(user, decision: MatchDecision, action: str) -> MatchDecision:
    if not can(user, action, decision):
        raise PermissionDenied
    decision = MatchDecision.objects.select_for_update().select_related("job").get(pk=decision.pk)
    return decision


@transaction.atomic
def confirm_match(*, user, decision: MatchDecision) -> MatchDecision:
    """The person says: same firm. Merge the row into the candidate (fill gaps, newer wins)."""
    decision = _locked_pending(user, decision, "imports.decide_match")
    if decision.outcome != MatchDecision.Outcome.PENDING:
        raise ValidationError(_("This potential match has already been decided."))
    if decision.candidate_id is None:
        raise ValidationError(_("The registry record of this match no longer exists."))
    if not firms_open_to_import(decision.job, {decision.candidate_id}):
        # It left the list's clusters after the row was queued.
        raise ValidationError(
            _("This firm is not a member of the list's cluster; a list changes only its own firms.")
        )
    enterprise = Enterprise.objects.select_for_update().get(pk=decision.candidate_id)
    values = decision.incoming
    uscc = values.get("uscc")
    if uscc and Enterprise.objects.filter(uscc=uscc).exclude(pk=enterprise.pk).exists():
        raise ValidationError(
            _("Code %(code)s belongs to another firm in the registry; reject this match.")
            % {"code": uscc}
        )
    if uscc and enterprise.uscc and enterprise.uscc != uscc:
        raise ValidationError(_("The two records have different codes; they are different firms."))
    place = geocode(values["address"]) if values.get("address") else None
    provenance_before = dict(enterprise.field_provenance or {})
    changes = merge_scalars(
        enterprise, values, place, _stamp(decision), decision.job.created_at.isoformat()
    )
    current = _codes(enterprise)
    code_changes = merge_codes(current, values)
    changes.update(code_changes)
    enterprise.save()
    _set_codes(enterprise, {name: after for name, (_b, after) in code_changes.items()})
    earlier = _ensure_member(enterprise, decision.job.cluster_id, user)
    if earlier is not None:
        changes["_membership"] = [earlier, ClusterMembership.Status.APPROVED]
    refresh_search(enterprise)
    decision.enterprise = enterprise
    decision.outcome = MatchDecision.Outcome.CONFIRMED
    decision.changes = changes
    decision.provenance_before = provenance_before
    decision.decided_by, decision.decided_at = user, timezone.now()
    decision.save()
    _audit_merge(user, enterprise, changes, f"match #{decision.pk} confirmed")
    _recount(decision.job)
    return decision


def _audit_merge(user, enterprise, changes, reason):
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=enterprise,
        before={k: v[0] for k, v in changes.items()},
        after={k: v[1] for k, v in changes.items()},
        reason=reason,
    )


@transaction.atomic
def reject_match(*, user, decision: MatchDecision) -> MatchDecision:
    """The person says: different firms. The row becomes a new registry record."""
    decision = _locked_pending(user, decision, "imports.decide_match")
    if decision.outcome != MatchDecision.Outcome.PENDING:
        raise ValidationError(_("This potential match has already been decided."))
    values = decision.incoming
    uscc = values.get("uscc")
    if uscc and Enterprise.objects.filter(uscc=uscc).exists():
        raise ValidationError(
            _("Code %(code)s is already in the registry; this row cannot become a new firm.")
            % {"code": uscc}
        )
    enterprise = create_from_row(decision, user)
    decision.enterprise = enterprise
    decision.outcome = MatchDecision.Outcome.REJECTED
    decision.decided_by, decision.decided_at = user, timezone.now()
    decision.save()
    _recount(decision.job)
    return decision


def create_from_row(decision: MatchDecision, user) -> Enterprise:
    job, values = decision.job, decision.incoming
    scalars = {k: v for k, v in values.items() if k in SCALARS}
    place = geocode(values["address"]) if values.get("address") else None
    stamp = _stamp(decision)
    enterprise = Enterprise(
        **scalars,
        **place_values(place),
        source=Enterprise.Source.IMPORT,
        supplied_by_id=job.created_by_id,
        supplied_by_org_id=job.organisation_id,
        supplied_at=timezone.now(),
        field_provenance={name: stamp for name in list(scalars) + list(M2M)},
    )
    if place is None and job.cluster_id:
        enterprise.adcode, enterprise.province = job.cluster.adcode, job.cluster.province
    enterprise.size_band = size_band_for(enterprise.employees)
    set_name_keys(enterprise)
    enterprise.full_clean(exclude=["search_tokens"])
    enterprise.save()
    _set_codes(enterprise, {name: values.get(name) or [] for name in M2M})
    _ensure_member(enterprise, job.cluster_id, user)
    refresh_search(enterprise)
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE,
        obj=enterprise,
        after=snapshot(enterprise, [*SCALARS, "adcode", "source"]),
        reason=f"match #{decision.pk} rejected",
    )
    return enterprise


@transaction.atomic
def undo_merge(*, user, decision: MatchDecision) -> MatchDecision:
    """Put the firm's fields back as they were before the merge, unless edited since; the row
    goes back to the review queue."""
    decision = _locked_pending(user, decision, "imports.undo_merge")
    if decision.outcome not in (MatchDecision.Outcome.MERGED, MatchDecision.Outcome.CONFIRMED):
        raise ValidationError(_("Only a merge can be undone."))
    if decision.enterprise_id is None:
        raise ValidationError(_("The merged firm no longer exists."))
    enterprise = Enterprise.objects.select_for_update().get(pk=decision.enterprise_id)
    changes = decision.changes or {}
    restored, kept = {}, []
    provenance = dict(enterprise.field_provenance or {})
    for name, (before, after) in changes.items():
        if name in M2M or name.startswith("_"):
            continue
        current = getattr(enterprise, name)
        current = (
            str(current) if current is not None and name in ("latitude", "longitude") else current
        )
        if current != after:
            kept.append(name)  # changed again since the merge: that later edit stays
            continue
        setattr(enterprise, name, before)
        restored[name] = [after, before]
        if name in decision.provenance_before:
            provenance[name] = decision.provenance_before[name]
        else:
            provenance.pop(name, None)
    enterprise.field_provenance = provenance
    enterprise.size_band = size_band_for(enterprise.employees)
    set_name_keys(enterprise)
    enterprise.save()
    current = _codes(enterprise)
    for name in M2M:
        if name in changes:
            before, after = changes[name]
            added = [c for c in after if c not in before]
            keep = [c for c in current[name] if c not in added]
            if keep != current[name]:
                _set_codes(enterprise, {name: keep})
                restored[name] = [current[name], keep]
    if "_membership" in changes and decision.job.cluster_id:
        earlier = changes["_membership"][0]
        membership = ClusterMembership.objects.get(
            enterprise=enterprise, cluster_id=decision.job.cluster_id
        )
        if earlier:
            membership.status = earlier
            membership.save(update_fields=["status"])
        else:
            membership.delete()
        restored["_membership"] = [ClusterMembership.Status.APPROVED, earlier]
    refresh_search(enterprise)
    _audit_merge(user, enterprise, restored, f"merge of match #{decision.pk} undone")
    decision.outcome = MatchDecision.Outcome.PENDING
    decision.enterprise = None
    decision.changes = {"_undone": {"restored": restored, "kept": kept}}
    decision.decided_by, decision.decided_at = user, timezone.now()
    decision.save()
    _recount(decision.job)
    return decision


def _recount(job: ImportJob) -> None:
    counts = {o: 0 for o in MatchDecision.Outcome.values}
    for outcome, n in (
        MatchDecision.objects.filter(job=job).values_list("outcome").annotate(n=models_count())
    ):
        counts[outcome] = n
    ImportJob.objects.filter(pk=job.pk).update(
        created=counts["created"] + counts["rejected"],
        merged=counts["merged"] + counts["confirmed"],
        unchanged=counts["unchanged"],
        pending=counts["pending"],
        outside=counts["outside"],
    )


def models_count():
    from django.db.models import Count

    return Count("id")
