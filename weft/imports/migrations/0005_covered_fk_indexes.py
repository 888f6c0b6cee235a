"""Foreign keys whose index another index already covers lose their own (one index less to
keep per row a bulk import writes); dropped in place, see weft.core.migration_ops."""

import django.db.models.deletion
from django.db import migrations, models

from weft.core.migration_ops import drop_own_index


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0004_job_queued_at"),
    ]

    operations = [
        drop_own_index(
            "imports",
            "matchdecision",
            "job",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="imports.importjob",
            ),
        ),
        drop_own_index(
            "imports",
            "rowerror",
            "job",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="row_errors",
                to="imports.importjob",
            ),
        ),
    ]
