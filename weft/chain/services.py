"""Writes for the chain: recomputing profiles and gaps, declared gaps."""

import time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot
from weft.registry.models import Certification, ChainStage, Cluster
from weft.talent.selectors import design_shortages

from . import diagnosis, selectors
from .models import ChainGap, RecomputeRun, StageFirm, StageProfile


def _links() -> list[diagnosis.Link]:
    return [
        diagnosis.Link(k.supplier.code, k.consumer.code, k.group_key, float(k.weight))
        for k in selectors.links()
    ]


def _infos() -> dict[str, diagnosis.StageInfo]:
    return {
        s.code: diagnosis.StageInfo(s.code, s.name_zh, s.name_en, s.capacity_unit)
        for s in selectors.stages()
    }


def rebuild_stage_firms() -> int:
    """Copy (approved member × stage) rows of the registry into StageFirm, in SQL: one DELETE
    and one INSERT … SELECT, whatever the size. Call inside the recompute's transaction."""
    from weft.registry.models import ClusterMembership, Enterprise

    from .selectors import PER_YEAR

    qn = connection.ops.quote_name
    ent = Enterprise._meta.db_table
    stages = Enterprise.stages.through._meta.db_table
    certs = Enterprise.certifications.through._meta.db_table
    members = ClusterMembership._meta.db_table
    table = StageFirm._meta.db_table
    per_year = " ".join(f"WHEN '{p}' THEN {n}" for p, n in PER_YEAR.items())
    if connection.vendor == "postgresql":
        codes = "',' || string_agg(ce.code, ',' ORDER BY ce.code) || ','"
        clear = f"TRUNCATE {qn(table)}"
    else:
        codes = "',' || group_concat(ce.code, ',') || ','"
        clear = f"DELETE FROM {qn(table)}"  # noqa: S608 - names from the models' metadata
    # Table names come from the models' metadata, the only value is a parameter.
    sql = f"""
        INSERT INTO {qn(table)} (stage_id, cluster_id, enterprise_id, employees,
                                 capacity_per_year, latitude, longitude, certifications)
        SELECT es.chainstage_id, m.cluster_id, e.id, COALESCE(e.employees, 0),
               CASE WHEN e.capacity_unit = st.capacity_unit
                    THEN e.capacity_quantity * (CASE e.capacity_period {per_year} END) END,
               e.latitude, e.longitude, COALESCE(c.codes, '')
        FROM {qn(members)} m
        JOIN {qn(ent)} e ON e.id = m.enterprise_id
        JOIN {qn(stages)} es ON es.enterprise_id = e.id
        JOIN {qn(ChainStage._meta.db_table)} st ON st.id = es.chainstage_id
        LEFT JOIN (
            SELECT ec.enterprise_id, {codes} AS codes
            FROM {qn(certs)} ec JOIN {qn(Certification._meta.db_table)} ce
              ON ce.id = ec.certification_id
            GROUP BY ec.enterprise_id
        ) c ON c.enterprise_id = e.id
        WHERE m.status = %s
    """  # noqa: S608
    with connection.cursor() as cursor:
        # SQLite: a million rows go in faster with the indexes built once afterwards (a sort)
        # than maintained row by row; their definitions are read back from the database itself.
        # (PostgreSQL keeps them: it cannot build an index while the deferred foreign-key checks
        # of the new rows are pending.)
        indexes = _index_definitions(cursor, table) if connection.vendor == "sqlite" else []
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
        if connection.vendor == "postgresql":
            # TRUNCATE waits for no deferred foreign-key check: run the pending ones now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(clear)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are deferred
            # Fresh planner statistics for the copy's sources: on tables just filled (a bulk
            # import, a new database) stale estimates chose nested loops that ran for minutes.
            # ANALYZE samples a bounded number of rows, so this stays cheap at a million firms.
            sources = (ClusterMembership, Enterprise, Enterprise.stages.through)
            names = [
                *(m._meta.db_table for m in sources),
                Enterprise.certifications.through._meta.db_table,
            ]
            cursor.execute("ANALYZE " + ", ".join(qn(n) for n in names))
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB while the copy is built
        cursor.execute(sql, [ClusterMembership.Status.APPROVED])
        count = cursor.rowcount
        for _name, definition in indexes:
            cursor.execute(definition)
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
        return count


