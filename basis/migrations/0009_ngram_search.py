"""N-gram indexes for one- and two-character substring search (PostgreSQL only; see
toolkit/search.py). ``lecrs_ngrams`` is IMMUTABLE so that expression indexes can use it: the
index follows every change of the text, like any other index."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION lecrs_ngrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (
        SELECT substr(lower(t), i, 1) AS gram FROM generate_series(1, length(t)) AS i
        UNION ALL
        SELECT substr(lower(t), i, 2) FROM generate_series(1, length(t) - 1) AS i
    ) AS grams
$$
"""

INDEXES = (
    ("basis_instrument_name_ngram", "basis_legalinstrument", "name"),
    ("basis_entry_duties_ngram", "basis_catalogueentry", "rights_and_duties"),
    ("basis_provision_text_ngram", "basis_provision", "text"),
    ("organisations_name_ngram", "organisations_organisation", "name"),
    ("organisations_short_name_ngram", "organisations_organisation", "short_name"),
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (lecrs_ngrams({column}))")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS lecrs_ngrams(text)")


class Migration(migrations.Migration):
    dependencies = [("basis", "0008_establishment_opinion_and_review_setting"), ("organisations", "0003_organisation_complaint_and_supervision_phones")]
    operations = [migrations.RunPython(forward, backward)]
