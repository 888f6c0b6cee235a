"""PostgreSQL: leave a quarter of each page of registry_enterprise free.

A firm's row is about 1.6 KB (its search tokens are half of it), five to a page. Packed full, any
update (a new headcount, a contact) must put the new row version on another page, and then every
index gets a new entry for it, the search tokens' GIN index with a hundred and more. With room on
the page, an update that changes no indexed column stays on it (a heap-only tuple) and touches no
index: bulk imports merging new figures into known firms were paying for the GIN index on each.

Existing rows are rewritten once so their pages get the room too (VACUUM FULL: the table is
locked while it runs, about a minute per million firms). SQLite has no fillfactor.
"""

from django.db import migrations

FILLFACTOR = 75


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE registry_enterprise SET (fillfactor = {FILLFACTOR})")
    schema_editor.execute("VACUUM FULL registry_enterprise")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE registry_enterprise RESET (fillfactor)")


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run inside a transaction

    dependencies = [("registry", "0005_enterprise_match_key")]

    operations = [migrations.RunPython(forward, backward)]
