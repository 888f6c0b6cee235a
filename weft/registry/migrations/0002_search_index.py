"""The directory's token index: GIN on PostgreSQL, an FTS5 table with triggers on SQLite."""

from django.db import migrations

from weft.core.migration_ops import vendor_sql

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


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        vendor_sql(
            {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD},
            {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD},
        )
    ]
