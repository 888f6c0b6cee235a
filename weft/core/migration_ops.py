"""Migration operations shared by several apps."""

from django.db import migrations


def _index_name(schema_editor, model, field, suffix: str) -> str:
    """The name Django gave a field's own index ("") or its PostgreSQL LIKE index ("_like")."""
    return schema_editor._create_index_name(model._meta.db_table, [field.column], suffix=suffix)


def _drop(schema_editor, name: str) -> None:
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def _create_like_index(schema_editor, model, field) -> None:
    like = getattr(schema_editor, "_create_like_index_sql", None)  # PostgreSQL's editor only
    if like is not None and (sql := like(model, field)) is not None:
        schema_editor.execute(sql)


def drop_own_index(
    app_label: str, model_name: str, name: str, field
) -> migrations.SeparateDatabaseAndState:
    """A field set to db_index=False, its index dropped in place (on PostgreSQL, with the
    `_like` index Django adds beside a text column's).

    For a foreign key whose index another one already covers (a unique constraint or composite
    index beginning with its column), or a column nothing looks rows up by: every index is
    written for every row inserted. A plain AlterField makes SQLite rebuild the table, which
    drops the table's triggers (the directory's version counters, the search index)."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        old = model._meta.get_field(name)
        for suffix in ("", "_like"):
            _drop(schema_editor, _index_name(schema_editor, model, old, suffix))

    def backwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        old = model._meta.get_field(name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[old]))
        _create_like_index(schema_editor, model, old)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )


def drop_like_index(app_label: str, model_name: str, name: str) -> migrations.RunPython:
    """PostgreSQL: the `_like` index Django adds beside an indexed or unique text column (for
    LIKE 'prefix%' look-ups), dropped where nothing looks rows up that way; the column's own
    index or unique constraint stays. Every index is written for every row inserted."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model(app_label, model_name)
            field = model._meta.get_field(name)
            _drop(schema_editor, _index_name(schema_editor, model, field, "_like"))

    def backwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        _create_like_index(schema_editor, model, model._meta.get_field(name))

    return migrations.RunPython(forwards, backwards)


def vendor_sql(forward: dict, backward: dict) -> migrations.RunPython:
    """Raw SQL per database vendor ("sqlite", "postgresql"): lists of statements, or functions
    giving them. Triggers and indexes differ enough between the two to be written apart."""

    def run(statements_by_vendor):
        def apply(apps, schema_editor):
            statements = statements_by_vendor.get(schema_editor.connection.vendor, ())
            for sql in statements() if callable(statements) else statements:
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forward), run(backward))
