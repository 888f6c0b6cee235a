from django.core.management.base import BaseCommand, CommandError

from weft.registry.demo.generator import DEFAULT_BATCH, generate
from weft.registry.index_services import build_directory_index


class Command(BaseCommand):
    help = (
        "Generate synthetic demo enterprises (is_demo=True, source=demo) spread over the clusters "
        "in proportion to their size. The same seed gives the same firms."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=20000, help="How many to generate.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help="Rows per transaction (default %(default)s).",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete the existing demo enterprises first."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, enterprises, seed, batch, replace, no_progress, **options):
        if enterprises < 0:
            raise CommandError("--enterprises cannot be negative.")
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        try:
            result = generate(
                enterprises,
                seed,
                batch_size=batch,
                replace=replace,
                progress=False if no_progress else None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        snapshot = build_directory_index()
        if options["verbosity"] >= 1:
            deleted = f" after deleting {result.deleted:,}" if replace else ""
            self.stdout.write(
                f"Generated {result.created:,} demo enterprises{deleted} in {result.seconds:.1f} s "
                f"({result.rate:,.0f}/s); indexed them in {snapshot.seconds:.1f} s."
            )
