"""PostgreSQL: the LIKE indexes beside the firm's code and the membership's status go; nothing
looks either up by prefix, and an import writes both for every firm (see core.migration_ops)."""

from django.db import migrations

from weft.core.migration_ops import drop_like_index


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_unused_enterprise_indexes"),
    ]

    operations = [
        drop_like_index("registry", "enterprise", "uscc"),
        drop_like_index("registry", "clustermembership", "status"),
    ]
