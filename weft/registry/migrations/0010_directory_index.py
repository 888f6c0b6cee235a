"""The directory's in-memory index: its snapshots, and the log of firms changed since.

The log is written by triggers, so every path that writes firms (the ORM, bulk imports, raw SQL)
is logged. Only inserts, deletes and changes of what the index holds (`search_tokens`,
`search_text`, `name_sort`) are logged.

SQLite: row triggers; `seq` counts up. PostgreSQL: statement triggers over transition tables (one
INSERT per statement, not per row, for bulk imports); `seq` is the writing transaction's id, so
a snapshot built under a transaction snapshot knows which changes it may have missed: those of
transactions from its xmin on (`services.build_directory_index`).
"""


from django.db import migrations, models

from weft.core.migration_ops import vendor_sql


CHANGED = "registry_directorychange"
WATCHED_COLUMNS = ("search_tokens", "search_text", "name_sort")
NEXT_SQLITE_SEQ = (
    f"(SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{CHANGED}'), 0) + 1)"
)


def sqlite_forward():
    # The id the row is about to get: AUTOINCREMENT never reuses one, even after the log's
    # oldest rows are deleted (a max(seq) + 1 would restart from 1 after a full prune).
    next_seq = NEXT_SQLITE_SEQ
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED_COLUMNS)
    for event, row, when in (
        ("INSERT", "NEW", ""),
        ("UPDATE", "NEW", f"WHEN {changed} "),
        ("DELETE", "OLD", ""),
    ):
        yield (
            f"CREATE TRIGGER registry_enterprise_change_{event.lower()} AFTER {event} "
            f"ON registry_enterprise FOR EACH ROW {when}BEGIN "
            f"INSERT INTO {CHANGED} (enterprise_id, seq) VALUES ({row}.id, {next_seq}); END"
        )


def sqlite_backward():
    for event in ("insert", "update", "delete"):
        yield f"DROP TRIGGER IF EXISTS registry_enterprise_change_{event}"


def pg_forward():
    xact = "pg_current_xact_id()::text::bigint"
    changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in WATCHED_COLUMNS)
    yield f"""CREATE FUNCTION registry_log_directory_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {CHANGED} (enterprise_id, seq) SELECT id, {xact} FROM new_rows;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO {CHANGED} (enterprise_id, seq) SELECT id, {xact} FROM old_rows;
            ELSE
                INSERT INTO {CHANGED} (enterprise_id, seq)
                SELECT n.id, {xact} FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE {changed};
            END IF;
            RETURN NULL;
        END $$"""
    for event, tables in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        yield (
            f"CREATE TRIGGER registry_enterprise_change_{event.lower()} AFTER {event} "
            f"ON registry_enterprise REFERENCING {tables} FOR EACH STATEMENT "
            "EXECUTE FUNCTION registry_log_directory_change()"
        )
    # The snapshot is read whole, not compressed: pglz would spend seconds on random bits.
    yield "ALTER TABLE registry_directoryindexsnapshot ALTER COLUMN data SET STORAGE EXTERNAL"


def pg_backward():
    for event in ("insert", "update", "delete"):
        yield f"DROP TRIGGER IF EXISTS registry_enterprise_change_{event} ON registry_enterprise"
    yield "DROP FUNCTION IF EXISTS registry_log_directory_change()"


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0009_no_like_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='DirectoryChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enterprise_id', models.BigIntegerField(help_text='The firm (it may since have been deleted).')),
                ('seq', models.BigIntegerField(db_index=True, help_text="When, in the order the index's watermark counts: on PostgreSQL the writing transaction's id, on SQLite one more than the last change's.")),
            ],
        ),
        migrations.CreateModel(
            name='DirectoryIndexSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.BigIntegerField(help_text="Random, so a process never mistakes another database's snapshot for its own.")),
                ('built_at', models.DateTimeField(auto_now_add=True)),
                ('watermark', models.BigIntegerField(help_text='Changes with a seq from this on may be missing from the snapshot.')),
                ('firms', models.PositiveIntegerField(help_text='Firms in the snapshot.')),
                ('seconds', models.FloatField(help_text='How long the build took.')),
                ('data', models.BinaryField(help_text='The index, as DirectoryIndex.dumps writes it.')),
            ],
            options={
                'get_latest_by': 'id',
            },
        ),
        vendor_sql(
            {"sqlite": sqlite_forward, "postgresql": pg_forward},
            {"sqlite": sqlite_backward, "postgresql": pg_backward},
        ),
    ]
