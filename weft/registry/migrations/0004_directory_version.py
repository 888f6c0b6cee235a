"""The directory's version row and the triggers that renew it on every write to its tables.

SQLite: row triggers (one writer at a time, so no lock is held longer than the write itself).
PostgreSQL: deferred constraint triggers, so the row is written once per transaction at commit
time: an early row lock on it would serialise concurrent writers for their whole transaction
and could deadlock them.
"""

from django.db import migrations, models

from weft.core.migration_ops import vendor_sql

WATCHED = (
    "registry_enterprise",
    "registry_enterprise_stages",
    "registry_clustermembership",
    "registry_cluster",
    "registry_chainstage",
)
UPSERT = (
    "INSERT INTO registry_directoryversion (id, token) VALUES (1, {random}) "
    "ON CONFLICT (id) DO UPDATE SET token = {random}"
)
SQLITE_RANDOM = "random()"
PG_RANDOM = "(random() * 9.2e18)::bigint"


def sqlite_forward():
    for table in WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            yield (
                f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {UPSERT.format(random=SQLITE_RANDOM)}; END"
            )


def sqlite_backward():
    for table in WATCHED:
        for event in ("insert", "update", "delete"):
            yield f"DROP TRIGGER IF EXISTS {table}_version_{event}"


def pg_forward():
    # Once per transaction: the row triggers of a 100,000-row import cost one flag check each.
    yield f"""CREATE FUNCTION registry_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('weft.directory_changed', true) IS DISTINCT FROM
               txid_current()::text THEN
                PERFORM set_config('weft.directory_changed', txid_current()::text, true);
                {UPSERT.format(random=PG_RANDOM)};
            END IF;
            RETURN NULL;
        END $$"""
    for table in WATCHED:
        yield (
            f"CREATE CONSTRAINT TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION registry_directory_changed()"
        )


def pg_backward():
    for table in WATCHED:
        yield f"DROP TRIGGER IF EXISTS {table}_version ON {table}"
    yield "DROP FUNCTION IF EXISTS registry_directory_changed()"


def first_version(apps, schema_editor):
    import secrets

    apps.get_model("registry", "DirectoryVersion").objects.create(
        id=1, token=secrets.randbits(62)
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_load_taxonomy")]

    operations = [
        migrations.CreateModel(
            name="DirectoryVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                (
                    "token",
                    models.BigIntegerField(
                        default=0,
                        help_text="A random number, new after every committed write to the "
                        "directory's tables (random rather than counted, so a rolled-back or "
                        "restored database never repeats one).",
                    ),
                ),
            ],
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        vendor_sql(
            {"sqlite": sqlite_forward, "postgresql": pg_forward},
            {"sqlite": sqlite_backward, "postgresql": pg_backward},
        ),
    ]
