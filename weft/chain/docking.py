"""Docking conferences: events, registrations, meeting requests, the schedule and outcomes."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot
from weft.registry.models import Certification, ChainStage, Cluster, Enterprise

from .models import (
    DockingEvent,
    DockingSlot,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    Registration,
)
from .scheduler import Candidate, schedule_meetings

MAX_SLOTS = 200
# Match score parts: a need met by an offer, a request by one side, certificates the buyer needs.
SCORE_PER_STAGE = 3.0
SCORE_PER_REQUEST = 5.0
SCORE_CERTS_HELD = 2.0


def _stage_codes(codes, field: str) -> list[str]:
    codes = list(dict.fromkeys(codes or []))
    known = set(ChainStage.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(
            {field: [_("Unknown chain stage: %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    return codes


def create_event(
    user,
    host: Cluster,
    *,
    title_zh: str,
    title_en: str = "",
    theme: str = "",
    place: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    first_slot: dt.datetime,
    slot_minutes: int = 20,
    n_slots: int = 12,
    tables: int = 10,
    max_meetings: int = 6,
    stages: list[str] | None = None,
    cluster_ids: list[int] | None = None,
) -> DockingEvent:
    if not can(user, "docking.create_event", host):
        raise PermissionDenied
    errors = {}
    if not (title_zh or "").strip():
        errors["title_zh"] = [_("Give the event a Chinese title.")]
    if not (place or "").strip():
        errors["place"] = [_("Say where the event takes place.")]
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        errors["ends_on"] = [_("The event cannot end before it starts.")]
    if not 1 <= n_slots <= MAX_SLOTS:
        errors["n_slots"] = [_("Between 1 and %(n)d time slots.") % {"n": MAX_SLOTS}]
    if not 5 <= slot_minutes <= 240:
        errors["slot_minutes"] = [_("A slot lasts between 5 and 240 minutes.")]
    if not 1 <= tables <= 500:
        errors["tables"] = [_("Between 1 and 500 tables.")]
    if not 1 <= max_meetings <= 100:
        errors["max_meetings"] = [_("Between 1 and 100 meetings per participant.")]
    cluster_ids = list(dict.fromkeys(cluster_ids or []))
    clusters = list(Cluster.objects.filter(pk__in=cluster_ids))
    if len(clusters) != len(cluster_ids):
        errors["cluster_ids"] = [_("One of the clusters does not exist.")]
    if errors:
        raise ValidationError(errors)
    stage_codes = _stage_codes(stages, "stages")
    if timezone.is_naive(first_slot):
        first_slot = timezone.make_aware(first_slot)
    with transaction.atomic():
        event = DockingEvent.objects.create(
            host=host,
            title_zh=title_zh.strip(),
            title_en=(title_en or "").strip(),
            theme=(theme or "").strip(),
            place=place.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            tables=tables,
            max_meetings=max_meetings,
            created_by=user,
        )
        event.clusters.set(clusters)
        event.stages.set(ChainStage.objects.filter(code__in=stage_codes))
        step = dt.timedelta(minutes=slot_minutes)
        DockingSlot.objects.bulk_create(
            DockingSlot(
                event=event, starts_at=first_slot + i * step, ends_at=first_slot + (i + 1) * step
            )
            for i in range(n_slots)
        )
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=event, after=snapshot(event)
        )
    return event


def register(
    user,
    event: DockingEvent,
    enterprise: Enterprise,
    *,
    needs: list[str] | None = None,
    offers: list[str] | None = None,
    needs_text: str = "",
    offers_text: str = "",
    certifications: list[str] | None = None,
    max_meetings: int | None = None,
) -> Registration:
    if not can(user, "docking.register", enterprise):
        raise PermissionDenied
    if event.status == DockingEvent.Status.CLOSED:
        raise ValidationError(_("This event is closed for registration."))
    needs = _stage_codes(needs, "needs")
    offers = _stage_codes(offers, "offers")
    if not needs and not offers:
        raise ValidationError(
            {"needs": [_("Say what your firm needs or offers (at least one chain stage).")]}
        )
    certifications = list(dict.fromkeys(certifications or []))
    known = set(
        Certification.objects.filter(code__in=certifications).values_list("code", flat=True)
    )
    if set(certifications) - known:
        raise ValidationError(
            {
                "certifications": [
                    _("Unknown certification: %(codes)s.")
                    % {"codes": ", ".join(sorted(set(certifications) - known))}
                ]
            }
        )
    if max_meetings is not None and not 0 <= max_meetings <= 100:
        raise ValidationError({"max_meetings": [_("Between 0 and 100 meetings.")]})
    if Registration.objects.filter(event=event, enterprise=enterprise).exists():
        raise ValidationError(_("This firm is already registered for the event."))
    with transaction.atomic():
        reg = Registration.objects.create(
            event=event,
            enterprise=enterprise,
            needs=needs,
            offers=offers,
            needs_text=(needs_text or "")[:300],
            offers_text=(offers_text or "")[:300],
            required_certifications=certifications,
            max_meetings=max_meetings,
            registered_by=user,
        )
        record_change(actor=user, action=AuditRecord.Action.CREATE, obj=reg, after=snapshot(reg))
    return reg


def request_meeting(
    user, requester: Registration, target: Registration, note: str = ""
) -> MeetingRequest:
    if not can(user, "docking.act_for", requester):
        raise PermissionDenied
    if requester.event_id != target.event_id:
        raise ValidationError(_("Both firms must be registered for the same event."))
    if requester.pk == target.pk:
        raise ValidationError(_("A firm cannot ask to meet itself."))
    if MeetingRequest.objects.filter(requester=requester, target=target).exists():
        raise ValidationError(_("You have already asked to meet this firm."))
    with transaction.atomic():
        req = MeetingRequest.objects.create(
            event=requester.event, requester=requester, target=target, note=(note or "")[:300]
        )
        record_change(actor=user, action=AuditRecord.Action.CREATE, obj=req, after=snapshot(req))
    return req


# --- matching and scheduling -------------------------------------------------------------------


def match(
    a: Registration, b: Registration, requested: set[tuple[int, int]], certs: dict[int, set[str]]
):
    """(score, reason_zh, reason_en) of a meeting between two participants; score 0: no reason."""
    a_buys = set(a.needs) & set(b.offers)
    b_buys = set(b.needs) & set(a.offers)
    n_requests = ((a.pk, b.pk) in requested) + ((b.pk, a.pk) in requested)
    score = SCORE_PER_STAGE * (len(a_buys) + len(b_buys)) + SCORE_PER_REQUEST * n_requests
    if score <= 0:
        return 0.0, "", ""
    held = 0
    for buyer, seller, bought in ((a, b, a_buys), (b, a, b_buys)):
        if (
            bought
            and buyer.required_certifications
            and set(buyer.required_certifications) <= certs.get(seller.enterprise_id, set())
        ):
            held += 1
    score += SCORE_CERTS_HELD * held
    names = (
        {s.code: s for s in ChainStage.objects.filter(code__in=a_buys | b_buys)}
        if (a_buys or b_buys)
        else {}
    )
    zh, en = [], []
    for _buyer, seller, bought in ((a, b, a_buys), (b, a, b_buys)):
        if bought:
            zh.append(
                f"{seller.enterprise.name_zh}供应{'、'.join(names[c].name_zh for c in sorted(bought))}"
            )
            en.append(
                f"{seller.enterprise.name} offers {', '.join(names[c].name_en.lower() for c in sorted(bought))}"
            )
    if n_requests:
        zh.append("已提出会谈请求")
        en.append("a meeting was requested")
    if held:
        zh.append("持有所需认证")
        en.append("holds the certificates asked for")
    return score, "；".join(zh), "; ".join(en)


def candidates_for(event: DockingEvent):
    regs = list(Registration.objects.filter(event=event).select_related("enterprise", "event"))
    requested = set(
        MeetingRequest.objects.filter(event=event).values_list("requester_id", "target_id")
    )
    certs: dict[int, set[str]] = {}
    for e, code in Enterprise.certifications.through.objects.filter(
        enterprise_id__in=[r.enterprise_id for r in regs]
    ).values_list("enterprise_id", "certification__code"):
        certs.setdefault(e, set()).add(code)
    out = []
    for i, a in enumerate(regs):
        for b in regs[i + 1 :]:
            score, zh, en = match(a, b, requested, certs)
            if score > 0:
                out.append((a, b, score, zh, en))
    return regs, out


def schedule_event(user, event: DockingEvent) -> int:
    """(Re)build the schedule: accepted meetings stay where they are, declined pairs are not
    proposed again, everything else is re-optimised. Returns the number of meetings."""
    if not can(user, "docking.manage_event", event):
        raise PermissionDenied
    with transaction.atomic():
        event = DockingEvent.objects.select_for_update().get(pk=event.pk)
        slots = list(event.slots.all())
        if not slots:
            raise ValidationError(_("The event has no time slots."))
        slot_index = {s.pk: i for i, s in enumerate(slots)}
        kept = list(event.meetings.filter(status=Meeting.Status.ACCEPTED))
        declined = {
            frozenset((m.first_id, m.second_id))
            for m in event.meetings.filter(status=Meeting.Status.DECLINED)
        }
        event.meetings.exclude(status=Meeting.Status.ACCEPTED).delete()
        regs, pairs = candidates_for(event)
        caps = {r.pk: r.meeting_cap for r in regs}
        # Accepted meetings hold their slot: the people are taken then, and count against caps.
        blocked = {(p, slot_index[m.slot_id]) for m in kept for p in (m.first_id, m.second_id)}
        tables_taken: dict[int, int] = {}
        for m in kept:
            tables_taken[slot_index[m.slot_id]] = tables_taken.get(slot_index[m.slot_id], 0) + 1
        kept_pairs = {frozenset((m.first_id, m.second_id)) for m in kept}
        cands, info = [], {}
        for k, (a, b, score, zh, en) in enumerate(pairs):
            pair = frozenset((a.pk, b.pk))
            if pair in declined or pair in kept_pairs:
                continue
            cands.append(Candidate(k, a.pk, b.pk, score))
            info[k] = (a, b, score, zh, en)
        result = schedule_meetings(
            cands, len(slots), event.tables, caps, blocked=blocked, tables_taken=tables_taken
        )
        used_tables = {(slot_index[m.slot_id], m.table) for m in kept}
        new = []
        for k, (slot, _table) in result.items():
            a, b, score, zh, en = info[k]
            table = next(t for t in range(1, event.tables + 1) if (slot, t) not in used_tables)
            used_tables.add((slot, table))
            new.append(
                Meeting(
                    event=event,
                    first=a,
                    second=b,
                    slot=slots[slot],
                    table=table,
                    score=score,
                    reason_zh=zh[:300],
                    reason_en=en[:300],
                )
            )
        Meeting.objects.bulk_create(new)
        event.status = DockingEvent.Status.SCHEDULED
        event.save(update_fields=["status"])
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=event,
            before={"meetings": None},
            after={"meetings": len(new) + len(kept)},
            reason="Schedule (re)built",
        )
    return len(new) + len(kept)


def respond(user, meeting: Meeting, registration: Registration, accept: bool) -> Meeting:
    if registration.pk not in (meeting.first_id, meeting.second_id):
        raise ValidationError(_("This meeting is not yours."))
    if not can(user, "docking.act_for", registration):
        raise PermissionDenied
    with transaction.atomic():
        before = snapshot(meeting, ["status"])
        meeting.status = Meeting.Status.ACCEPTED if accept else Meeting.Status.DECLINED
        meeting.declined_by = None if accept else registration
        meeting.save(update_fields=["status", "declined_by"])
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=meeting,
            before=before,
            after=snapshot(meeting, ["status"]),
        )
    return meeting


def record_outcome(
    user,
    meeting: Meeting,
    registration: Registration,
    *,
    contact_made: bool = False,
    sample_ordered: bool = False,
    deal_signed: bool = False,
    amount: Decimal | None = None,
    note: str = "",
) -> MeetingOutcome:
    if registration.pk not in (meeting.first_id, meeting.second_id):
        raise ValidationError(_("This meeting is not yours."))
    if not can(user, "docking.act_for", registration):
        raise PermissionDenied
    if meeting.status == Meeting.Status.DECLINED:
        raise ValidationError(_("A declined meeting has no outcome."))
    if amount is not None and amount < 0:
        raise ValidationError({"amount": [_("The amount cannot be negative.")]})
    if amount is not None and not deal_signed:
        raise ValidationError({"amount": [_("An amount goes with a signed deal.")]})
    with transaction.atomic():
        outcome, created = MeetingOutcome.objects.get_or_create(meeting=meeting)
        before = snapshot(outcome)
        outcome.contact_made = contact_made or sample_ordered or deal_signed
        outcome.sample_ordered, outcome.deal_signed = sample_ordered, deal_signed
        outcome.amount, outcome.note, outcome.recorded_by = amount, (note or "")[:300], user
        outcome.save()
        record_change(
            actor=user,
            action=AuditRecord.Action.CREATE if created else AuditRecord.Action.UPDATE,
            obj=outcome,
            before=None if created else before,
            after=snapshot(outcome),
        )
    return outcome


def meetings_of(registration: Registration) -> list[Meeting]:
    from django.db.models import Q

    return list(
        Meeting.objects.filter(Q(first=registration) | Q(second=registration))
        .select_related("slot", "first__enterprise", "second__enterprise", "outcome")
        .order_by("slot__starts_at", "table")
    )


def event_report(event: DockingEvent) -> dict:
    """What the event achieved: meetings by status and the outcomes participants recorded."""
    from django.db.models import Count, Q, Sum

    meetings = event.meetings.aggregate(
        total=Count("id"),
        accepted=Count("id", filter=Q(status=Meeting.Status.ACCEPTED)),
        declined=Count("id", filter=Q(status=Meeting.Status.DECLINED)),
    )
    outcomes = MeetingOutcome.objects.filter(meeting__event=event).aggregate(
        recorded=Count("id"),
        contacts=Count("id", filter=Q(contact_made=True)),
        samples=Count("id", filter=Q(sample_ordered=True)),
        deals=Count("id", filter=Q(deal_signed=True)),
        amount=Sum("amount"),
    )
    return {
        "participants": event.registrations.count(),
        **meetings,
        **outcomes,
        "amount": outcomes["amount"] or Decimal("0"),
    }


def schedule_sheets(
    event: DockingEvent, registration: Registration | None = None
) -> list[tuple[str, list[list]]]:
    """What a printed schedule holds, as (title, rows): one participant's meetings, or one
    section per table for the hall. Declined meetings are left out."""
    local = timezone.localtime
    meetings = list(
        event.meetings.exclude(status=Meeting.Status.DECLINED)
        .select_related("slot", "first__enterprise", "second__enterprise")
        .order_by("slot__starts_at", "table", "id")
    )

    def row(m):
        return [
            f"{local(m.slot.starts_at):%Y-%m-%d %H:%M}–{local(m.slot.ends_at):%H:%M}",
            m.table,
            f"{m.first.enterprise.name_zh} × {m.second.enterprise.name_zh}",
            m.reason,
            m.get_status_display(),
        ]

    if registration is not None:
        title = f"{event.title_zh} · {registration.enterprise.name_zh}"
        mine = [m for m in meetings if registration.pk in (m.first_id, m.second_id)]
        return [(title, [row(m) for m in mine])]
    tables = sorted({m.table for m in meetings}) or [1]
    return [
        (
            f"{event.title_zh} · {_('Table')} {table}",
            [row(m) for m in meetings if m.table == table],
        )
        for table in tables
    ]


def schedule_columns() -> list[str]:
    return [
        _("Time"),
        _("Table"),
        _("Participants"),
        pgettext("reason for a meeting", "Why"),
        _("Status"),
    ]


def schedule_workbook(event: DockingEvent, registration: Registration | None = None) -> bytes:
    """The schedule as XLSX: one participant's meetings, or one sheet per table for the hall."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    sections = schedule_sheets(event, registration)
    for title, rows in sections:
        name = _("Schedule") if registration is not None else title.rsplit(" · ", 1)[-1]
        sheet = wb.create_sheet(name[:31])
        sheet.append([title])
        sheet["A1"].font = bold
        sheet.append(schedule_columns())
        for cell in sheet[2]:
            cell.font = bold
        for r in rows:
            sheet.append(r)
        for col, width in zip("ABCDE", (24, 8, 60, 60, 12), strict=True):
            sheet.column_dimensions[col].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def schedule_pdf(event: DockingEvent, registration: Registration | None = None) -> bytes:
    """The schedule as PDF (WeasyPrint, with the CJK fonts the statistics report uses): one
    participant's meetings, or one page per table for the hall."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from weft.stats.reports import CJK_FONT

    html = render_to_string(
        "chain/schedule_print.html",
        {
            "event": event,
            "registration": registration,
            "sections": schedule_sheets(event, registration),
            "columns": schedule_columns(),
            "cjk_font": CJK_FONT,
            "printed_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()


SCHEDULE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def schedule_file(
    event: DockingEvent, registration: Registration | None, kind: str
) -> tuple[str, bytes, str]:
    """(file name, bytes, content type) of a printed schedule; callers check permissions."""
    render = schedule_pdf if kind == "pdf" else schedule_workbook
    who = f"firm-{registration.pk}" if registration else "tables"
    return f"docking-{event.pk}-{who}.{kind}", render(event, registration), SCHEDULE_TYPES[kind]
