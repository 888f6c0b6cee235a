from django.core.management.base import BaseCommand

from weft.services.vouchers import expire_vouchers


class Command(BaseCommand):
    help = "Expire vouchers past their last day; unused balances go back to their programmes. Run daily."

    def handle(self, *args, **options):
        self.stdout.write(f"{expire_vouchers()} vouchers expired.")
