"""Responsibilities through the API: a round trip from an empty set to publication, scoping
(404 outside scope, offices see no drafts), 409 with the reason on a wrong state, supporting
rules and the coverage matrix."""

import pytest

from workflow.review import ReviewStatus

from .factories import ResponsibilityFactory, ResponsibilitySetFactory, SupportingRuleFactory, breakdown_with

pytestmark = pytest.mark.usefixtures("english")


def test_round_trip_from_draft_to_publication(api_client, users, city):
    breakdown_with(city.dept_a, codes=("P-1",))
    api_client.force_authenticate(users.editor_a)
    created = api_client.post("/api/responsibility/sets/")
    assert created.status_code == 201, created.content
    set_id = created.json()["id"]
    base = f"/api/responsibility/sets/{set_id}"
    body = {"level": "agency", "agency": city.agency_a.code, "kind": "handling", "power_code": "P-1",
            "stage": "filing", "content": "对符合立案条件的，十个工作日内予以立案。"}
    refused = api_client.post(f"{base}/responsibilities/", {**body, "power_code": "P-404"}, format="json")
    assert refused.status_code == 409 and "P-404" in refused.json()["detail"]
    item = api_client.post(f"{base}/responsibilities/", body, format="json")
    assert item.status_code == 201, item.content
    assert item.json()["agency"] == city.agency_a.code and item.json()["stage"] == "filing"
    updated = api_client.put(f"{base}/responsibilities/{item.json()['id']}/", {**body, "content": "七日内送达"}, format="json")
    assert updated.status_code == 200 and updated.json()["content"] == "七日内送达"
    standard = {"power_code": "P-1", "title": "裁量基准", "bands": [
        {"order": 1, "label": "轻微", "circumstances": "首次违法", "measure": "不予处罚"},
        {"order": 2, "label": "一般", "circumstances": "货值不足一万元", "measure": "罚款五万元以上"},
    ]}
    duplicate = api_client.post(f"{base}/standards/", {**standard, "bands": standard["bands"] * 2}, format="json")
    assert duplicate.status_code == 409 and "used more than once" in duplicate.json()["detail"]
    assert api_client.post(f"{base}/standards/", {**standard, "bands": []}, format="json").status_code == 409
    made = api_client.post(f"{base}/standards/", standard, format="json")
    assert made.status_code == 201 and [b["order"] for b in made.json()["bands"]] == [1, 2]
    assert api_client.get(f"{base}/standards/").json()["results"][0]["bands"][1]["measure"] == "罚款五万元以上"
    submitted = api_client.post(f"{base}/transition/", {"transition": "submit"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = api_client.post(f"{base}/transition/", {"transition": "submit"}, format="json")
    assert again.status_code == 409 and "Cannot Submit a record that is Submitted" in again.json()["detail"]
    assert api_client.post(f"{base}/transition/", {"transition": "approve"}, format="json").status_code == 403
    api_client.force_authenticate(users.city_reviewer)
    for name in ("start_review", "approve", "publish"):
        response = api_client.post(f"{base}/transition/", {"transition": name}, format="json")
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    events = api_client.get(f"{base}/events/").json()
    assert [e["to_status"] for e in events] == ["draft", "submitted", "under_review", "approved", "published"]


@pytest.mark.parametrize(
    "user, expected",
    [("editor_a", 200), ("city_reviewer", 200), ("editor_b", 404), ("county_reviewer", 404), ("sysadmin", 403)],
)
def test_set_api_scoped(api_client, users, city, user, expected):
    responsibility_set = ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    ResponsibilityFactory(responsibility_set=responsibility_set)
    api_client.force_authenticate(getattr(users, user))
    base = f"/api/responsibility/sets/{responsibility_set.pk}"
    assert api_client.get(f"{base}/").status_code == expected
    assert api_client.get(f"{base}/responsibilities/").status_code == expected
    assert api_client.get(f"{base}/standards/").status_code == expected
    if expected == 200:
        assert [s["id"] for s in api_client.get("/api/responsibility/sets/").json()["results"]] == [responsibility_set.pk]


def test_drafts_are_the_departments_alone(api_client, users, city):
    draft = ResponsibilitySetFactory(department=city.dept_a)
    item = ResponsibilityFactory(responsibility_set=draft)
    api_client.force_authenticate(users.editor_b)
    assert api_client.get(f"/api/responsibility/sets/{draft.pk}/").status_code == 404
    assert api_client.delete(f"/api/responsibility/sets/{draft.pk}/responsibilities/{item.pk}/").status_code == 404
    api_client.force_authenticate(users.city_reviewer)
    assert api_client.get(f"/api/responsibility/sets/{draft.pk}/").status_code == 404
    assert api_client.get("/api/responsibility/sets/").json()["results"] == []


def test_supporting_rules_and_coverage(api_client, users, city):
    SupportingRuleFactory(department=city.dept_b, kind="appraisal")
    api_client.force_authenticate(users.editor_a)
    created = api_client.post(
        "/api/responsibility/supporting-rules/",
        {"kind": "case_file_review", "title": "行政执法案卷评查制度", "adopted_on": "2024-06-03"}, format="json",
    )
    assert created.status_code == 201 and created.json()["department"] == "C-A"
    rule_id = created.json()["id"]
    assert [r["id"] for r in api_client.get("/api/responsibility/supporting-rules/").json()["results"]] == [rule_id]
    status = api_client.post(f"/api/responsibility/supporting-rules/{rule_id}/status/", {"status": "under_revision"}, format="json")
    assert status.status_code == 200 and status.json()["status"] == "under_revision"
    repeat = api_client.post(f"/api/responsibility/supporting-rules/{rule_id}/status/", {"status": "under_revision"}, format="json")
    assert repeat.status_code == 409
    api_client.force_authenticate(users.city_reviewer)
    assert api_client.post(
        "/api/responsibility/supporting-rules/",
        {"kind": "rewards", "title": "奖惩制度", "adopted_on": "2024-06-03"}, format="json",
    ).status_code == 403
    listed = api_client.get("/api/responsibility/supporting-rules/?department=C-B&kind=appraisal").json()["results"]
    assert [r["department"] for r in listed] == ["C-B"]
    coverage = api_client.get("/api/responsibility/coverage/").json()["results"]
    rows = {row["department"]: row for row in coverage}
    assert set(rows) == {"C-A", "C-A-2", "C-B", "X", "X-1", "Y", "Y-1"}
    assert rows["C-B"]["in_force"] == ["appraisal"] and "appraisal" not in rows["C-B"]["missing"]
    assert len(rows["C-A"]["missing"]) == 8  # the rule under revision does not count
    county = api_client.get("/api/responsibility/coverage/?government=X").json()["results"]
    assert [row["department"] for row in county] == ["X", "X-1"]
    api_client.force_authenticate(users.county_reviewer)
    assert api_client.get("/api/responsibility/coverage/?government=C").json()["results"] == []


def test_supporting_rule_document_is_uploaded_and_downloaded_through_the_api(api_client, users, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audit.models import AuditAction, AuditEvent
    from responsibility.models import SupportingRule

    api_client.force_authenticate(users.editor_a)
    url = "/api/responsibility/supporting-rules/"
    fields = {"kind": "fault_accountability", "title": "行政执法过错责任追究办法", "adopted_on": "2024-06-03"}

    not_a_pdf = SimpleUploadedFile("办法.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    refused = api_client.post(url, {**fields, "document": not_a_pdf}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["document"] == ["The file is named .pdf but its content is not a PDF document."]
    assert not SupportingRule.objects.exists()  # nothing half-saved

    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    created = api_client.post(url, {**fields, "document": SimpleUploadedFile("办法.pdf", pdf)}, format="multipart")
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert created.json()["has_document"] is True

    download = api_client.get(f"{url}{rule_id}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(rule_id)).count() == 1

    # A JSON update without a document keeps it.
    kept = api_client.put(f"{url}{rule_id}/", {**fields, "document_number": "陇政发〔2024〕3号"}, format="json")
    assert kept.status_code == 200 and kept.json()["has_document"] is True

    api_client.force_authenticate(users.editor_b)
    assert api_client.get(f"{url}{rule_id}/document/").status_code == 404
    api_client.force_authenticate(users.city_reviewer)
    assert api_client.get(f"{url}{rule_id}/document/").status_code == 200


def test_supporting_rule_document_is_stored_under_a_random_name_and_downloaded_under_its_own(api_client, users, city):
    import re
    from urllib.parse import quote

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from responsibility.models import SupportingRule

    api_client.force_authenticate(users.editor_a)
    url = "/api/responsibility/supporting-rules/"
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    created = api_client.post(
        url,
        {"kind": "fault_accountability", "title": "过错责任追究办法", "adopted_on": "2024-06-03",
         "document": SimpleUploadedFile("行政执法过错责任追究办法（2024年修订）.pdf", pdf)},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    rule = SupportingRule.objects.get(pk=created.json()["id"])
    assert rule.document_name == "行政执法过错责任追究办法（2024年修订）.pdf"
    assert re.fullmatch(r"supporting-rules/\d{4}/[A-Za-z0-9_-]{32}\.pdf", rule.document.name), rule.document.name

    api_client.force_authenticate(users.city_reviewer)
    download = api_client.get(f"{url}{rule.pk}/document/")
    assert download["Content-Disposition"].endswith("filename*=utf-8''" + quote(rule.document_name))
    assert download["X-Content-Type-Options"] == "nosniff"
    with override_settings(MEDIA_ACCEL_REDIRECT_PREFIX="/protected-media/"):
        accelerated = api_client.get(f"{url}{rule.pk}/document/")
    assert accelerated["X-Accel-Redirect"] == f"/protected-media/{rule.document.name}" and accelerated.content == b""


def test_set_list_query_count_is_constant(api_client, users, city, django_assert_max_num_queries):
    from tests.factories import OrganisationFactory

    api_client.force_authenticate(users.city_reviewer)
    for i in range(20):
        department = OrganisationFactory(parent=city.city, code=f"C-Q{i}", name=f"测试局{i}")
        ResponsibilitySetFactory(department=department, status=ReviewStatus.SUBMITTED)
        SupportingRuleFactory(department=department)
    with django_assert_max_num_queries(12):
        assert len(api_client.get("/api/responsibility/sets/").json()["results"]) == 20
    with django_assert_max_num_queries(12):
        assert len(api_client.get("/api/responsibility/supporting-rules/").json()["results"]) == 20
    with django_assert_max_num_queries(12):
        assert len(api_client.get("/api/responsibility/coverage/").json()["results"]) == 27
