"""Writes of the statistics app: reporting rounds, firm figures (form and XLSX), reminders,
notices, warnings acknowledgement. Each write is one transaction, audited."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.accounts.models import Membership
from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot
from weft.core.site import absolute_url
from weft.core.text import join_list
from weft.registry.models import ClusterMembership, Enterprise

from . import aggregation
from .models import (
    ClusterWarning,
    Indicator,
    Notice,
    Period,
    PeriodKind,
    ReportingRound,
    Submission,
    Value,
    ValueRevision,
)
from .validation import check


class SoftRulesUnconfirmed(ValidationError):
    """Figures that break soft rules and were not confirmed with a reason; nothing was written."""

    def __init__(self, warnings: dict):
        self.warnings = warnings
        super().__init__(warnings)


def period_for(kind: str, year: int, number: int = 1) -> Period:
    if kind not in PeriodKind.values:
        raise ValidationError(_("Unknown period kind “%(kind)s”.") % {"kind": kind})
    limit = {"month": 12, "quarter": 4, "year": 1}[kind]
    if not (1 <= number <= limit) or not (1990 <= year <= 2100):
        raise ValidationError(_("There is no such period."))
    start, end = Period.bounds(kind, year, number)
    period, _created = Period.objects.get_or_create(
        kind=kind, year=year, number=number, defaults={"start": start, "end": end}
    )
    return period


@dataclass
class Written:
    created: int = 0
    revised: int = 0
    unchanged: int = 0


def _write(
    user, enterprise, period, checked, *, reasons: dict, via: str, round=None
) -> tuple[Written, list]:
    """Write checked figures (no checks here); returns counts and the aggregate changes."""
    written, changes = Written(), []
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=checked.values)}
    existing = {
        v.indicator.code: v
        for v in Value.objects.select_for_update()
        .filter(enterprise=enterprise, period=period, indicator__code__in=checked.values)
        .select_related("indicator")
    }
    for code, amount in checked.values.items():
        indicator = indicators[code]
        current = existing.get(code)
        reason = (reasons.get(code) or "").strip()
        confirmed = [checked.warnings[code]] if code in checked.warnings else []
        if current is None:
            current = Value.objects.create(
                enterprise=enterprise, indicator=indicator, period=period, value=amount
            )
            previous = None
            written.created += 1
        else:
            if current.value == amount:
                written.unchanged += 1
                continue
            previous = current.value
            current.value = amount
            current.revision += 1
            current.save(update_fields=["value", "revision", "updated_at"])
            written.revised += 1
        ValueRevision.objects.create(
            value=current,
            revision=current.revision,
            amount=amount,
            previous=previous,
            changed_by=user if getattr(user, "is_authenticated", False) else None,
            reason=reason,
            confirmed_warnings=confirmed,
            via=via,
        )
        record_change(
            actor=user,
            action=AuditRecord.Action.CREATE if previous is None else AuditRecord.Action.UPDATE,
            obj=current,
            before=None if previous is None else {"value": str(previous)},
            after={"value": str(amount), "revision": current.revision},
            reason=reason,
        )
        changes.append((enterprise.pk, indicator.pk, period.pk, previous, amount))
    if round is not None:
        Submission.objects.update_or_create(
            round=round, enterprise=enterprise, defaults={"submitted_by": user, "via": via}
        )
    return written, changes


def _missing_reasons(enterprise, period, checked, reasons: dict, confirmed: set) -> dict:
    """Soft warnings without confirmation and reason, and corrections without a reason."""
    pending = {
        code: message
        for code, message in checked.warnings.items()
        if code not in confirmed or not (reasons.get(code) or "").strip()
    }
    on_file = dict(
        Value.objects.filter(
            enterprise=enterprise, period=period, indicator__code__in=checked.values
        ).values_list("indicator__code", "value")
    )
    for code, amount in checked.values.items():
        old = on_file.get(code)
        if old is not None and old != amount and not (reasons.get(code) or "").strip():
            pending.setdefault(
                code,
                _("This corrects %(old)s to %(new)s: say why, the history keeps it.")
                % {"old": f"{old:,}", "new": f"{amount:,}"},
            )
    return pending


def submit_figures(
    user,
    enterprise: Enterprise,
    period: Period,
    raw: dict,
    *,
    reasons: dict | None = None,
    confirmed: set | None = None,
    round: ReportingRound | None = None,
    via: str = "form",
) -> Written:
    """A firm's figures for one period. Raises ValidationError (hard rules, per indicator) or
    SoftRulesUnconfirmed; writes nothing unless every figure passes."""
    if not can(user, "stats.report", enterprise):
        raise PermissionDenied
    reasons, confirmed = reasons or {}, set(confirmed or ())
    if round is not None:
        _check_round_open(round, enterprise)
        indicators = {i.code: i for i in round.indicators.all()}
    else:
        indicators = {i.code: i for i in Indicator.objects.filter(is_active=True)}
    checked = check(enterprise, period, raw, indicators)
    if checked.errors:
        raise ValidationError(checked.errors)
    if not checked.values:
        raise ValidationError({"__all__": [_("Enter at least one figure.")]})
    pending = _missing_reasons(enterprise, period, checked, reasons, confirmed)
    if pending:
        raise SoftRulesUnconfirmed(pending)
    with transaction.atomic():
        written, changes = _write(
            user, enterprise, period, checked, reasons=reasons, via=via, round=round
        )
        aggregation.apply_changes(changes)
    return written


def _check_round_open(round: ReportingRound, enterprise) -> None:
    if round.status != ReportingRound.Status.OPEN:
        raise ValidationError({"__all__": [_("This reporting round is closed.")]})
    if not round.firms.filter(pk=enterprise.pk).exists():
        raise ValidationError(
            {
                "__all__": [
                    _("%(firm)s is not asked to report in this round.") % {"firm": enterprise}
                ]
            }
        )


# --- rounds ------------------------------------------------------------------------------------


def open_round(
    user, cluster, period: Period, indicators, deadline, *, firms=None, title=""
) -> ReportingRound:
    """Open a round for the cluster's approved member firms (or the given subset) and notify them."""
    if not can(user, "stats.manage_round", cluster):
        raise PermissionDenied
    indicators = list(indicators)
    if not indicators:
        raise ValidationError({"indicators": [_("Choose at least one indicator.")]})
    wrong = [i.name for i in indicators if period.kind not in i.period_kinds]
    if wrong:
        raise ValidationError(
            {
                "indicators": [
                    _("Not reported per %(kind)s: %(names)s.")
                    % {"kind": period.get_kind_display().lower(), "names": join_list(wrong)}
                ]
            }
        )
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline is in the past.")]})
    members = Enterprise.objects.filter(
        cluster_memberships__cluster=cluster,
        cluster_memberships__status=ClusterMembership.Status.APPROVED,
    )
    if firms is not None:
        firm_ids = {int(f.pk if hasattr(f, "pk") else f) for f in firms}
        foreign = firm_ids - set(members.filter(pk__in=firm_ids).values_list("pk", flat=True))
        if foreign:
            raise ValidationError(
                {
                    "firms": [
                        _("Not member firms of this cluster: %(ids)s.") % {"ids": sorted(foreign)}
                    ]
                }
            )
        members = members.filter(pk__in=firm_ids)
    member_ids = list(members.values_list("pk", flat=True))
    if not member_ids:
        raise ValidationError({"firms": [_("The cluster has no member firms to ask.")]})
    with transaction.atomic():
        rnd = ReportingRound.objects.create(
            cluster=cluster,
            period=period,
            deadline=deadline,
            title=title or f"{cluster.name_zh} {period.code}",
            opened_by=user,
        )
        rnd.indicators.set(indicators)
        rnd.firms.set(member_ids)
        record_change(actor=user, action=AuditRecord.Action.CREATE, obj=rnd, after=snapshot(rnd))
        _notify_firms(rnd, member_ids, reminder=False)
    return rnd


