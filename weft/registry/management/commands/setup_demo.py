from django.core.management.base import BaseCommand, CommandError

from weft.registry.demo.accounts import setup_demo_accounts
from weft.registry.demo.generator import generate
from weft.registry.models import Enterprise
from weft.registry.taxonomy import load_clusters


class Command(BaseCommand):
    help = (
        "Set up the demo: clusters, demo enterprises (only if there are none yet), and the demo "
        "organisations and logins (only those missing). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises", type=int, default=20000, help="How many demo enterprises to generate."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, enterprises, seed, **options):
        if enterprises < 0:
            raise CommandError("--enterprises cannot be negative.")
        load_clusters()
        generated = 0
        if not Enterprise.objects.filter(is_demo=True, source=Enterprise.Source.DEMO).exists():
            generated = generate(enterprises, seed, progress=None).created
        setup_demo_accounts()
        if options["verbosity"] >= 1:
            total = Enterprise.objects.filter(is_demo=True).count()
            note = f" (generated {generated:,} now)" if generated else ""
            self.stdout.write(
                f"Demo ready: {total:,} demo enterprises{note}; `manage.py demo_logins` lists the logins."
            )
