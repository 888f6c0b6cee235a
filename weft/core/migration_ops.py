"""Migration operations shared by several apps."""

from django.db import migrations


def drop_own_index(
    app_label: str, model_name: str, name: str, field
) -> migrations.SeparateDatabaseAndState:
    """A field set to db_index=False, its index dropped in place (on PostgreSQL, with the
    `_like` index Django adds beside a text column's).

    For a foreign key whose index another one already covers (a unique constraint or composite
    index beginning with its column), or a column nothing looks rows up by: every index is
    written for every row inserted. A plain AlterField makes SQLite rebuild the table, which
    drops the table's triggers (the directory's version counters, the search index)."""

    def index_names(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(name).column
        table = model._meta.db_table
        return model, [
            schema_editor._create_index_name(table, [column], suffix=suffix)
            for suffix in ("", "_like")
        ]

    def forwards(apps, schema_editor):
        _model, indexes = index_names(apps, schema_editor)
        for index in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")

    def backwards(apps, schema_editor):
        model, _indexes = index_names(apps, schema_editor)
        field = model._meta.get_field(name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        like = getattr(schema_editor, "_create_like_index_sql", None)  # PostgreSQL's editor
        if like is not None and (sql := like(model, field)) is not None:
            schema_editor.execute(sql)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )


def drop_like_index(app_label: str, model_name: str, name: str) -> migrations.RunPython:
    """PostgreSQL: the `_like` index Django adds beside an indexed or unique text column (for
    LIKE 'prefix%' look-ups), dropped where nothing looks rows up that way; the column's own
    index or unique constraint stays. Every index is written for every row inserted."""

    def like_index(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(name)
        return (
            model,
            field,
            schema_editor._create_index_name(model._meta.db_table, [field.column], suffix="_like"),
        )

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            _model, _field, index = like_index(apps, schema_editor)
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model, field, _index = like_index(apps, schema_editor)
            if (sql := schema_editor._create_like_index_sql(model, field)) is not None:
                schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)
