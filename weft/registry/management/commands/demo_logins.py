from django.core.management.base import BaseCommand

from weft.registry.demo.accounts import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Print the demo logins (username, password, role, organisation) and where to sign in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="Where Weft runs (default %(default)s)."
        )

    def handle(self, *args, url, **options):
        rows = [r for r in demo_logins() if r["exists"]]
        if not rows:
            self.stdout.write("There are no demo logins yet: run `manage.py setup_demo` first.")
            return
        headers = ("username", "password", "role", "organisation")
        table = [
            headers,
            *[(r["username"], r["password"], r["role"], r["organisation"]) for r in rows],
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(len(headers))]
        self.stdout.write(f"Demo logins (demo data only; every password is {DEMO_PASSWORD}):")
        for n, row in enumerate(table):
            line = "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(("  " + line).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        base = url.rstrip("/")
        self.stdout.write(f"Sign in at {base}/accounts/login/  ·  admin: {base}/admin/")


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
