from django.db import migrations


def load(apps, schema_editor):
    from weft.stats.catalogue import load_catalogue

    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