def _index_definitions(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of a SQLite table's secondary, non-unique indexes."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
        [table],
    )
    return list(cursor.fetchall())


def _insert_all(model, objs: list) -> None:
    """INSERT new instances with one prepared statement (what bulk_create does, minus compiling
    SQL for every few dozen rows under SQLite's parameter limit: most of a recompute's fixed cost).
    Numbers and keys go as they are; other values are prepared as Django would."""
    if not objs:
        return
    # Both drivers bind these as they are (Django registers Decimal with sqlite3).
    plain = (models.IntegerField, models.FloatField, models.ForeignKey, models.DecimalField)
    text = (models.CharField, models.TextField)
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        raw = [f.pre_save(o, True) for o in objs]
        if isinstance(f, text):  # choices are str subclasses: plain str for the driver
            raw = [v if v is None or type(v) is str else str(v) for v in raw]
        elif not isinstance(f, plain):
            raw = [f.get_db_prep_save(v, connection) for v in raw]
        columns.append(connection.ops.quote_name(f.column))
        values.append(raw)
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(columns))
    # Names from the model's metadata; values as parameters.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*values, strict=True)))


def recompute_profiles() -> RecomputeRun:
    """Recompute every cluster's stage profiles and diagnosed gaps in one transaction.

    The registry is copied into StageFirm in one INSERT … SELECT, two grouped queries read it
    back per cluster and stage; the rest is arithmetic over (clusters × stages), then two bulk
    inserts. Declared gaps are left alone.
    """
    run = RecomputeRun.objects.create()
    started = time.perf_counter()
    try:
        # One transaction: readers see the old profiles until the new ones are all there.
        with transaction.atomic():
            rebuild_stage_firms()
            figures = selectors.stage_figures()
            shortages = design_shortages()
            national = diagnosis.National.of(figures)
            links = _links()
            infos = _infos()
            stage_ids = {s.code: s.pk for s in selectors.stages()}
            now = timezone.now()
            profiles: list[StageProfile] = []
            gaps: list[ChainGap] = []
            clusters = list(Cluster.objects.only("id", "primary_stages"))
            for cluster in clusters:
                by_stage = figures.get(cluster.pk, {})
                total = sum(f.employees for f in by_stage.values())
                spare = diagnosis.spare_employees(by_stage, links, national)
                for code, f in by_stage.items():
                    if code not in stage_ids:
                        continue
                    level, quotient = diagnosis.level_of(f, total, national, code)
                    nat_cap = national.capacity.get(code)
                    profiles.append(
                        StageProfile(
                            cluster_id=cluster.pk,
                            stage_id=stage_ids[code],
                            firms=f.firms,
                            employees=f.employees,
                            capacity_per_year=f.capacity,
                            capacity_unit=infos[code].unit if f.capacity else "",
                            output_per_year=f.output,
                            share_firms=f.firms / national.firms[code]
                            if national.firms.get(code)
                            else 0,
                            share_employees=(
                                f.employees / national.employees[code]
                                if national.employees.get(code)
                                else 0
                            ),
                            share_capacity=float(f.capacity / nat_cap)
                            if f.capacity and nat_cap
                            else 0,
                            location_quotient=round(quotient, 4),
                            spare_employees=round(spare.get(code, 0.0), 1),
                            level=level,
                            certifications=f.certifications,
                            computed_at=now,
                        )
                    )
                found = diagnosis.diagnose(
                    cluster.pk, cluster.primary_stages or [], by_stage, links, national, infos
                )
                found = diagnosis.with_talent_shortage(
                    found,
                    cluster.pk,
                    cluster.primary_stages or [],
                    links,
                    infos,
                    shortages.get(cluster.pk),
                )
                for gap in found:
                    gaps.append(
                        ChainGap(
                            cluster_id=cluster.pk,
                            consumer_id=stage_ids[gap.consumer],
                            group=gap.group,
                            stages=gap.stages,
                            source=ChainGap.Source.COMPUTED,
                            level=gap.level,
                            severity=gap.severity,
                            coverage=gap.coverage,
                            evidence_zh=gap.evidence_zh,
                            evidence_en=gap.evidence_en,
                        )
                    )
            StageProfile.objects.all().delete()
            ChainGap.objects.filter(source=ChainGap.Source.COMPUTED).delete()
            _insert_all(StageProfile, profiles)
            _insert_all(ChainGap, gaps)
            run.status = RecomputeRun.Status.DONE
            run.clusters, run.profiles, run.gaps = len(clusters), len(profiles), len(gaps)
            run.finished_at = timezone.now()
            run.seconds = round(time.perf_counter() - started, 3)
            run.save()
    except Exception as exc:
        run.status, run.error, run.finished_at = (
            RecomputeRun.Status.FAILED,
            repr(exc),
            timezone.now(),
        )
        run.save()
        raise
    return run


