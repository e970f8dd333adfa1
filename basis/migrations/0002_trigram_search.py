"""Trigram indexes for the public Chinese substring search (PostgreSQL only). pg_trgm extracts
trigrams from CJK text only in a database whose LC_CTYPE is UTF-8; see tests/basis/test_search.py."""

from django.db import migrations

INDEXES = (
    ("basis_instrument_name_trgm", "basis_legalinstrument", "name"),
    ("basis_entry_duties_trgm", "basis_catalogueentry", "rights_and_duties"),
    ("organisations_name_trgm", "organisations_organisation", "name"),
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("basis", "0001_initial"), ("organisations", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
