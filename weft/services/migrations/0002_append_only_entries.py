"""Ledger entries are append-only in the database too, not only in the model.

UPDATE is refused on both databases. DELETE is refused on PostgreSQL; on SQLite the test
runner empties tables with DELETE between tests, so there the model and queryset guards stand
alone (TRUNCATE, which PostgreSQL's test runner uses, does not fire row triggers).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION services_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only; post a reversal instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER services_entry_no_update BEFORE UPDATE OR DELETE ON services_entry
    FOR EACH ROW EXECUTE FUNCTION services_entry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS services_entry_no_update ON services_entry;
DROP FUNCTION IF EXISTS services_entry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER services_entry_no_update BEFORE UPDATE ON services_entry
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only; post a reversal instead'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS services_entry_no_update;"


def forward(apps, schema_editor):
    sql = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    schema_editor.execute(sql)


def backward(apps, schema_editor):
    sql = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
