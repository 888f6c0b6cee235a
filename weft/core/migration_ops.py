"""Migration operations shared by several apps."""

from django.db import migrations


def drop_own_index(
    app_label: str, model_name: str, name: str, field
) -> migrations.SeparateDatabaseAndState:
    """A foreign key set to db_index=False, its index dropped in place.

    For a foreign key whose index another one already covers (a unique constraint or composite
    index beginning with its column). A plain AlterField makes SQLite rebuild the table, which
    drops the table's triggers (the directory's version counters, the search index)."""

    def index_name(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(name).column
        return model, schema_editor._create_index_name(model._meta.db_table, [column], suffix="")

    def forwards(apps, schema_editor):
        _model, index = index_name(apps, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")

    def backwards(apps, schema_editor):
        model, _index = index_name(apps, schema_editor)
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[model._meta.get_field(name)])
        )

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )
