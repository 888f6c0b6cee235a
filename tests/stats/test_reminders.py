"""Scheduled reminders for reporting rounds: who is due when, once a day, in each member's
language, in Weft and by e-mail; the cron command and the task."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import override

from weft.stats import reminders, services
from weft.stats.models import Indicator, Notice, ReportingRound, RoundReminder
from weft.stats.tasks import send_round_reminders

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def rnd(world):
    """A Humen round due in ten days, asking the demo firm and a neighbour without members."""
    make_enterprise(name_zh="东莞市虎门镇无人服饰有限公司", cluster=world.humen)
    world.firm_member.language = "en"
    world.firm_member.save()
    return services.open_round(
        world.humen_office,
        world.humen,
        services.period_for("year", 2025),
        Indicator.objects.filter(code__in=["revenue"]),
        timezone.localdate() + 10 * DAY,
    )


def send(rnd, days_to_deadline, capture):
    with capture(execute=True):
        return reminders.send_due_reminders(rnd.deadline - days_to_deadline * DAY)


def test_firms_are_reminded_on_the_scheduled_days_once_each(
    world, rnd, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.WEFT_SITE_URL = "https://weft.example.org"
    cap = django_capture_on_commit_callbacks
    opening = Notice.objects.get(organisation=world.firm_org)  # the round's opening notice
    assert opening.subject.startswith("请于") and opening.subject_en.startswith("Please report")
    assert send(rnd, 5, cap)["firms"] == 0  # not yet: the first reminder is three days before
    mailoutbox.clear()

    done = send(rnd, 3, cap)
    assert done == {"rounds": 1, "firms": 2, "emails": 3, "skipped": 0}
    # Each member in their own language: the member reads English, the others Chinese.
    by_address = {m.to[0]: m for m in mailoutbox}
    english = by_address[world.firm_member.email]
    assert english.subject == f"Reminder: figures for 2025 are due by {rnd.deadline.isoformat()}"
    assert "The deadline is in 3 days." in english.body
    assert f"https://weft.example.org/stats/rounds/{rnd.pk}/" in english.body  # from a mail reader
    chinese = by_address[world.firm_owner.email]
    assert chinese.subject == f"提醒：2025 统计数据请于 {rnd.deadline.isoformat()} 前填报"
    assert "距截止还有 3 天" in chinese.body
    notice = Notice.objects.filter(organisation=world.firm_org).exclude(pk=opening.pk).get()
    assert notice.subject == chinese.subject and notice.subject_en == english.subject

    # Running again the same day, or the next (not a scheduled day), reminds nobody.
    assert send(rnd, 3, cap)["firms"] == 0
    assert send(rnd, 2, cap)["firms"] == 0
    assert RoundReminder.objects.filter(round=rnd).count() == 2

    # The firm reports; only the neighbour is reminded on the deadline's eve.
    services.submit_figures(world.firm_member, world.firm, rnd.period, {"revenue": "10"}, round=rnd)
    mailoutbox.clear()
    assert send(rnd, 1, cap)["firms"] == 1
    assert mailoutbox == []  # the neighbour has no members with an address
    assert not RoundReminder.objects.filter(
        round=rnd, enterprise=world.firm, sent_on__gt=rnd.deadline - 3 * DAY
    )


def test_after_the_deadline_the_reminder_says_it_is_overdue_and_a_missed_day_is_caught_up_once(
    world, rnd, mailoutbox, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    mailoutbox.clear()
    # The scheduler was down from three days before until two days after the deadline.
    assert send(rnd, -2, cap)["firms"] == 2
    reminder = RoundReminder.objects.get(round=rnd, enterprise=world.firm)
    assert reminder.kind == "after" and reminder.days_to_deadline == -2 and reminder.emails == 3
    english = next(m for m in mailoutbox if m.to == [world.firm_member.email])
    assert english.subject.startswith("Overdue: figures for 2025 were due on")
    assert "The deadline passed 2 days ago." in english.body
    assert send(rnd, -2, cap)["firms"] == 0
    assert send(rnd, -3, cap)["firms"] == 2  # the next scheduled day
    # Long after the last scheduled day nothing more goes out: the office decides.
    assert send(rnd, -30, cap)["firms"] == 0
    rnd.status = ReportingRound.Status.CLOSED
    rnd.save()
    assert send(rnd, -7, cap)["firms"] == 0


def test_the_office_button_and_the_schedule_share_the_once_a_day_rule(
    world, rnd, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    assert services.remind(world.humen_office, rnd) == 2
    with override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.remind(world.humen_office, rnd)
    assert "今天已经提醒过了" in str(exc.value)
    reminder = RoundReminder.objects.get(round=rnd, enterprise=world.firm)
    assert reminder.kind == "manual" and reminder.sent_by == world.humen_office
    # Make today a scheduled day: the scheduled run skips firms the office reminded today.
    rnd.deadline = today + 3 * DAY
    rnd.save()
    rnd.opened_at = timezone.now() - 10 * DAY
    ReportingRound.objects.filter(pk=rnd.pk).update(opened_at=rnd.opened_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_reminders(today)["firms"] == 0


def test_cron_command_and_task(world, rnd, settings, mailoutbox):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    from io import StringIO

    out = StringIO()
    day = (rnd.deadline - 3 * DAY).isoformat()
    call_command("send_round_reminders", "--date", day, "--dry-run", stdout=out)
    assert out.getvalue().startswith("2 firms due in 1 rounds")
    assert not RoundReminder.objects.exists()
    out = StringIO()
    call_command("send_round_reminders", "--date", day, stdout=out)
    assert out.getvalue().startswith("2 firms reminded in 1 rounds, 3 e-mails")
    out = StringIO()
    call_command("send_round_reminders", "--date", day, stdout=out)
    assert out.getvalue().startswith("0 firms reminded in 0 rounds")
    with pytest.raises(CommandError, match="--date must look like"):
        call_command("send_round_reminders", "--date", "30/06/2025")
    # The task (today is no scheduled day for this round) runs and reports what it did.
    assert send_round_reminders.enqueue().return_value["firms"] == 0


def test_a_new_warning_reaches_the_office_in_each_members_language(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from weft.stats import monitoring

    from .test_monitoring import monthly

    world.humen_office.language = "en"
    world.humen_office.save()
    for month in (4, 5, 6):
        monthly(world.firm_member, world.firm, 2024, month, revenue=1000, profit=100)
        monthly(world.firm_member, world.firm, 2025, month, revenue=700, profit=70)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.evaluate_warnings(world.humen)
    notice = Notice.objects.filter(
        organisation=world.humen.office, subject__contains="下降超过 20%"
    ).get()
    assert notice.subject.startswith("预警 2025-06：") and notice.subject_en.startswith(
        "Warning 2025-06: "
    )
    by_address = {m.to[0]: m for m in mailoutbox if "20%" in m.subject}
    assert by_address[world.humen_office.email].subject == notice.subject_en
    assert by_address[world.humen_office_member.email].subject == notice.subject
