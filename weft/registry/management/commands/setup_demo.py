from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from weft.registry.demo.accounts import setup_demo_accounts
from weft.registry.demo.generator import generate
from weft.registry.index_services import build_directory_index
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
        for loaded in load_app_demos():
            if options["verbosity"] >= 1:
                self.stdout.write(loaded)
        build_directory_index()
        if options["verbosity"] >= 1:
            total = Enterprise.objects.filter(is_demo=True).count()
            note = f" (generated {generated:,} now)" if generated else ""
            self.stdout.write(
                f"Demo ready: {total:,} demo enterprises{note}; `manage.py demo_logins` lists the logins."
            )


def load_app_demos():
    """Each Weft app may ship `demo.py` with `load_demo()` (idempotent) returning a line to print;
    apps build their demo data on the registry and the demo accounts loaded first."""
    for config in apps.get_app_configs():
        if not config.name.startswith("weft.") or config.name == "weft.registry":
            continue
        module_name = f"{config.name}.demo"
        if find_spec(module_name) is None:
            continue
        summary = import_module(module_name).load_demo()
        if summary:
            yield summary