# --- declared gaps -------------------------------------------------------------------------------


def declare_gap(
    user,
    cluster: Cluster,
    *,
    stage: str,
    note: str,
    quantity: Decimal | None = None,
    quantity_unit: str = "",
    certifications: list[str] | None = None,
) -> ChainGap:
    """A cluster office records a need by hand ("we need 2 million metres of denim a year")."""
    if not can(user, "chain.declare_gap", cluster):
        raise PermissionDenied
    stage_obj = ChainStage.objects.filter(code=stage).first()
    if stage_obj is None:
        raise ValidationError({"stage": [_("Unknown chain stage “%(code)s”.") % {"code": stage}]})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say in a few words what the cluster needs.")]})
    if len(note) > 1000:
        raise ValidationError({"note": [_("Keep the description under 1,000 characters.")]})
    if quantity is not None and quantity < 0:
        raise ValidationError({"quantity": [_("The quantity cannot be negative.")]})
    if quantity is not None and not quantity_unit.strip():
        raise ValidationError({"quantity_unit": [_("Give the unit of the quantity.")]})
    certifications = list(dict.fromkeys(certifications or []))
    known = set(
        Certification.objects.filter(code__in=certifications).values_list("code", flat=True)
    )
    unknown = [c for c in certifications if c not in known]
    if unknown:
        raise ValidationError(
            {
                "certifications": [
                    _("Unknown certification: %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            }
        )
    with transaction.atomic():
        gap = ChainGap.objects.create(
            cluster=cluster,
            group=stage,
            stages=[stage],
            source=ChainGap.Source.DECLARED,
            level=ChainGap.Level.DECLARED,
            severity=0.5,
            evidence_zh=note,
            evidence_en=note,
            quantity=quantity,
            quantity_unit=quantity_unit.strip(),
            required_certifications=certifications,
            declared_by=user,
        )
        record_change(
            actor=user,
            action=AuditRecord.Action.CREATE,
            obj=gap,
            after=snapshot(gap),
            reason="Gap declared by the cluster office",
        )
    return gap


def withdraw_gap(user, gap: ChainGap) -> None:
    if gap.source != ChainGap.Source.DECLARED:
        raise ValidationError(
            _("Diagnosed gaps come from the data; they go away when the data changes.")
        )
    if not can(user, "chain.declare_gap", gap.cluster):
        raise PermissionDenied
    with transaction.atomic():
        record_change(
            actor=user,
            action=AuditRecord.Action.DELETE,
            obj=gap,
            before=snapshot(gap),
            reason="Declared gap withdrawn",
        )
        gap.delete()
