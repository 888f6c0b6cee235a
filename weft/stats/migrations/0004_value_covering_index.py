import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The (indicator, period) index becomes covering (indicator, period, enterprise, value), and
    the single-column indexes on enterprise and indicator go: the unique constraint and the
    covering index start with those columns. Dropped by name rather than by AlterField, which on
    SQLite would copy the whole table twice."""

    dependencies = [
        ("registry", "0003_load_taxonomy"),
        ("stats", "0003_reminders_notices_normalisation"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="value",
            name="stats_value_indicat_09d4f5_idx",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="value",
                    name="enterprise",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stat_values",
                        to="registry.enterprise",
                    ),
                ),
                migrations.AlterField(
                    model_name="value",
                    name="indicator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="values",
                        to="stats.indicator",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "stats_value_enterprise_id_2cd8079e"',
                    'CREATE INDEX "stats_value_enterprise_id_2cd8079e" ON "stats_value" ("enterprise_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "stats_value_indicator_id_b034d9e1"',
                    'CREATE INDEX "stats_value_indicator_id_b034d9e1" ON "stats_value" ("indicator_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="value",
            index=models.Index(
                fields=["indicator", "period", "enterprise", "value"], name="stats_value_covering"
            ),
        ),
    ]
