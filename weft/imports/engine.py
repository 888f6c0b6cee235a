"""The import run: rows in batches, each validated, resolved and written in one transaction.

A batch commits whole or not at all, together with the job's position (`last_row`), so a killed
worker leaves no half-written firm and a rerun continues after the last committed batch. Firms
are written with their search tokens in the same transaction: searchable the moment it commits.
"""

import gc
import logging
import multiprocessing
import queue
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.reduction import ForkingPickler
from operator import attrgetter

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.utils import timezone

from weft.accounts.permissions import firms_open_to_import
from weft.audit.models import AuditRecord
from weft.audit.services import snapshot
from weft.core.jsontext import json_text
from weft.registry.bulk import (
    gather_search_entries,
    insert_links,
    insert_rows,
    merge_pending_search_entries,
    reserve_ids,
    token_array_text,
    update_rows,
)
from weft.registry.fields import TokenListField
from weft.registry.models import (
    Certification,
    ChainStage,
    ClusterMembership,
    Enterprise,
    IndustryCode,
)
from weft.registry.naming import set_name_keys
from weft.registry.search import enterprise_search_text, enterprise_tokens
from weft.registry.services import size_band_for
from weft.registry.signals import enterprises_written

from . import registry_merge
from .merging import M2M, SCALARS, merge_codes, merge_scalars, place_values
from .models import ImportJob, MatchDecision, RowError
from .parsing import FileRejected, Table
from .resolution import Index, Record, resolve
from .validation import PlaceCache, Row, Vocabulary, validate_rows

log = logging.getLogger(__name__)
# What a firm's marketplace capability rows are made of (see weft.market.services).
FOR_MARKET = {
    *("main_products", "stages", "certifications", "latitude", "longitude", "adcode"),
    "_membership",
}
AUDITED = [f for f in SCALARS] + ["province", "city", "county", "adcode", "size_band", "source"]


def batch_size() -> int:
    return int(getattr(settings, "WEFT_IMPORT_BATCH_SIZE", 5000))


def first_batch_size() -> int:
    """Two processes: the writer has nothing to do until the first batch arrives, so a small one
    starts it sooner (preparing it is mostly loading the registry); each next one is twice as
    large, up to the full size, so the writer does not wait again for a large second one."""
    return max(1, min(batch_size(), int(getattr(settings, "WEFT_IMPORT_FIRST_BATCH_SIZE", 500))))


@contextmanager
def sqlite_pragmas(mapped: int | None = None):
    """On SQLite, while importing: map at most WEFT_IMPORT_SQLITE_MMAP_BYTES of the database file,
    and checkpoint the write-ahead log every WEFT_IMPORT_SQLITE_CHECKPOINT_PAGES pages.

    The import reads the whole firms table once (resolution candidates) and then writes all over
    it; with the site's large mmap_size every page read stays mapped in the worker and counts in
    its resident memory (64 MiB by default: with two processes, 256 MiB each took the pair over
    1 GB on 200,000 firms; the process preparing batches maps nothing, see `_prepare_all`).
    Each batch rewrites many of the same index pages (firm indexes, search index): with the
    default 1,000-page checkpoint each commit copied them back into the database file again.
    `mapped` overrides the mapping's size."""
    conn = connections[DEFAULT_DB_ALIAS]
    limit = getattr(settings, "WEFT_IMPORT_SQLITE_MMAP_BYTES", 64 * 1024 * 1024)
    if mapped is not None:
        limit = mapped
    pages = getattr(settings, "WEFT_IMPORT_SQLITE_CHECKPOINT_PAGES", 20000)
    if conn.vendor != "sqlite":
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        row = cursor.fetchone()  # none for an in-memory database, which maps nothing
        if row is None:
            yield
            return
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = (row[0], cursor.fetchone()[0])
        if limit is not None:
            cursor.execute(f"PRAGMA mmap_size={int(limit)}")
        if pages is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"PRAGMA mmap_size={int(before[0])}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(before[1])}")


def table_of(job: ImportJob) -> Table:
    return Table(
        path=job.file.path,
        kind=job.kind,
        headers=job.headers,
        header_row=job.header_row,
        total_rows=job.total_rows,
        sheet=job.sheet,
        encoding=job.encoding,
        delimiter=job.delimiter or ",",
        formulas=job.formulas,
    )


class Draft:
    """A new firm's fields as an Enterprise has them, defaults included, without being one:
    making a hundred thousand model instances cost more than the rest of building the firms."""

    _meta = Enterprise._meta
    _defaults = {f.attname: f.get_default() for f in Enterprise._meta.concrete_fields}
    _mutable = tuple(n for n, v in _defaults.items() if isinstance(v, list | dict))

    def __init__(self, **values):
        self.__dict__.update(Draft._defaults)
        for name in Draft._mutable:  # none shared between drafts
            self.__dict__[name] = Draft._defaults[name].copy()
        self.__dict__.update(values)


