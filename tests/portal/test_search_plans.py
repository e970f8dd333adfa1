"""Every text column the portal's search tabs read is served by an index on PostgreSQL (issue
17): the n-gram index for one and two characters, the trigram index from three; and no tab reads
the whole of its own table to find its rows (the tabs are unions of id sets, each found through
its own table's index, not an OR across joins that only a full scan can answer).

The tables are tiny here, so the planner would rightly scan them: the plan is asked for with
sequential and plain index scans forbidden, which leaves only a bitmap from an index that
answers the condition itself — or, where none can, a sequential scan anyway, which the tests
then see."""

import pytest
from django.db import connection

from portal import search

from .test_search import laws  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the search indexes are PostgreSQL's")


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# Each tab's searched text columns, by the index prefix that serves them.
TAB_INDEXES = {
    "powers": [
        "authority_power_name", "authority_power_code", "authority_power_grounds", "authority_step_duty",
        "basis_instrument_name", "organisations_name", "organisations_short_name",
        # (and the responsibilities citing a power: the planner may go from their content's index
        # or from the powers it has already found, by code; never through the whole table, below)
    ],
    "entries": ["basis_entry_duties", "basis_instrument_name", "basis_provision_text", "organisations_name",
                "organisations_short_name"],
    "departments": ["organisations_name", "organisations_short_name"],
    "posts": ["authority_post_name", "organisations_name"],
    "responsibilities": ["responsibility_content"],
}
# The tables that grow with the data, none of which a search may read whole.
LARGE_TABLES = (
    "authority_poweritem", "authority_procedurestep", "authority_poweritem_provisions", "authority_post",
    "authority_postassignment", "basis_catalogueentry", "basis_catalogueentry_provisions", "basis_provision",
    "responsibility_responsibility",
)
# Exceptions to the trigram naming: basis 0002 named its indexes after the column, 0009 too.
NAMES = {
    ("basis_instrument_name", "trgm"): "basis_instrument_name_trgm",
    ("basis_entry_duties", "trgm"): "basis_entry_duties_trgm",
    ("organisations_name", "trgm"): "organisations_name_trgm",
}


@pytest.mark.parametrize("tab", list(TAB_INDEXES))
@pytest.mark.parametrize("query, kind", [("广告", "ngram"), ("ab", "ngram"), ("广告法", "trgm"), ("abc", "trgm")])
def test_every_searched_column_of_a_tab_is_served_by_its_index(laws, tab, query, kind):  # noqa: F811
    plan = explain(search.SEARCHES[tab](query).order_by()[: search.CAP + 1])
    missing = [prefix for prefix in TAB_INDEXES[tab] if NAMES.get((prefix, kind), f"{prefix}_{kind}") not in plan]
    assert not missing, plan
    scanned = [table for table in LARGE_TABLES if f"Seq Scan on {table} " in plan]
    assert not scanned, plan

