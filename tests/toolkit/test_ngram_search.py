"""One- and two-character substring search is exact and, on PostgreSQL, served by the n-gram
indexes (issue 17): same rows as ``contains``, and a plan that can use the index instead of
reading the whole table."""

import pytest
from django.db import connection

from basis.models import CatalogueEntry, LegalInstrument
from basis.selectors_public import published_entries_search
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from toolkit.search import substring_lookup

TEXTS = [
    "对食品生产经营者进行监督检查",
    "食品安全抽样检验",
    "查处无照经营行为",
    "依法实施行政处罚，罚款5000元",
    "对药品、医疗器械的监督",
    "ABC检验检测机构 abc 资质认定",
    "",
]
QUERIES = ["食", "食品", "品安", "处罚", "罚款", "经营", "检", "abc", "ABC", "Ab", "5", "00", "食品安", "无此词", "、"]


@pytest.fixture
def entries(city):
    catalogue = CatalogueFactory(department=city.dept_a)
    for position, text in enumerate(TEXTS, start=1):
        EntryFactory(catalogue=catalogue, position=position, rights_and_duties=text, instrument=InstrumentFactory(name=f"条例{position}"))
    return catalogue


@pytest.mark.parametrize("query", QUERIES)
def test_the_ngram_lookup_finds_exactly_what_contains_finds(entries, query):
    plain = "icontains" if substring_lookup(query) == "ngram_icontains" else "contains"
    expected = set(CatalogueEntry.objects.filter(**{f"rights_and_duties__{plain}": query}).values_list("pk", flat=True))
    found = set(CatalogueEntry.objects.filter(**{f"rights_and_duties__{substring_lookup(query)}": query}).values_list("pk", flat=True))
    assert found == expected


def test_latin_letters_are_folded_and_chinese_is_not_asked_to_be(entries):
    assert substring_lookup("食品") == "ngram_contains"
    assert substring_lookup("abc") == "ngram_icontains"
    assert CatalogueEntry.objects.filter(rights_and_duties__ngram_icontains="aBc").count() == 1


def test_the_public_entry_search_finds_two_characters_in_the_duties(entries):
    found = {entry.rights_and_duties for entry in published_entries_search("食品")}
    assert found == {"对食品生产经营者进行监督检查", "食品安全抽样检验"}


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # The tables are tiny here, so the planner would rightly scan them; forbidding the scan
        # shows whether an index can answer the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Nor may it walk another index and filter: only a bitmap from an index that answers the
        # condition itself is left.
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "model, field, index",
    [
        (CatalogueEntry, "rights_and_duties", "basis_entry_duties_ngram"),
        (LegalInstrument, "name", "basis_instrument_name_ngram"),
    ],
)
@pytest.mark.parametrize("query", ["食", "食品", "ab"])
def test_one_and_two_characters_use_the_ngram_index_on_postgresql(entries, model, field, index, query):
    if connection.vendor != "postgresql":
        pytest.skip("the n-gram indexes are PostgreSQL's")
    plan = explain(model.objects.filter(**{f"{field}__{substring_lookup(query)}": query}))
    assert index in plan, plan


def test_three_characters_keep_the_trigram_index(entries):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram indexes are PostgreSQL's")
    queryset = CatalogueEntry.objects.filter(rights_and_duties__ngram_contains="食品安")
    assert "lecrs_ngrams" not in str(queryset.query)  # the plain LIKE, which pg_trgm serves
    plan = explain(queryset)
    assert "basis_entry_duties_trgm" in plan, plan
