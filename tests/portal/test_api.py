"""The open-data dossier (portal/api.py, called directly: the lead wires its URL)."""

import json

from django.test import RequestFactory

from portal.api import department_dossier
from tests.authority.factories import BreakdownFactory, PostFactory
from workflow.review import ReviewStatus

from .conftest import ID_NUMBER, add_power, document
from .test_pages import _grow


def _get(code, **headers):
    request = RequestFactory().get(f"/api/public/departments/{code}/dossier/", **headers)
    return department_dossier(request, code=code)


def test_dossier_has_the_published_data_and_nothing_private(city, published):
    document(city.dept_a, "booklet", 1)
    draft = BreakdownFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    add_power(draft, PostFactory(agency=city.agency_a), "DRAFT-9", "草稿里的职权")
    response = _get(city.dept_a.code)
    assert response.status_code == 200 and response["ETag"]
    text = response.content.decode()
    data = json.loads(text)
    power = data["breakdown"]["powers"][0]
    assert power["code"] == "330217001000" and [s["time_limit"] for s in power["steps"]] == [10, 5]
    assert data["officers"] == [{"name": "王明", "posts": ["案件办理岗"], "certificate_number": "SC2026000777"}]
    assert data["responsibility_set"]["standards"][0]["bands"][0]["measure"] == "责令改正"
    assert data["documents"][0]["url"].endswith(f"/departments/{city.dept_a.code}/disclosure/booklet.pdf")
    assert ID_NUMBER not in text and "草稿里的职权" not in text and "gender" not in text
    assert _get(city.dept_a.code, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_dossier_of_a_department_with_nothing_published(city):
    data = json.loads(_get(city.dept_b.code).content)
    assert data["catalogue"] is None and data["breakdown"] is None and data["officers"] == []


def test_dossier_queries_are_constant(city, published, django_assert_max_num_queries):
    _grow(city, published, 2)
    with django_assert_max_num_queries(40) as few:
        _get(city.dept_a.code)
    _grow(city, published, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _get(city.dept_a.code).status_code == 200
