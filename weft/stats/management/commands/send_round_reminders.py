import datetime

from django.core.management.base import BaseCommand, CommandError

from weft.stats.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Remind firms that have not reported in open reporting rounds, before and after the "
        "deadline (run daily from cron; running it twice a day reminds nobody twice)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count who is due without sending anything."
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must look like 2025-06-30, not {date!r}.") from None
        done = send_due_reminders(today, dry_run=dry_run)
        verb = "due" if dry_run else "reminded"
        self.stdout.write(
            f"{done['firms']} firms {verb} in {done['rounds']} rounds, {done['emails']} e-mails, "
            f"{done['skipped']} already reminded today."
        )
