from django.core.management.base import BaseCommand

from weft.market.services import refresh_capabilities
from weft.registry.models import Enterprise


class Command(BaseCommand):
    help = "Rebuild what matching knows each firm can make (SupplierCapability), in batches."

    def handle(self, *args, **options):
        ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
        rows = 0
        for i in range(0, len(ids), 2000):
            rows += refresh_capabilities(ids[i : i + 2000])
        self.stdout.write(f"{rows} capability rows for {len(ids)} firms")
