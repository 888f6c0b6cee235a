"""The change log also records changes of what a directory row shows.

The in-memory index now keeps each firm's listing (registry/directory_listings.py): a firm whose
city or demo flag changed must be read from the database again, though its search tokens did
not change; so must a firm whose stages or cluster memberships were written, by whatever path
(the services also renew its search tokens, a bulk or raw write may not).
"""

from django.db import migrations

from weft.core.migration_ops import vendor_sql

CHANGED = "registry_directorychange"
SEARCHED = ("search_tokens", "search_text", "name_sort")
LISTED = SEARCHED + (
    "uscc",
    "name_zh",
    "name_en",
    "province",
    "city",
    "county",
    "main_products",
    "size_band",
    "is_demo",
)
NEXT_SQLITE_SEQ = (
    f"(SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{CHANGED}'), 0) + 1)"
)


def sqlite_update_trigger(columns):
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    yield "DROP TRIGGER IF EXISTS registry_enterprise_change_update"
    yield (
        "CREATE TRIGGER registry_enterprise_change_update AFTER UPDATE ON registry_enterprise "
        f"FOR EACH ROW WHEN {changed} BEGIN "
        f"INSERT INTO {CHANGED} (enterprise_id, seq) VALUES (NEW.id, {NEXT_SQLITE_SEQ}); END"
    )


def pg_function(columns):
    xact = "pg_current_xact_id()::text::bigint"
    changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in columns)
    yield f"""CREATE OR REPLACE FUNCTION registry_log_directory_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
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


# Tables of a firm's rows elsewhere: any write to one of their rows logs its firm(s).
FIRM_ROWS = ("registry_clustermembership", "registry_enterprise_stages")


def sqlite_firm_rows_triggers():
    for table in FIRM_ROWS:
        for event, firms in (
            ("INSERT", ("NEW",)),
            ("UPDATE", ("OLD", "NEW")),
            ("DELETE", ("OLD",)),
        ):
            inserts = " ".join(
                f"INSERT INTO {CHANGED} (enterprise_id, seq) "
                f"VALUES ({row}.enterprise_id, {NEXT_SQLITE_SEQ});"
                for row in firms
            )
            yield (
                f"CREATE TRIGGER {table}_change_{event.lower()} AFTER {event} ON {table} "
                f"FOR EACH ROW BEGIN {inserts} END"
            )


def pg_firm_rows_triggers():
    xact = "pg_current_xact_id()::text::bigint"
    yield f"""CREATE FUNCTION registry_log_firm_rows_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {CHANGED} (enterprise_id, seq)
                SELECT DISTINCT enterprise_id, {xact} FROM new_rows;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO {CHANGED} (enterprise_id, seq)
                SELECT DISTINCT enterprise_id, {xact} FROM old_rows;
            ELSE
                INSERT INTO {CHANGED} (enterprise_id, seq)
                SELECT enterprise_id, {xact} FROM new_rows
                UNION SELECT enterprise_id, {xact} FROM old_rows;
            END IF;
            RETURN NULL;
        END $$"""
    for table in FIRM_ROWS:
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            yield (
                f"CREATE TRIGGER {table}_change_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {tables} FOR EACH STATEMENT "
                "EXECUTE FUNCTION registry_log_firm_rows_change()"
            )


def drop_firm_rows_triggers(on_table: bool):
    for table in FIRM_ROWS:
        for event in ("insert", "update", "delete"):
            yield f"DROP TRIGGER IF EXISTS {table}_change_{event}" + (
                f" ON {table}" if on_table else ""
            )
    if on_table:
        yield "DROP FUNCTION IF EXISTS registry_log_firm_rows_change()"


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_snapshot_horizon"),
    ]

    operations = [
        vendor_sql(
            {
                "sqlite": lambda: [*sqlite_update_trigger(LISTED), *sqlite_firm_rows_triggers()],
                "postgresql": lambda: [*pg_function(LISTED), *pg_firm_rows_triggers()],
            },
            {
                "sqlite": lambda: [
                    *sqlite_update_trigger(SEARCHED),
                    *drop_firm_rows_triggers(False),
                ],
                "postgresql": lambda: [*pg_function(SEARCHED), *drop_firm_rows_triggers(True)],
            },
        ),
    ]