@dataclass
class NewFirm:
    enterprise: Draft | None  # until prepared: then its row, as `values`
    codes: dict = field(default_factory=dict)  # stages / industry_codes / certifications
    values: list = field(default_factory=list)  # its column values, id and timestamps to fill in
    audit: list = field(default_factory=list)  # its audit record's row, id and time to fill in


@dataclass
class Batch:
    """A batch ready to be written: its rows, each good row's decision, the firms it creates."""

    rows: list[Row]
    planned: list  # (row, Decision, Record)
    new: dict[int, NewFirm]
    merges: registry_merge.Plan = field(default_factory=registry_merge.Plan)


class Engine:
    def __init__(self, job: ImportJob):
        self.job = job
        self.mapping = {int(k): v for k, v in job.mapping.items()}
        self.timings: dict[str, float] = defaultdict(float)  # seconds per phase, for the bench
        self.ids = {
            "stages": dict(ChainStage.objects.values_list("code", "id")),
            "industry_codes": dict(IndustryCode.objects.values_list("code", "id")),
            "certifications": dict(Certification.objects.values_list("code", "id")),
        }
        self.codes_of = {name: {v: k for k, v in ids.items()} for name, ids in self.ids.items()}
        self.since = job.created_at.isoformat()
        self.stamp = {
            "user": job.created_by_id,
            "org": job.organisation_id,
            "at": job.created_at.isoformat(),
            "import": job.pk,
        }
        self._temp = 0
        self.prepared = False  # what preparing needs is read at the first batch, where it runs
        # Firms created by this run: the ids they were decided under → their real ids.
        self.real_ids: dict[int, int] = {}
        self.decision_rows = PlainRows(MatchDecision)
        self.audit_rows = PlainRows(AuditRecord)

    def _start_preparing(self) -> None:
        self.vocab = Vocabulary()
        self.places = PlaceCache()
        self.index = Index()
        # Codes seen in rows already committed (a resumed run still knows them).
        self.seen_usccs: dict[str, int] = {}
        for row, incoming in self.job.decisions.values_list("row", "incoming"):
            if incoming.get("uscc"):
                self.seen_usccs.setdefault(incoming["uscc"], row)
        self.prepared = True

    # -- one batch ---------------------------------------------------------------------------------
    def process(self, raw_rows: list[tuple[int, list]]) -> None:
        self.commit(self.prepare(raw_rows))

    def prepare(self, raw_rows: list[tuple[int, list]]) -> "Batch":
        """Everything that needs no write: validate, geocode, resolve, build the new firms (their
        search tokens included) and combine the rows merged into them. May run in another
        process than `commit` (see `_run_pipelined`): it reads only committed data."""
        if not self.prepared:
            self._start_preparing()
        began = time.perf_counter()
        self.supplied_at = timezone.now()  # one time for the batch's new firms
        rows = validate_rows(
            raw_rows,
            self.mapping,
            self.job.headers,
            self.vocab,
            self.seen_usccs,
            formulas=self.job.kind == "xlsx",
            places=self.places,
        )
        good = [r for r in rows if r.ok]
        checked = time.perf_counter()
        self.timings["validate and geocode"] += checked - began
        self.index.load_usccs([r.values.get("uscc") for r in good])
        fallback = self.job.cluster.adcode if self.job.cluster_id else ""
        self.index.load_prefectures(
            {(r.place.adcode if r.place else fallback)[:4] for r in good} - {""}
        )
        loaded = time.perf_counter()
        self.timings["load registry candidates"] += loaded - checked
        new: dict[int, NewFirm] = {}
        planned = []  # (row, decision, record)
        for row in good:
            adcode = row.place.adcode if row.place else fallback
            record = Record(
                0,
                row.values.get("uscc"),
                row.values["name_zh"],
                row.values.get("address", ""),
                adcode,
            )
            decision = resolve(record, self.index)
            if decision.action == "new":
                self._temp -= 1
                record.id = self._temp
                self.index.add(record)
                new[record.id] = NewFirm(self._build(row), self._row_codes(row))
            planned.append((row, decision, record))
        self._keep_outside_firms(planned)
        resolved = time.perf_counter()
        self.timings["resolve"] += resolved - loaded
        cluster_ids = [self.job.cluster_id] if self.job.cluster_id else []
        # Rows merged into a firm that is itself new in this batch: combine before inserting.
        # (A firm new in an earlier batch is in the registry by now: merged like any other.)
        for row, decision, _record in planned:
            target = decision.candidate
            if decision.action == "merge" and target is not None and target.id in new:
                firm = new[target.id]
                decision.into_new = True
                decision.changes = merge_scalars(
                    firm.enterprise, row.values, row.place, self.stamp, self.since
                )
                decision.changes.update(merge_codes(firm.codes, row.values))
                for name in M2M:
                    if name in decision.changes:
                        firm.codes[name] = decision.changes[name][1]
        row_of = _row_maker(Enterprise)
        for firm in new.values():
            e = firm.enterprise
            self._tokens(e, cluster_ids, firm.codes)
            # Its row and its audit record's, ready for the database: the writer only numbers
            # and stamps them.
            firm.audit = self._audit_row(
                AuditRecord.Action.CREATE,
                "",
                e.name_zh,
                None,
                {**snapshot(e, AUDITED), **firm.codes},
                f"import #{self.job.pk}",
            )
            firm.values, firm.enterprise = row_of(e), None
        built = time.perf_counter()
        self.timings["build new firms"] += built - resolved
        merges = self._plan_merges(planned, cluster_ids)
        # Each decision's row, ready but for what only the writer knows: the firms' ids (those
        # new in this batch have none yet), the outcome, merges it had to work out again.
        for row, decision, _record in planned:
            into_new = getattr(decision, "into_new", False)
            changes = decision.changes if into_new else merges.changes.get(row.number)
            before = merges.provenance_before.get(row.number)
            decision.values = self.decision_rows.make(
                {
                    "job_id": self.job.pk,
                    "row": row.number,
                    "incoming": _json_text(_incoming(row)),
                    "score": round(decision.score, 2),
                    "name_score": round(decision.name_score, 2),
                    "address_score": round(decision.address_score, 2),
                    "reason": decision.reason,
                    "changes": _EMPTY if changes is None else _json_text(changes),
                    "provenance_before": _EMPTY if before is None else _json_text(before),
                }
            )
        self.timings["work out merges into the registry"] += time.perf_counter() - built
        return Batch(rows, planned, new, merges)

    def _keep_outside_firms(self, planned) -> None:
        """Rows matching a registry firm this list may not change (see `firms_open_to_import`)
        are recorded as such, and neither merged nor queued for review."""
        matched = {
            d.candidate.id
            for _row, d, _record in planned
            if d.action in ("merge", "review") and d.candidate.id > 0
        }
        if not matched:
            return
        open_ids = firms_open_to_import(self.job, matched)
        for _row, decision, _record in planned:
            if (
                decision.action in ("merge", "review")
                and decision.candidate.id in matched - open_ids
            ):
                decision.action = "outside"

    def _plan_merges(self, planned, cluster_ids: list) -> registry_merge.Plan:
        """The merges into firms already in the registry, worked out from what is committed."""
        rows = [
            (row, decision.candidate.id)
            for row, decision, _record in planned
            if decision.action == "merge"
            and not getattr(decision, "into_new", False)
            and decision.candidate.id > 0
        ]
        if not rows:
            return registry_merge.Plan()
        plan = self._work_out_merges(rows, cluster_ids, lock=False)
        names = {d.candidate.id: d.candidate.name for _r, d, _rec in planned if d.candidate}
        for row, pk in rows:
            if plan.changes.get(row.number):
                plan.audits[row.number] = self._update_audit(
                    pk, names[pk], row.number, plan.changes[row.number]
                )
        return plan

    def _work_out_merges(self, rows: list, cluster_ids: list, *, lock: bool):
        """The merges of `rows` ([(row, registry firm id)]) from the firms as committed."""
        state = registry_merge.read(
            {pk for _row, pk in rows}, cluster_ids, self.codes_of, lock=lock
        )
        return registry_merge.plan(
            [(row, pk) for row, pk in rows if pk in state.firms],  # gone since: left out
            state,
            stamp=self.stamp,
            since=self.since,
            cluster_ids=cluster_ids,
            ids=self.ids,
        )

    def _audit_row(self, action, object_id: str, name: str, before, after, reason: str) -> list:
        return self.audit_rows.make(
            {
                "actor_id": self.job.created_by_id,
                "action": action,
                "object_type": "registry.enterprise",
                "object_id": object_id,
                "object_repr": name[:255],
                "before": None if before is None else _json_text(before),
                "after": _json_text(after),
                "reason": reason,
            }
        )

    def _update_audit(self, pk: int, name: str, row_number: int, changes: dict) -> list:
        return self._audit_row(
            AuditRecord.Action.UPDATE,
            str(pk),
            name,
            {k: v[0] for k, v in changes.items()},
            {k: v[1] for k, v in changes.items()},
            f"import #{self.job.pk} row {row_number}",
        )

    def commit(self, batch: "Batch") -> None:
        """Write a prepared batch in one transaction, with the job's position."""
        with transaction.atomic():
            # PostgreSQL: the search index merges a batch's new entries in a few large runs.
            gather_search_entries(int(getattr(settings, "WEFT_IMPORT_GIN_PENDING_KB", 65536)))
            _commit_without_waiting_for_disk()
            self._write(batch)
            written = time.perf_counter()
        self.timings["commit"] += time.perf_counter() - written

    def real_id(self, pk: int | None) -> int | None:
        """The registry id of a firm decided under `pk` (negative: new in this run)."""
        if pk is None or pk > 0:
            return pk
        return self.real_ids.get(pk)

    def _row_codes(self, row: Row) -> dict:
        return {name: list(row.values.get(name) or []) for name in M2M}

    def _build(self, row: Row) -> Draft:
        job = self.job
        values = {k: v for k, v in row.values.items() if k in SCALARS}
        enterprise = Draft(
            **values,
            **place_values(row.place),
            legal_form=Enterprise.LegalForm.LIMITED,
            source=Enterprise.Source.IMPORT,
            supplied_by_id=job.created_by_id,
            supplied_by_org_id=job.organisation_id,
            supplied_at=self.supplied_at,
            field_provenance={name: self.stamp for name in list(values) + list(M2M)},
        )
        if row.place is None and job.cluster_id:
            c = job.cluster
            enterprise.province, enterprise.city, enterprise.county = (
                c.province,
                c.prefecture,
                c.county,
            )
            enterprise.adcode = c.adcode
        enterprise.size_band = size_band_for(enterprise.employees)
        set_name_keys(enterprise)
        return enterprise

    # -- the transaction -----------------------------------------------------------------------------
    def _write(self, batch: Batch) -> None:
        job, rows, planned, new = self.job, batch.rows, batch.planned, batch.new
        now = timezone.now()
        began = time.perf_counter()
        # A worker thought dead may come back after the job was resumed elsewhere: whoever
        # finds the position moved since it read it has been superseded, and writes nothing.
        position = (
            ImportJob.objects.select_for_update()
            .filter(pk=job.pk)
            .values_list("last_row", "status")
        )
        last_row, status = position.get()
        if last_row != job.last_row or status != ImportJob.Status.RUNNING:
            raise Superseded(job.pk)
        cluster_ids = [job.cluster_id] if job.cluster_id else []

        # New firms: ids, rows, links, memberships (tokens were made with them, see `prepare`).
        temp_ids = sorted(new, reverse=True)
        real_ids = reserve_ids(Enterprise, len(temp_ids)) if temp_ids else []
        id_of = dict(zip(temp_ids, real_ids, strict=True))
        _insert_made(Enterprise, [new[t].values for t in temp_ids], real_ids, now)
        for name in M2M:
            through, left, right = registry_merge.through_table(name)
            keys = [(id_of[t], self.ids[name][c]) for t in temp_ids for c in new[t].codes[name]]
            insert_links(through, [left, right], keys)
        if job.cluster_id and temp_ids:
            insert_links(
                ClusterMembership,
                ["enterprise_id", "cluster_id"],
                [(id_of[t], job.cluster_id) for t in temp_ids],
                {
                    "status": ClusterMembership.Status.APPROVED,
                    "requested_by": job.created_by_id,
                    "requested_at": now,
                    "decided_by": job.created_by_id,
                    "decided_at": now,
                    "note": "",
                },
            )
        # Later batches may name these firms by the ids they were decided under.
        self.real_ids.update(id_of)
        for _row, decision, _record in planned:
            decision.target_id = self.real_id(decision.candidate.id) if decision.candidate else None

        # Merges into registry firms.
        merge_targets = {
            d.target_id
            for _r, d, _rec in planned
            if d.action == "merge" and not getattr(d, "into_new", False)
        }
        inserted = time.perf_counter()
        self.timings["write new firms"] += inserted - began
        merges = self._merge_existing(planned, merge_targets, cluster_ids, now, batch.merges)
        merged, touched = merges.changes, merges.touched
        merging = time.perf_counter()
        self.timings["write merges"] += merging - inserted
        # The marketplace rebuilds the capability rows of new firms and of merged firms whose
        # products, stages, certifications, place or clusters changed (not new staff figures),
        # in this transaction.
        rebuilt = {pk for pk, what in touched.items() if what & FOR_MARKET}
        enterprises_written.send(sender=ImportJob, enterprise_ids=set(real_ids) | rebuilt)
        updated = time.perf_counter()
        self.timings["marketplace rebuild"] += updated - merging

        # Decisions, row errors, audit, position: all in this transaction.
        pending_keys = self._pending_elsewhere(planned)
        audits = []
        by_row = {row.number: decision for row, decision, _rec in planned}
        counts = {"created": 0, "merged": 0, "unchanged": 0, "pending": 0, "outside": 0}
        at, decided_at = self.decision_rows.at, self.decision_rows.ready("decided_at", now)
        for row, decision, record in planned:
            values = decision.values  # made by `prepare`
            candidate_id = decision.target_id
            if decision.action == "new":
                outcome, target = MatchDecision.Outcome.CREATED, self.real_id(record.id)
                candidate_id = None
            elif decision.action == "merge":
                target = candidate_id
                if getattr(decision, "into_new", False):
                    changes = decision.changes
                else:
                    changes = merged[row.number]
                outcome = (
                    MatchDecision.Outcome.MERGED if changes else MatchDecision.Outcome.UNCHANGED
                )
            elif decision.action == "outside":
                outcome, target = MatchDecision.Outcome.OUTSIDE, None
            else:
                target = None
                if (
                    candidate_id,
                    row.values["name_zh"],
                    row.values.get("address", ""),
                ) in pending_keys:
                    outcome = MatchDecision.Outcome.UNCHANGED  # already waiting from an earlier run
                else:
                    outcome = MatchDecision.Outcome.PENDING
            counts[outcome] += 1
            values[at["candidate_id"]] = candidate_id
            values[at["enterprise_id"]] = target
            values[at["outcome"]] = outcome
            values[at["decided_at"]] = (
                decided_at if outcome != MatchDecision.Outcome.PENDING else None
            )
        when, at = self.audit_rows.ready("at", now), self.audit_rows.at
        for t in temp_ids:
            audit = new[t].audit
            audit[at["object_id"]], audit[at["at"]] = str(id_of[t]), when
            audits.append(audit)
        for row_number, changes in merged.items():
            if changes:
                decision = by_row[row_number]
                audit = merges.audits.get(row_number) or self._update_audit(
                    decision.target_id, decision.candidate.name, row_number, changes
                )
                audit[at["at"]] = when
                audits.append(audit)
        self.decision_rows.insert([decision.values for _row, decision, _rec in planned])
        self.audit_rows.insert(audits)
        errors = [
            {
                "job_id": job.pk,
                "row": row.number,
                "field": e["field"],
                "column": self._column_of(e["field"]),
                "code": e["code"],
                "params": e["params"],
            }
            for row in rows
            for e in row.errors
        ]
        _insert_rows(RowError, errors)
        rejected = sum(1 for r in rows if not r.ok)
        if rows:
            job.last_row = rows[-1].number
        ImportJob.objects.filter(pk=job.pk).update(
            heartbeat_at=now,
            last_row=rows[-1].number if rows else job.last_row,
            rows_done=F("rows_done") + len(rows),
            created=F("created") + counts["created"],
            merged=F("merged") + counts["merged"],
            unchanged=F("unchanged") + counts["unchanged"],
            pending=F("pending") + counts["pending"],
            outside=F("outside") + counts["outside"],
            rejected=F("rejected") + rejected,
        )
        self.timings["write decisions, audit, errors"] += time.perf_counter() - updated

    def _column_of(self, field_name: str) -> str:
        for index, name in self.mapping.items():
            if name == field_name and index < len(self.job.headers):
                return self.job.headers[index][:200]
        return ""

    def _pending_elsewhere(self, planned) -> set:
        ids = {d.target_id for _r, d, _ in planned if d.action == "review" and d.candidate}
        if not ids:
            return set()
        return {
            (c, incoming.get("name_zh"), incoming.get("address", ""))
            for c, incoming in MatchDecision.objects.filter(
                outcome=MatchDecision.Outcome.PENDING, candidate_id__among=ids
            ).values_list("candidate_id", "incoming")
        }

    def _tokens(self, e: Enterprise, cluster_ids: list, codes: dict) -> None:
        e.search_text = enterprise_search_text(e)
        e.search_tokens = enterprise_tokens(
            e,
            cluster_ids=cluster_ids,
            stage_codes=codes.get("stages", []),
            industry_codes=codes.get("industry_codes", []),
            certification_codes=codes.get("certifications", []),
        )

    def _approve(self, joining: dict, cluster_ids: list, now) -> None:
        """Approved memberships of the import's cluster for merged firms not yet approved in it:
        new rows for firms without one, the others (requested, rejected) approved; two statements
        for the batch, not two per firm."""
        if not joining:
            return
        decided = {
            "status": ClusterMembership.Status.APPROVED,
            "decided_by_id": self.job.created_by_id,
            "decided_at": now,
            "requested_by_id": self.job.created_by_id,
        }
        for cluster_id in cluster_ids:
            ClusterMembership.objects.filter(
                enterprise_id__among={pk for pk, status in joining.items() if status is not None},
                cluster_id=cluster_id,
            ).update(**decided)
            insert_links(
                ClusterMembership,
                ["enterprise_id", "cluster_id"],
                [(pk, cluster_id) for pk, status in joining.items() if status is None],
                {
                    "status": ClusterMembership.Status.APPROVED,
                    "requested_by": self.job.created_by_id,
                    "requested_at": now,
                    "decided_by": self.job.created_by_id,
                    "decided_at": now,
                    "note": "",
                },
            )

    def _merge_existing(self, planned, target_ids: set, cluster_ids: list, now, plan):
        """Apply merges to registry firms; returns the plan applied.

        `plan` was worked out by `prepare`; firms that are not, under this transaction's lock, as
        it read them (or that it could not know: new earlier in this run) are worked out again."""
        if not target_ids:
            return registry_merge.Plan()
        seen = registry_merge.seen_now(target_ids, cluster_ids)
        stale = {pk for pk in target_ids if pk not in plan.seen or plan.seen[pk] != seen.get(pk)}
        if stale:
            rows = [
                (row, d.target_id)
                for row, d, _rec in planned
                if d.action == "merge"
                and not getattr(d, "into_new", False)
                and d.target_id in stale
            ]
            again = self._work_out_merges(rows, cluster_ids, lock=True)
            plan = plan.replace(stale, again, {row.number for row, _pk in rows})
            at = self.decision_rows.at
            for row, decision, _rec in planned:
                if row.number in again.changes:
                    decision.values[at["changes"]] = _json_text(again.changes[row.number])
                    decision.values[at["provenance_before"]] = _json_text(
                        again.provenance_before[row.number]
                    )
        self._approve(plan.joining, cluster_ids, now)
        for name in M2M:
            through, left, right = registry_merge.through_table(name)
            insert_links(through, [left, right], plan.links[name])
        conn = connections[DEFAULT_DB_ALIAS]
        updated_at = Enterprise._meta.get_field("updated_at")
        stamp = updated_at.get_db_prep_save(now, conn)
        for changed, values in plan.updates.items():
            fields = [Enterprise._meta.get_field(n) for n in changed] + [updated_at]
            update_rows(Enterprise, fields, [v[:-1] + [stamp, v[-1]] for v in values])
        return plan


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL: this batch's COMMIT returns before its log is flushed to disk (a fraction of
    a second later). A crash of the server in between loses the whole batch, never part of it,
    and with it the job's position, so that resuming writes it again; the rest of the site
    keeps its durable commits. WEFT_IMPORT_PG_WAIT_FOR_DISK=true turns this off."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql" and not getattr(settings, "WEFT_IMPORT_PG_WAIT_FOR_DISK", False):
        with conn.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


