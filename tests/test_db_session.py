"""The PostgreSQL session settings every connection starts with (DATABASE_PG_OPTIONS): planner
costs for data held in memory, no JIT, and no parallel workers for a page's small queries (at
×10 two workers were started for an n-gram lookup that found nothing: 8 ms instead of 0.5)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's session settings"),
]


def show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_every_connection_starts_with_the_planner_settings():
    assert show("random_page_cost") == "1.1"
    assert show("jit") == "off"
    assert show("parallel_setup_cost") == "10000"
