"""Public Chinese substring search over published catalogues."""

import pytest
from django.db import connection

from basis.selectors_public import published_entries_search
from workflow.review import ReviewStatus

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm and LC_CTYPE exist on PostgreSQL only"
)


@pytest.fixture
def published(city):
    food = InstrumentFactory(name="中华人民共和国食品安全法")
    roads = InstrumentFactory(name="中华人民共和国道路交通安全法")
    a = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    b = CatalogueFactory(department=city.dept_b, status=ReviewStatus.PUBLISHED)
    draft = CatalogueFactory(department=city.dept_x1, status=ReviewStatus.DRAFT)
    return {
        "food_a": EntryFactory(catalogue=a, instrument=food, rights_and_duties="食品生产经营许可"),
        "roads_b": EntryFactory(catalogue=b, instrument=roads, rights_and_duties="道路运输监督检查"),
        "duty_b": EntryFactory(catalogue=b, instrument=InstrumentFactory(name="某条例"), rights_and_duties="对餐饮食品抽样检验"),
        "draft": EntryFactory(catalogue=draft, instrument=food, rights_and_duties="草稿不得公开"),
    }


@pytest.mark.parametrize("query, expected", [
    ("食", {"food_a", "duty_b"}),               # one character: instrument name and duty text
    ("食品", {"food_a", "duty_b"}),             # two characters
    ("安全法", {"food_a", "roads_b"}),          # three characters: trigram territory
    ("道路交通", {"roads_b"}),
    ("卫生健康", {"roads_b", "duty_b"}),        # department name (测试市卫生健康委员会)
    ("草稿", set()),                            # only in a draft: never public
    ("不存在的词", set()),
])
def test_search_finds_every_published_match(published, query, expected):
    found = set(published_entries_search(query).values_list("pk", flat=True))
    assert found == {published[key].pk for key in expected}


def test_search_page_shows_results_and_empty_state(client, published):
    page = client.get("/catalogues/search/", {"q": "食"}).content.decode()
    assert "中华人民共和国食品安全法" in page and "测试市卫生健康委员会" in page
    assert "草稿不得公开" not in page
    assert "不存在的词" in client.get("/catalogues/search/", {"q": "不存在的词"}).content.decode()


@postgres_only
@pytest.mark.django_db
def test_database_is_utf8_and_pg_trgm_reads_chinese():
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        ctype = cursor.fetchone()[0]
        cursor.execute("SELECT show_trgm('食品安全')")
        trigrams = cursor.fetchone()[0]
    assert "utf" in ctype.lower().replace("-", "")
    assert len(trigrams) > 0, "pg_trgm extracted no trigrams from Chinese: LC_CTYPE is not UTF-8"


@postgres_only
@pytest.mark.django_db
def test_trigram_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"basis_instrument_name_trgm", "basis_entry_duties_trgm", "organisations_name_trgm"} <= names
