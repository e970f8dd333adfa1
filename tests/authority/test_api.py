"""The breakdown through the API: scoped lists, writes through the services, no ID numbers."""

import pytest

from authority.models import PowerItem
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions
from workflow.review import ReviewStatus

from .factories import BreakdownFactory, CertificateFactory, OfficerFactory, PowerFactory


@pytest.fixture
def law(city):
    instrument = InstrumentFactory(name="测试市场监督条例")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=instrument, provisions="第十条")
    return instrument


def test_editor_writes_a_power_and_submits(api_client, users, city, law):
    api_client.force_authenticate(users.editor_a)
    breakdown = api_client.post("/api/authority/breakdowns/").json()
    body = {
        "name": "未经许可从事经营活动的处罚", "code": "330217001000", "kind": "penalty",
        "enforcing_organ": city.dept_a.code, "handling_agency": city.agency_a.code,
        "provisions": [p.pk for p in provisions(law, "第十条")], "accountability_grounds": "滥用职权的",
    }
    response = api_client.post(f"/api/authority/breakdowns/{breakdown['id']}/powers/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["provisions"][0]["label"] == "第十条"
    outside = InstrumentFactory(name="测试林业条例")
    refused = api_client.post(
        f"/api/authority/breakdowns/{breakdown['id']}/powers/",
        {**body, "code": "2", "provisions": [p.pk for p in provisions(outside, "第三条")]}, format="json",
    )
    assert refused.status_code == 409 and "《测试林业条例》" in refused.json()["detail"]
    submitted = api_client.post(f"/api/authority/breakdowns/{breakdown['id']}/transition/", {"transition": "submit"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert api_client.post(f"/api/authority/breakdowns/{breakdown['id']}/transition/", {"transition": "approve"}, format="json").status_code == 403


@pytest.mark.parametrize("user, expected", [("editor_a", 200), ("city_reviewer", 200), ("editor_b", 404), ("county_reviewer", 404), ("sysadmin", 403)])
def test_breakdown_api_scoped(api_client, users, city, user, expected):
    breakdown = BreakdownFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    PowerFactory(breakdown=breakdown)
    api_client.force_authenticate(getattr(users, user))
    assert api_client.get(f"/api/authority/breakdowns/{breakdown.pk}/").status_code == expected
    assert api_client.get(f"/api/authority/breakdowns/{breakdown.pk}/powers/").status_code == expected
    if expected == 200:
        assert [b["id"] for b in api_client.get("/api/authority/breakdowns/").json()["results"]] == [breakdown.pk]


def test_officers_api_has_no_id_number(api_client, users, city):
    officer = OfficerFactory(department=city.dept_a, id_number="110101199001011234")
    CertificateFactory(officer=officer)
    OfficerFactory(department=city.dept_b)
    api_client.force_authenticate(users.editor_a)
    officers = api_client.get("/api/authority/officers/")
    assert [o["id"] for o in officers.json()["results"]] == [officer.pk]
    assert "110101199001011234" not in officers.content.decode() and "id_number" not in officers.content.decode()
    certificates = api_client.get("/api/authority/certificates/").json()["results"]
    assert certificates[0]["current_status"] == "valid"


def test_power_list_query_count_is_constant(api_client, users, city, django_assert_max_num_queries):
    breakdown = BreakdownFactory(department=city.dept_a)
    PowerFactory(breakdown=breakdown)
    api_client.force_authenticate(users.editor_a)
    path = f"/api/authority/breakdowns/{breakdown.pk}/powers/"
    api_client.get(path)
    with django_assert_max_num_queries(30) as few:
        api_client.get(path)
    for _ in range(20):
        PowerFactory(breakdown=breakdown)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get(path).json()["results"]) == 21
    assert PowerItem.objects.count() == 21
