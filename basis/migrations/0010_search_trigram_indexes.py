"""Trigram indexes for the two searched columns that had only n-gram ones (basis 0009): a
provision's text and an organisation's short name, so that three characters and more are served
by an index there too (issue 17). PostgreSQL only."""

from django.db import migrations

INDEXES = (
    ("basis_provision_text_trgm", "basis_provision", "text"),
    ("organisations_short_name_trgm", "organisations_organisation", "short_name"),
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("basis", "0009_ngram_search")]
    operations = [migrations.RunPython(forward, backward)]