class Superseded(Exception):
    """Another worker has taken the job over (it was resumed as stale): this one stops."""


class PlainRows:
    """Rows of `model` as lists of values ready for the database, in the order of its concrete
    fields (the primary key left to the database): made from {attname: value} (the rest take
    their field's default), in whichever process has the values, patched and inserted by the
    writer with one prepared statement (COPY on PostgreSQL). No model instances, and each
    distinct date or decimal converted once (a batch's rows share their `now`)."""

    def __init__(self, model):
        conn = connections[DEFAULT_DB_ALIAS]
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in fields]
        self.at = {f.attname: i for i, f in enumerate(fields)}  # attname → position in a row
        defaults = [f.get_default() if f.has_default() else None for f in fields]
        self.converters = []
        for f in fields:
            kind = f.get_internal_type()
            if kind in _AS_IS:
                self.converters.append(None)
            elif kind == "JSONField":
                self.converters.append(
                    lambda v, f=f: (
                        # Made plain: a str subclass pickles ten times slower between processes.
                        str(v) if type(v) is JsonText else conn.ops.adapt_json_value(v, f.encoder)
                    )
                )
            else:
                self.converters.append(_memo(lambda v, f=f: f.get_db_prep_save(v, conn)))
        # Every row starts as a copy of the defaults, converted once (3.2 → 0.9 µs a row).
        self.blank = [
            d if convert is None else convert(d)
            for d, convert in zip(defaults, self.converters, strict=True)
        ]

    def make(self, values: dict) -> list:
        row = self.blank.copy()
        at, converters = self.at, self.converters
        for attname, value in values.items():
            i = at[attname]
            convert = converters[i]
            row[i] = value if convert is None else convert(value)
        return row

    def ready(self, attname: str, value):
        """`value` for the column of `attname`, ready for the database."""
        convert = self.converters[self.at[attname]]
        return value if convert is None else convert(value)

    def insert(self, rows: list[list]) -> None:
        if rows:
            insert_rows(self.model, self.columns, rows)


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT plain rows ({attname: value}) of `model` (see PlainRows)."""
    plain = PlainRows(model)
    plain.insert([plain.make(row) for row in rows])


def _memo(convert):
    seen = {}

    def converted(value):
        if value is None:
            return convert(value)
        if value not in seen:
            seen[value] = convert(value)
        return seen[value]

    return converted


# Fields whose Python value is what the database driver takes: read as they are. Dates, decimals
# and JSON go through Django's preparation (most of the cost of an insert when done for all).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


class JsonText(str):
    """A JSON value already encoded (by the preparing process): written as it is."""


_EMPTY = JsonText("{}")


def _json_text(value) -> JsonText:
    # Text (see core.jsontext), which both databases parse as they would Django's (COPY too).
    return JsonText(json_text(value))


def _row_maker(model):
    """A function giving a model instance's column values ready for the database, in the order
    of its concrete fields; the primary key and the auto_now timestamps are left to
    `_insert_made`. JSON is encoded here (text), so the values travel between processes."""
    conn = connections[DEFAULT_DB_ALIAS]
    getters = []
    for f in model._meta.concrete_fields:
        kind = f.get_internal_type()
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            getters.append(lambda obj: None)
        elif kind in _AS_IS:
            getters.append(attrgetter(f.attname))
        elif kind == "JSONField":
            getters.append(lambda obj, f=f: json_text(getattr(obj, f.attname)))
        elif isinstance(f, TokenListField) and conn.vendor == "postgresql":
            getters.append(lambda obj, f=f: token_array_text(getattr(obj, f.attname)))
        elif kind in ("DateTimeField", "DecimalField"):
            # Decimals as text, which both databases take: a Decimal pickles several times
            # slower between the processes.
            prep = _memo(lambda v, f=f: _plain(f.get_db_prep_save(v, conn)))
            getters.append(lambda obj, f=f, prep=prep: prep(getattr(obj, f.attname)))
        else:
            getters.append(lambda obj, f=f: f.get_db_prep_save(f.pre_save(obj, True), conn))
    return lambda obj: [get(obj) for get in getters]


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def _insert_made(model, rows: list[list], ids: list[int], now) -> None:
    """INSERT rows made by `_row_maker`, numbered `ids` and stamped `now`, in one statement."""
    if not rows:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    fields = model._meta.concrete_fields
    pk = next(i for i, f in enumerate(fields) if f.primary_key)
    stamps = [
        (i, f.get_db_prep_save(now, conn))
        for i, f in enumerate(fields)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for row, pk_value in zip(rows, ids, strict=True):
        row[pk] = pk_value
        for i, stamp in stamps:
            row[i] = stamp
    insert_rows(model, [f.column for f in fields], rows)


def _incoming(row: Row) -> dict:
    values = dict(row.values)
    if row.place is not None:
        values["_adcode"] = row.place.adcode
    return values


def run(job: ImportJob, progress=None) -> ImportJob:
    """Run (or resume) `job` to the end. `progress(rows)` is called after each committed batch."""
    if job.status == ImportJob.Status.DONE:
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        started_at=job.started_at or timezone.now(),
        heartbeat_at=timezone.now(),
        error_code="",
        error_message="",
    )
    job.refresh_from_db()
    began = time.perf_counter()
    try:
        with sqlite_pragmas():
            engine = _run_batches(job, progress)
        merging = time.perf_counter()
        merge_pending_search_entries()
        engine.timings["merge the search index's pending entries"] = time.perf_counter() - merging
    except Superseded:
        log.warning("Import %s was resumed by another worker; this one stops", job.pk)
        job.refresh_from_db()
        return job
    except FileRejected as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            error_code=exc.code,
            error_message=exc.message[:2000],
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    except Exception as exc:
        log.exception("Import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            error_code="crashed",
            error_message=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    # Where the time went (not stored): the rest is reading the file and setting up. Phases of
    # the preparing process overlap the others (see `_run_pipelined`).
    job.timings = dict(engine.timings)
    here = sum(v for k, v in engine.timings.items() if not k.endswith("(in parallel)"))
    job.timings["read file and set up"] = time.perf_counter() - began - here
    return job


def _run_batches(job: ImportJob, progress) -> Engine:
    engine = Engine(job)
    if pipelined():
        return _run_pipelined(engine, progress)
    size = batch_size()
    batch = []
    for item in table_of(job).rows(after=job.last_row):
        batch.append(item)
        if len(batch) >= size:
            engine.process(batch)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        engine.process(batch)
        if progress:
            progress(len(batch))
    return engine


def pipelined() -> bool:
    """Whether this run prepares its batches in a second process while this one writes them.

    Only where that process sees what this one sees and forking is safe: no transaction open
    here (the preparing process reads committed rows only), not an in-memory SQLite database
    (a copy, once forked), a single thread (forking copies no other thread, nor the locks they
    hold), and not inside a daemonic process (which may have no children).
    """
    conn = connections[DEFAULT_DB_ALIAS]
    return bool(
        getattr(settings, "WEFT_IMPORT_PIPELINE", True)
        and "fork" in multiprocessing.get_all_start_methods()
        and not conn.in_atomic_block
        and not (conn.vendor == "sqlite" and conn.is_in_memory_db())
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def _run_pipelined(engine: Engine, progress) -> Engine:
    """Two processes: a forked one reads, validates, geocodes and resolves batch n + 1 (and builds
    its firms) while this one writes batch n. Writes stay here, one transaction per batch, so a
    batch is still all or nothing, the position moves with it and a rerun resumes after it; the
    other process reads only and holds at most one prepared batch waiting (a pipe's send blocks
    until it is received)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    preparer = context.Process(target=_prepare_all, args=(engine, sender), daemon=True)
    preparer.start()
    sender.close()
    # The garbage collector walks what is alive, again and again as objects are made: with each
    # batch some hundred thousand, it took a tenth of the writing time. It runs instead once per
    # batch, on what the batch left behind (young objects only: what lived before is frozen).
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        while True:
            waiting = time.perf_counter()
            try:
                message = receiver.recv()
            except EOFError:
                raise RuntimeError("The process reading the file stopped unexpectedly.") from None
            first = "waiting for the first batch" not in engine.timings
            waited = "waiting for the first batch" if first else "waiting for prepared rows"
            engine.timings[waited] += time.perf_counter() - waiting
            kind, payload = message
            if kind == "batch":
                engine.commit(payload)
                if progress:
                    progress(len(payload.rows))
                message = payload = None
                gc.collect(1)
            elif kind == "done":
                # Phases of the other process, which overlapped these ones.
                for name, seconds in payload.items():
                    engine.timings[f"{name} (in parallel)"] += seconds
                return engine
            elif kind == "rejected":
                code, message_lazy, params = payload
                raise FileRejected(code, message_lazy, **params)
            else:
                raise RuntimeError(payload)
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
        receiver.close()
        if preparer.is_alive():
            preparer.kill()  # it only reads; a worker's SIGTERM handler, inherited, might not stop it
        preparer.join()


