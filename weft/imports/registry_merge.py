"""Rows merged into firms already in the registry: the merge worked out, then applied.

The process preparing a batch works each merge out from the committed registry (`plan`): the
merged values, codes, cluster membership and search tokens of every firm the batch merges into.
The writer applies it (`engine.Engine._merge_existing`) for the firms that are, under its lock,
as they were read (`Seen`); the others (changed since by the batch before, or by a person) it
works out again there and then, the same way. Firms new earlier in the same run are always
worked out by the writer: only it knows their ids.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections

from weft.core.jsontext import json_text
from weft.registry.models import ClusterMembership, Enterprise
from weft.registry.search import enterprise_search_text, enterprise_tokens

from .merging import M2M, PLACE_FIELDS, SCALARS, merge_codes, merge_scalars

# Columns a merge may change, besides updated_at.
UPDATABLE = (
    *SCALARS,
    *PLACE_FIELDS,
    "size_band",
    "name_sort",
    "match_key",
    "field_provenance",
    "search_text",
    "search_tokens",
)
# What search text and tokens are made of (see weft.registry.search), "_membership" for clusters.
SEARCHED = {
    *("name_zh", "name_en", "main_products", "address", "uscc", "adcode", "size_band"),
    *M2M,
    "_membership",
}
# The search columns (the largest) are not read: they are rebuilt, not compared.
COMPARED = tuple(n for n in UPDATABLE if n not in ("search_text", "search_tokens"))
APPROVED = ClusterMembership.Status.APPROVED


class Firm:
    """A registry firm's columns that a merge reads, as attributes (as on an Enterprise, which
    would cost more to make than the merge)."""

    def __init__(self, names: tuple, values: tuple):
        self.__dict__.update(zip(names, values, strict=True))


@dataclass(frozen=True)
class Seen:
    """What a firm's merge was worked out from, besides its codes (which change only with the
    firm, so with `updated_at`): its approved clusters and its membership of the import's."""

    updated_at: object
    approved: tuple
    status: str | None


@dataclass
class State:
    """Firms as read for merging into them: their compared columns, current codes, approved
    clusters, membership status in the import's cluster."""

    firms: dict[int, Firm]
    codes: dict[int, dict[str, list[str]]]
    approved: dict[int, list[int]]
    status: dict[int, str]

    def seen(self, pk: int, cluster_ids: list) -> Seen:
        return _seen(pk, self.firms[pk].updated_at, self.approved, self.status, cluster_ids)


def _seen(pk: int, updated_at, approved: dict, status: dict, cluster_ids: list) -> Seen:
    return Seen(
        updated_at,
        tuple(sorted(approved.get(pk, []))),
        status.get(pk) if cluster_ids else None,
    )


@dataclass
class Plan:
    """A batch's merges into registry firms, ready to apply."""

    seen: dict[int, Seen] = field(default_factory=dict)  # firm → what it was worked out from
    changes: dict[int, dict] = field(default_factory=dict)  # row number → {field: [before, after]}
    provenance_before: dict[int, dict] = field(default_factory=dict)  # row number → provenance
    touched: dict[int, set] = field(default_factory=dict)  # firm → names of what changed
    joining: dict[int, str | None] = field(default_factory=dict)  # firm → membership status before
    audits: dict[int, list] = field(default_factory=dict)  # row number → its audit record's row
    links: dict[str, list] = field(default_factory=lambda: {name: [] for name in M2M})
    # Changed columns → [values ready for the database, primary key last] (updated_at is added
    # by the writer, just before the key).
    updates: dict[tuple, list] = field(default_factory=lambda: defaultdict(list))

    def replace(self, firms: set[int], other: "Plan", rows: set[int]) -> "Plan":
        """This plan with `firms` (merged into by `rows`) as worked out in `other`."""
        merged = Plan(
            seen={pk: s for pk, s in self.seen.items() if pk not in firms} | other.seen,
            changes={n: c for n, c in self.changes.items() if n not in rows} | other.changes,
            provenance_before={n: p for n, p in self.provenance_before.items() if n not in rows}
            | other.provenance_before,
            touched={pk: t for pk, t in self.touched.items() if pk not in firms} | other.touched,
            joining={pk: s for pk, s in self.joining.items() if pk not in firms} | other.joining,
            audits={n: a for n, a in self.audits.items() if n not in rows} | other.audits,
        )
        for name in M2M:
            merged.links[name] = [
                link for link in self.links[name] if link[0] not in firms
            ] + other.links[name]
        for plan in (self, other):
            for columns, rows_of in plan.updates.items():
                keep = rows_of if plan is other else [r for r in rows_of if r[-1] not in firms]
                merged.updates[columns] += keep
        return merged


def read(firm_ids: set[int], cluster_ids: list, codes_of: dict, *, lock: bool) -> State:
    """The firms merged into, as committed (locked until the transaction ends, if `lock`)."""
    firms = Enterprise.objects.filter(pk__among=firm_ids)
    if lock:
        firms = firms.select_for_update()
    names = ("id", *COMPARED, "updated_at")
    state = State({row[0]: Firm(names, row) for row in firms.values_list(*names)}, {}, {}, {})
    state.codes = {pk: {name: [] for name in M2M} for pk in state.firms}
    if not state.firms:
        return state
    for name in M2M:
        through, left, right = through_table(name)
        for pk, code_id in through.objects.filter(**{f"{left}__among": state.firms}).values_list(
            left, right
        ):
            state.codes[pk][name].append(codes_of[name][code_id])
    state.approved, state.status = memberships(set(state.firms), cluster_ids)
    return state


