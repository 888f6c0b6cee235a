"""Foreign keys whose index another index already covers lose their own (one index less to
keep per row a bulk import writes); dropped in place, see weft.core.migration_ops."""

import django.db.models.deletion
from django.db import migrations, models

from weft.core.migration_ops import drop_own_index


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_enterprise_fillfactor"),
    ]

    operations = [
        drop_own_index(
            "registry",
            "clustermembership",
            "cluster",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to="registry.cluster",
            ),
        ),
        drop_own_index(
            "registry",
            "clustermembership",
            "enterprise",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cluster_memberships",
                to="registry.enterprise",
            ),
        ),
    ]
