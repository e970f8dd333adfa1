"""Indexes for every text column the portal's search reads in the responsibility chapter (issue 17):
n-gram ones for one- and two-character queries (``lecrs_ngrams``, basis migration 0009) and
trigram ones from three (toolkit/search.py). Without them the responsibilities tab, and the
powers tab that finds a power by the responsibilities citing it, read the whole table for every
query. PostgreSQL only."""

from django.db import migrations

COLUMNS = (("responsibility_content", "responsibility_responsibility", "content"),)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for prefix, table, column in COLUMNS:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {prefix}_ngram ON {table} USING gin (lecrs_ngrams({column}))")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {prefix}_trgm ON {table} USING gin ({column} gin_trgm_ops)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for prefix, _table, _column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {prefix}_ngram")
        schema_editor.execute(f"DROP INDEX IF EXISTS {prefix}_trgm")


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0003_responsibility_set_needs_revision"), ("basis", "0009_ngram_search")]
    operations = [migrations.RunPython(forward, backward)]
