"""PostgreSQL: the LIKE index beside a decision's outcome goes; nothing looks outcomes up by
prefix, and an import writes a decision for every row (see core.migration_ops)."""

from django.db import migrations

from weft.core.migration_ops import drop_like_index


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0005_covered_fk_indexes"),
    ]

    operations = [drop_like_index("imports", "matchdecision", "outcome")]
