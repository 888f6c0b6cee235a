"""Indexes no query uses, which every firm written kept: on size band and the demo flag (the
directory filters through the search tokens) and, on PostgreSQL, the LIKE indexes Django adds
beside text columns. The name's sort index is kept, as a Meta index (which comes without one).
Dropped in place, see weft.core.migration_ops."""

from django.db import migrations, models

from weft.core.migration_ops import drop_own_index


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_covered_fk_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enterprise",
            index=models.Index(fields=["name_sort"], name="registry_enterprise_name_sort"),
        ),
        drop_own_index(
            "registry",
            "enterprise",
            "name_sort",
            models.CharField(
                blank=True, help_text="Pinyin of the name, for sorting.", max_length=400
            ),
        ),
        drop_own_index(
            "registry",
            "enterprise",
            "size_band",
            models.CharField(
                blank=True,
                choices=[
                    ("micro", "Micro (<20)"),
                    ("small", "Small (20–299)"),
                    ("medium", "Medium (300–999)"),
                    ("large", "Large (1000+)"),
                ],
                max_length=6,
            ),
        ),
        drop_own_index(
            "registry",
            "enterprise",
            "is_demo",
            models.BooleanField(default=False, help_text="Synthetic demo data."),
        ),
    ]
