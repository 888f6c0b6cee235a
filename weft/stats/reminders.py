"""Reminders for reporting rounds: firms that have not reported are reminded before and after the
deadline, in Weft and by e-mail, each member in their own language.

Scheduled (`manage.py send_round_reminders` from cron, or the `send_round_reminders` task): a
firm is due on each day of `REMINDER_DAYS` counted from the deadline. A run that missed a day
catches up once, never once per missed day; every reminder is recorded per firm and day, so
neither a second run nor the office's "remind" button reaches anybody twice a day.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from weft.accounts.models import Membership, Organisation
from weft.core.site import absolute_url

from .models import Notice, ReportingRound, RoundReminder

# Days before the deadline (positive), on it (0) and after it (negative). After the last one the
# round's office decides what to do (remind by hand, close the round).
REMINDER_DAYS = (3, 1, 0, -1, -3, -7)
# A scheduled day missed by more than this (the scheduler was down) is not caught up any more.
CATCH_UP_DAYS = 7
LANGUAGES = ("zh-hans", "en")


def reminder_days() -> tuple[int, ...]:
    return tuple(getattr(settings, "WEFT_STATS_REMINDER_DAYS", REMINDER_DAYS))


def round_url(rnd: ReportingRound) -> str:
    return f"/stats/rounds/{rnd.pk}/"


def _texts(rnd: ReportingRound, firm_name: str, days_left: int, *, opened: bool) -> dict:
    """Subject and body in each language."""
    out = {}
    for lang in LANGUAGES:
        with override(lang):
            values = {
                "period": rnd.period.code,
                "deadline": rnd.deadline.isoformat(),
                "cluster": rnd.cluster.name,
                "round": rnd.title or rnd.period.code,
                "firm": firm_name,
                "url": absolute_url(round_url(rnd)),
                "days": abs(days_left),
            }
            if opened:
                subject = _("Please report your figures for %(period)s by %(deadline)s") % values
                body = _("%(cluster)s asks for your statistics: %(url)s") % values
            elif days_left >= 0:
                subject = _("Reminder: figures for %(period)s are due by %(deadline)s") % values
                when = (
                    _("The deadline is today.")
                    if days_left == 0
                    else ngettext(
                        "The deadline is in %(days)d day.",
                        "The deadline is in %(days)d days.",
                        values["days"],
                    )
                    % values
                )
                body = " ".join(
                    [
                        _("%(firm)s has not yet reported its figures for “%(round)s”.") % values,
                        when,
                        _("Report here: %(url)s") % values,
                    ]
                )
            else:
                subject = _("Overdue: figures for %(period)s were due on %(deadline)s") % values
                body = " ".join(
                    [
                        _("%(firm)s has not yet reported its figures for “%(round)s”.") % values,
                        ngettext(
                            "The deadline passed %(days)d day ago.",
                            "The deadline passed %(days)d days ago.",
                            values["days"],
                        )
                        % values,
                        _("%(cluster)s still needs them: %(url)s") % values,
                    ]
                )
            out[lang] = (subject, body)
    return out


def _language(user) -> str:
    lang = (user.language or settings.LANGUAGE_CODE or "zh-hans").lower()
    return "en" if lang.startswith("en") else "zh-hans"


def notify_firm(rnd: ReportingRound, org: Organisation, days_left: int, *, opened: bool) -> int:
    """One notice to the firm's organisation and one e-mail to each member with an address, in
    that member's language. E-mails leave after commit; returns how many were queued."""
    texts = _texts(rnd, org.name_zh if org.enterprise_id is None else org.enterprise.name_zh,
                   days_left, opened=opened)  # fmt: skip
    url = round_url(rnd)
    Notice.objects.create(
        organisation=org,
        subject=texts["zh-hans"][0],
        body=texts["zh-hans"][1],
        subject_en=texts["en"][0],
        body_en=texts["en"][1],
        url=url,
    )
    mails = []
    for member in Membership.objects.filter(organisation=org, user__is_active=True).select_related(
        "user"
    ):
        if member.user.email:
            subject, body = texts[_language(member.user)]
            mails.append((subject, body, member.user.email))
    if mails:
        # After commit: a rolled-back reminder must not have mailed anyone.
        transaction.on_commit(
            lambda: [send_mail(s, b, None, [to], fail_silently=True) for s, b, to in mails]
        )
    return len(mails)


