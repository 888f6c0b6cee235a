from django.core.management.base import BaseCommand

from weft.registry.index_services import build_directory_index


class Command(BaseCommand):
    help = (
        "Build the directory's in-memory index of every firm and store it for the web processes. "
        "Run it after large imports or from a scheduler; the directory also asks for it when too "
        "many firms changed since the last build."
    )

    def handle(self, *args, **options):
        snapshot = build_directory_index()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Indexed {snapshot.firms:,} firms in {snapshot.seconds:.1f} s "
                f"({len(snapshot.data) / 1024**2:,.1f} MiB)."
            )
