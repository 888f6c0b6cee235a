"""The fixed vocabularies are part of the schema: every database has them."""

from django.db import migrations


def load(apps, schema_editor):
    from weft.registry.taxonomy import load_taxonomy

    load_taxonomy(apps)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_search_index")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
