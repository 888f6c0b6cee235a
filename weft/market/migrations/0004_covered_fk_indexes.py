"""Foreign keys whose index another index already covers lose their own (one index less to
keep per row a bulk import writes); dropped in place, see weft.core.migration_ops."""

import django.db.models.deletion
from django.db import migrations, models

from weft.core.migration_ops import drop_own_index


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0003_capability_version"),
        ("registry", "0007_covered_fk_indexes"),
    ]

    operations = [
        drop_own_index(
            "market",
            "suppliercapability",
            "enterprise",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="market_capabilities",
                to="registry.enterprise",
            ),
        ),
    ]
