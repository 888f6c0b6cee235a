"""The indicator catalogue and warning rules Weft ships with (data/*.json), loaded by a migration
and again by `load_demo()`; the operator edits them in /admin/ afterwards."""

import json
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).parent / "data"


def _load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_catalogue(apps=None) -> int:
    """Create the shipped indicators and warning rules that are missing; never overwrite edits."""
    if apps is None:
        from django.apps import apps
    Indicator = apps.get_model("stats", "Indicator")  # noqa: N806
    WarningRule = apps.get_model("stats", "WarningRule")  # noqa: N806
    created = 0
    for order, row in enumerate(_load("indicators.json")):
        _, new = Indicator.objects.get_or_create(code=row["code"], defaults=row | {"order": order})
        created += new
    by_code = {i.code: i for i in Indicator.objects.all()}
    for row in _load("warning_rules.json"):
        WarningRule.objects.get_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "indicator": by_code.get(row["indicator"]),
                "threshold": Decimal(row["threshold"]),
                "months": row["months"],
            },
        )
    return created