def _notify_firms(rnd: ReportingRound, enterprise_ids, *, reminder: bool) -> int:
    from . import reminders

    if reminder:
        return reminders.remind_firms(rnd, list(enterprise_ids), kind="manual").firms
    return reminders.notify_opened(rnd, enterprise_ids)


def remind(user, rnd: ReportingRound) -> int:
    """Remind the firms of the round that have not reported (each at most once a day); returns
    how many were reminded."""
    from . import reminders

    if not can(user, "stats.manage_round", rnd.cluster):
        raise PermissionDenied
    if rnd.status != ReportingRound.Status.OPEN:
        raise ValidationError({"__all__": [_("This reporting round is closed.")]})
    missing = reminders.not_reported(rnd)
    if not missing:
        raise ValidationError({"__all__": [_("Every firm asked has reported.")]})
    with transaction.atomic():
        sent = reminders.remind_firms(rnd, missing, kind="manual", user=user)
    if not sent.firms:
        raise ValidationError(
            {"__all__": [_("The firms that have not reported were already reminded today.")]}
        )
    return sent.firms


def close_round(user, rnd: ReportingRound) -> None:
    if not can(user, "stats.manage_round", rnd.cluster):
        raise PermissionDenied
    before = snapshot(rnd, ["status"])
    rnd.status = ReportingRound.Status.CLOSED
    rnd.save(update_fields=["status"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=rnd,
        before=before,
        after=snapshot(rnd, ["status"]),
    )


def acknowledge_warning(user, warning: ClusterWarning, note: str) -> None:
    if not can(user, "stats.acknowledge_warning", warning):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say what the office is doing about it.")]})
    before = snapshot(warning, ["note", "acknowledged_at"])
    warning.acknowledged_by, warning.acknowledged_at, warning.note = (
        user,
        timezone.now(),
        note[:300],
    )
    warning.save(update_fields=["acknowledged_by", "acknowledged_at", "note"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=warning,
        before=before,
        after=snapshot(warning, ["note", "acknowledged_at"]),
    )


def office_notice(
    cluster, subject: str, body: str, url: str = "", *, subject_en: str = "", body_en: str = ""
) -> None:
    """Tell a cluster's office in Weft and by e-mail, each member in their language when the
    English text is given (Chinese otherwise)."""
    if cluster.office_id is None:
        return
    Notice.objects.create(
        organisation_id=cluster.office_id,
        subject=subject,
        body=body,
        subject_en=subject_en,
        body_en=body_en,
        url=url,
    )
    messages = []
    for member in Membership.objects.filter(organisation_id=cluster.office_id).select_related(
        "user"
    ):
        if not member.user.email:
            continue
        english = (member.user.language or "").startswith("en") and subject_en
        text = body_en if english else body
        messages.append(
            (
                subject_en if english else subject,
                f"{text}\n\n{absolute_url(url)}" if url else text,
                None,
                [member.user.email],
            )
        )
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def decimal_or_none(value) -> Decimal | None:
    return None if value is None else Decimal(value)
