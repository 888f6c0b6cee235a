from django.db import migrations


def forwards(apps, schema_editor):
    from weft.chain.graph import load_stage_links

    load_stage_links(apps)


class Migration(migrations.Migration):
    dependencies = [("chain", "0001_initial"), ("registry", "0003_load_taxonomy")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