def notify_opened(rnd: ReportingRound, enterprise_ids) -> int:
    """Tell the firms asked in a new round; returns how many organisations were told."""
    days_left = (rnd.deadline - timezone.localdate()).days
    orgs = Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE, enterprise_id__in=list(enterprise_ids)
    ).select_related("enterprise")
    count = 0
    for org in orgs:
        notify_firm(rnd, org, days_left, opened=True)
        count += 1
    return count


@dataclass
class Sent:
    firms: int = 0
    emails: int = 0
    skipped: int = 0  # already reminded that day


def remind_firms(
    rnd: ReportingRound, enterprise_ids, *, kind: str, today: datetime.date | None = None, user=None
) -> Sent:
    """Remind these firms of the round, each at most once a day (recorded in RoundReminder)."""
    today = today or timezone.localdate()
    days_left = (rnd.deadline - today).days
    orgs = {
        o.enterprise_id: o
        for o in Organisation.objects.filter(
            kind=Organisation.Kind.ENTERPRISE, enterprise_id__in=list(enterprise_ids)
        ).select_related("enterprise")
    }
    sent = Sent()
    for enterprise_id in enterprise_ids:
        try:
            with transaction.atomic():
                reminder = RoundReminder.objects.create(
                    round=rnd,
                    enterprise_id=enterprise_id,
                    sent_on=today,
                    kind=kind,
                    days_to_deadline=days_left,
                    sent_by=user if getattr(user, "is_authenticated", False) else None,
                )
                org = orgs.get(enterprise_id)
                if org is not None:
                    reminder.emails = notify_firm(rnd, org, days_left, opened=False)
                    reminder.save(update_fields=["emails"])
        except IntegrityError:
            # Reminded today already (by another run or by the office): once a day is enough.
            sent.skipped += 1
            continue
        sent.firms += 1
        sent.emails += reminder.emails
    if sent.firms:
        ReportingRound.objects.filter(pk=rnd.pk).update(last_reminded_at=timezone.now())
    return sent


def not_reported(rnd: ReportingRound) -> list[int]:
    return list(
        rnd.firms.exclude(stat_submissions__round=rnd).order_by("pk").values_list("pk", flat=True)
    )


def scheduled_day(rnd: ReportingRound, today: datetime.date) -> datetime.date | None:
    """The latest day of the schedule reached by `today`, if it falls after the round opened
    (the opening notice stands in for earlier ones)."""
    days_left = (rnd.deadline - today).days
    reached = [d for d in reminder_days() if d >= days_left]
    if not reached:
        return None
    day = rnd.deadline - datetime.timedelta(days=min(reached))
    if (today - day).days > CATCH_UP_DAYS:
        return None
    opened = timezone.localdate(rnd.opened_at) if rnd.opened_at else None
    if opened is not None and day <= opened:
        return None
    return day


def due_firms(rnd: ReportingRound, today: datetime.date) -> list[int]:
    """Firms of an open round that have not reported and had no reminder since the scheduled day."""
    day = scheduled_day(rnd, today)
    if day is None or rnd.status != ReportingRound.Status.OPEN:
        return []
    reminded = set(
        RoundReminder.objects.filter(round=rnd, sent_on__gte=day).values_list(
            "enterprise_id", flat=True
        )
    )
    return [pk for pk in not_reported(rnd) if pk not in reminded]


def send_due_reminders(today: datetime.date | None = None, *, dry_run: bool = False) -> dict:
    """Send every reminder due today; running it again the same day sends nothing more."""
    today = today or timezone.localdate()
    days = reminder_days()
    rounds = ReportingRound.objects.filter(
        status=ReportingRound.Status.OPEN,
        deadline__lte=today + datetime.timedelta(days=max(days)),
        deadline__gte=today + datetime.timedelta(days=min(days) - CATCH_UP_DAYS),
    ).select_related("cluster", "period")
    summary = {"rounds": 0, "firms": 0, "emails": 0, "skipped": 0}
    for rnd in rounds.order_by("deadline", "pk"):
        firms = due_firms(rnd, today)
        if not firms:
            continue
        summary["rounds"] += 1
        if dry_run:
            summary["firms"] += len(firms)
            continue
        kind = RoundReminder.Kind.BEFORE if rnd.deadline >= today else RoundReminder.Kind.AFTER
        sent = remind_firms(rnd, firms, kind=kind, today=today)
        summary["firms"] += sent.firms
        summary["emails"] += sent.emails
        summary["skipped"] += sent.skipped
    return summary