_INHERITED = []  # the parent's database connections, kept (not closed) in the forked process


def _prepare_all(engine: Engine, pipe) -> None:
    """In the forked process: prepare every batch after the job's position and send it on."""
    # Connections are the parent's: closing them here would close its sessions too. They are set
    # aside unused (the process ends with os._exit, which finalises nothing) and new ones opened.
    for conn in connections.all(initialized_only=True):
        _INHERITED.append(conn.connection)
        conn.connection = None
    engine.timings = defaultdict(float)
    job = engine.job
    # Young objects are collected every 50,000 allocations, not 700: a batch makes millions of
    # short-lived ones, and the collector's walks took 1.9 s of a 100,000-row list (0.7 s so).
    gc.set_threshold(50_000, 20, 100)
    sender = _Sender(pipe, ahead=batches_ahead())
    try:
        # Nothing mapped: it scans the firms once and keeps none of their pages.
        with sqlite_pragmas(mapped=0):
            began = time.perf_counter()
            size = first_batch_size()
            batch = []
            for item in table_of(job).rows(after=job.last_row):
                batch.append(item)
                if len(batch) >= size:
                    _hand_over(engine, batch, sender)
                    batch, size = [], min(batch_size(), size * 2)
            if batch:
                _hand_over(engine, batch, sender)
            engine.timings["read the file"] = (
                time.perf_counter() - began - sum(engine.timings.values())
            )
        sender.put(("done", dict(engine.timings)))
    except _WriterGone:
        pass
    except FileRejected as exc:
        sender.put(("rejected", (exc.code, exc.message_lazy, exc.params)))
    except Exception as exc:
        log.exception("Import %s: preparing its rows failed", job.pk)
        sender.put(("crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
        pipe.close()
        connections.close_all()  # its own connections (the parent's were set aside above)


def batches_ahead() -> int:
    """How many batches the preparing process may have prepared that the writer has not begun:
    with two, the time either process takes for a batch can vary without the other waiting."""
    return max(1, int(getattr(settings, "WEFT_IMPORT_BATCHES_AHEAD", 2)))


def _hand_over(engine: Engine, rows: list, sender: "_Sender") -> None:
    began = time.perf_counter()
    sender.reserve()  # returns once the writer has taken the batch `ahead` before this one
    engine.timings["waiting for the writer"] += time.perf_counter() - began
    prepared = engine.prepare(rows)
    # The resolution index only grows (a firm per registry firm, then per new one): kept out of
    # the garbage collector's walks, which otherwise cost more the larger it gets.
    gc.freeze()
    sender.put(("batch", prepared))


class _WriterGone(Exception):
    """The writing process has closed its end: nobody to prepare for."""


class _Sender:
    """Sends messages down the pipe, in order, from a thread: a send returns only once the writer
    takes the message, and meanwhile the next batch is being prepared. At most `ahead` batches
    are prepared or waiting that the writer has not taken (each reserves a place first)."""

    def __init__(self, pipe, *, ahead: int):
        self.pipe = pipe
        self.places = threading.Semaphore(ahead)
        self.messages = queue.SimpleQueue()
        self.gone = False
        self.thread = threading.Thread(target=self._send_all, daemon=True)
        self.thread.start()

    def reserve(self) -> None:
        self.places.acquire()
        if self.gone:
            raise _WriterGone

    def put(self, message) -> None:
        # Pickled here, not while the next batch is being prepared out of the same objects.
        self.messages.put((message[0], ForkingPickler.dumps(message)))

    def close(self) -> None:
        self.messages.put(None)
        self.thread.join()

    def _send_all(self) -> None:
        while (message := self.messages.get()) is not None:
            kind, data = message
            if not self.gone:
                try:
                    self.pipe.send_bytes(data)  # as `send` does, once pickled
                except OSError:  # the writing process has gone
                    self.gone = True
            if kind == "batch" or self.gone:
                self.places.release()
