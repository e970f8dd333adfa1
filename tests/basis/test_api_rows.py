"""The public lists' rows path (basis/api_rows.py) answers exactly what the serializers answer:
the same JSON, byte for byte, for the same rows — nulls, dates, times, Chinese text and the
many-to-many lists included — and a page costs the same queries whatever its size (issue 17)."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from basis.models import BasisCatalogue, CatalogueEntry, ManagementCategory
from basis.selectors_public import published_entries_search
from basis.serializers import PublicCatalogueSerializer, PublicSearchResultSerializer
from organisations.models import SubjectKind
from workflow.review import ReviewStatus

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory


@pytest.fixture
def varied(city):
    """Entries with and without each optional part."""
    dated = InstrumentFactory(
        name="中华人民共和国食品安全法", promulgated_on=datetime.date(2015, 4, 24), effective_on=datetime.date(2015, 10, 1),
        document_number="主席令第21号", source="",
    )
    undated = InstrumentFactory(name="甘肃省“食品”小作坊条例 (试行)", promulgated_on=None, effective_on=None)
    city_catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    BasisCatalogue.objects.filter(pk=city_catalogue.pk).update(published_at=datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC))
    county_catalogue = CatalogueFactory(department=city.dept_x1, status=ReviewStatus.PUBLISHED)
    CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT)
    EntryFactory(
        catalogue=city_catalogue, instrument=dated, provisions="第十条、第十二条第二款、第三十五条第一款第（三）项",
        joint_departments=[city.dept_b, city.dept_x1], assisting_departments=[city.dept_y1],
        category=ManagementCategory.JOINT, rights_and_duties="对食品生产经营者进行监督检查\n（含“抽检”）",
    )
    EntryFactory(catalogue=city_catalogue, instrument=undated, rights_and_duties="", principal=city.dept_b,
                 subject_kind=SubjectKind.ENTRUSTED)
    EntryFactory(catalogue=county_catalogue, instrument=dated, provisions="第一条", assisting_departments=[city.dept_a])
    return city_catalogue


def _render(data) -> bytes:
    return JSONRenderer().render(data)


def test_the_entries_rows_are_the_serializer_s_json(varied):
    expected = PublicSearchResultSerializer(published_entries_search("").order_by("id"), many=True).data
    response = APIClient().get("/api/public/entries/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    assert _render(results) == _render(expected)
    # What the fixture is for: every optional part both present and absent.
    assert {row["principal"] is None for row in results} == {True, False}
    assert {row["instrument"]["effective_on"] is None for row in results} == {True, False}
    assert [] in [row["provisions"] for row in results] and ["第十条", "第十二条第二款", "第三十五条第一款第（三）项"] in [
        row["provisions"] for row in results
    ]


def test_a_search_s_rows_are_the_serializer_s_json(varied):
    expected = PublicSearchResultSerializer(published_entries_search("食品").order_by("id"), many=True).data
    results = APIClient().get("/api/public/entries/", {"q": "食品"}).json()["results"]
    assert results and _render(results) == _render(expected)


def test_the_catalogues_rows_are_the_serializer_s_json(varied):
    catalogues = (
        BasisCatalogue.objects.filter(status=ReviewStatus.PUBLISHED)
        .select_related("department__jurisdiction")
        .annotate(entry_count=Count("entries"), department_path=F("department__path"))
        .order_by("department_path")
    )
    expected = PublicCatalogueSerializer(catalogues, many=True).data
    results = APIClient().get("/api/public/catalogues/").json()["results"]
    assert len(results) == 2 and results[0]["published_at"].startswith("2026-03-01T10:30:00")
    assert _render(results) == _render(expected)


@pytest.mark.parametrize("page_size", [1, 3])
def test_a_page_costs_the_same_queries_whatever_its_size(varied, page_size):
    client = APIClient()
    client.get("/api/public/entries/")  # warm whatever a first request loads once
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/public/entries/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size
    # The page, its provisions, joint and assisting departments (and the session's nothing).
    assert len(queries) == 4, [q["sql"] for q in queries]
    assert CatalogueEntry.objects.count() == 3
