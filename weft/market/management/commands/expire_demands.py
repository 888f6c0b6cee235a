from django.core.management.base import BaseCommand

from weft.market.services import expire_overdue


class Command(BaseCommand):
    help = "Open demands past their quote deadline with no award become expired (run from cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"{expire_overdue()} demands expired.")
