"""The directory's token index: GIN on PostgreSQL, an FTS5 table with triggers on SQLite."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE registry_enterprise_fts USING fts5(
        search_tokens, content='registry_enterprise', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 tokenchars ':_'", detail=none)""",
    """CREATE TRIGGER registry_enterprise_fts_ai AFTER INSERT ON registry_enterprise BEGIN
        INSERT INTO registry_enterprise_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
    END""",
    """CREATE TRIGGER registry_enterprise_fts_ad AFTER DELETE ON registry_enterprise BEGIN
        INSERT INTO registry_enterprise_fts(registry_enterprise_fts, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
    END""",
    """CREATE TRIGGER registry_enterprise_fts_au AFTER UPDATE OF search_tokens ON registry_enterprise BEGIN
        INSERT INTO registry_enterprise_fts(registry_enterprise_fts, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
        INSERT INTO registry_enterprise_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_enterprise_fts_au",
    "DROP TRIGGER IF EXISTS registry_enterprise_fts_ad",
    "DROP TRIGGER IF EXISTS registry_enterprise_fts_ai",
    "DROP TABLE IF EXISTS registry_enterprise_fts",
]
PG_FORWARD = [
    "CREATE INDEX registry_enterprise_tokens_gin ON registry_enterprise USING gin (search_tokens)"
]
PG_BACKWARD = ["DROP INDEX IF EXISTS registry_enterprise_tokens_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