def memberships(firm_ids: set[int], cluster_ids: list) -> tuple[dict, dict]:
    """({firm: approved cluster ids}, {firm: status in the import's cluster})."""
    approved, status = defaultdict(list), {}
    # Status checked here, not in SQL, where SQLite would walk the status index.
    for pk, cid, state in ClusterMembership.objects.filter(
        enterprise_id__among=firm_ids
    ).values_list("enterprise_id", "cluster_id", "status"):
        if state == APPROVED:
            approved[pk].append(cid)
        if cid in cluster_ids:
            status[pk] = state
    return approved, status


def seen_now(firm_ids: set[int], cluster_ids: list) -> dict[int, Seen]:
    """The firms as they are now, locked until the transaction ends: to check a plan against."""
    updated = dict(
        Enterprise.objects.select_for_update()
        .filter(pk__among=firm_ids)
        .values_list("pk", "updated_at")
    )
    approved, status = memberships(set(updated), cluster_ids)
    return {pk: _seen(pk, at, approved, status, cluster_ids) for pk, at in updated.items()}


def plan(
    rows: list, state: State, *, stamp: dict, since: str, cluster_ids: list, ids: dict
) -> Plan:
    """Merge `rows` ([(row, firm id)], in row order) into the firms of `state`, in memory.

    A row's scalars fill gaps and newer values win (`merge_scalars`), its codes are added to the
    firm's (`merge_codes`), the firm joins the import's cluster; the search text and tokens of
    a firm are made again when something they are made of changed."""
    result = Plan()
    firms = state.firms
    loaded = {pk: [getattr(e, n) for n in COMPARED] for pk, e in firms.items()}
    status = dict(state.status)
    codes = {pk: {name: list(c) for name, c in state.codes[pk].items()} for pk in firms}
    approved = {pk: list(state.approved.get(pk, [])) for pk in firms}
    with_codes = []  # (firm, row, changes) of the rows that bring stages, codes or certificates
    for row, pk in rows:
        e = firms[pk]
        result.seen.setdefault(pk, state.seen(pk, cluster_ids))
        result.provenance_before[row.number] = dict(e.field_provenance or {})
        changes = merge_scalars(e, row.values, row.place, stamp, since)
        if any(row.values.get(name) for name in M2M):
            with_codes.append((pk, row, changes))
        if cluster_ids:
            before = status.get(pk)
            if before != APPROVED:
                changes["_membership"] = [before, APPROVED]
                status[pk] = APPROVED
                result.joining[pk] = before
                approved[pk] += [c for c in cluster_ids if c not in approved[pk]]
        result.changes[row.number] = changes
        if changes:
            result.touched.setdefault(pk, set()).update(changes)
    for pk, row, changes in with_codes:  # in row order
        code_changes = merge_codes(codes[pk], row.values)
        for name, (before, after) in code_changes.items():
            result.links[name] += [(pk, ids[name][c]) for c in after if c not in before]
            codes[pk][name] = after
        changes.update(code_changes)
        if changes:
            result.touched.setdefault(pk, set()).update(changes)
    conn = connections[DEFAULT_DB_ALIAS]
    for pk, what in result.touched.items():
        e = firms[pk]
        # Tokens are made again only when something they are made of changed (new staff
        # figures, contacts or a year leave them as they are).
        if what & SEARCHED:
            e.search_text = enterprise_search_text(e)
            e.search_tokens = enterprise_tokens(
                e,
                cluster_ids=approved[pk],
                stage_codes=codes[pk]["stages"],
                industry_codes=codes[pk]["industry_codes"],
                certification_codes=codes[pk]["certifications"],
            )
        # Only the columns whose value changed: indexes and the search index's trigger are
        # maintained for the columns an UPDATE sets, changed or not.
        changed = tuple(
            n for n, old in zip(COMPARED, loaded[pk], strict=True) if getattr(e, n) != old
        )
        if what & SEARCHED:
            changed += ("search_text", "search_tokens")
        result.updates[changed].append([_ready(e, n, conn) for n in changed] + [pk])
    return result


# The updatable columns' fields and kinds, looked up once: `_ready` runs for every changed
# column of every firm merged into.
_FIELDS = {n: Enterprise._meta.get_field(n) for n in UPDATABLE}
_JSON = {n for n, f in _FIELDS.items() if f.get_internal_type() == "JSONField"}


def _ready(e: Firm, name: str, conn):
    """A column's value for `update_rows`; JSON as its text and tokens joined by spaces, which
    both databases take (and which travel between processes faster than lists and adapters)."""
    f = _FIELDS[name]
    value = getattr(e, f.attname)
    if name in _JSON:
        return None if value is None else json_text(value)
    if f.name == "search_tokens":  # as update_rows sends them to either database
        return " ".join(value)
    return f.get_db_prep_save(value, conn)


def through_table(name: str):
    f = Enterprise._meta.get_field(name)
    return f.remote_field.through, f.m2m_column_name(), f.m2m_reverse_name()
