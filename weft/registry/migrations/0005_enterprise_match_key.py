"""Each firm's match key, stored (see naming.set_name_keys), filled in for the firms there are."""

from django.db import migrations, models

from weft.registry.naming import match_key


def fill(apps, schema_editor):
    Enterprise = apps.get_model("registry", "Enterprise")
    sql = "UPDATE registry_enterprise SET match_key = %s WHERE id = %s"
    last = 0
    with schema_editor.connection.cursor() as cursor:
        # By ranges of ids, not one open cursor: SQLite would see its own updates mid-scan.
        while rows := list(
            Enterprise.objects.filter(id__gt=last)
            .order_by("id")
            .values_list("id", "name_zh", "adcode")[:5000]
        ):
            cursor.executemany(sql, [(match_key(name, adcode or ""), pk) for pk, name, adcode in rows])
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_directory_version")]

    operations = [
        migrations.AddField(
            model_name="enterprise",
            name="match_key",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The name as bulk imports match it (naming.match_key of the name and "
                "adcode); set with name_sort by every write, so an import need not compute it "
                "for every firm. Empty: computed when needed.",
                max_length=200,
                null=True,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
