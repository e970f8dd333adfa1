"""Outcomes entered and imported: row-level refusals, nothing saved; the interface read by
accountability; the signal; the results PDF."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from appraisal import outcome_services, selectors, services
from appraisal.models import CaseOutcome, Grade, OfficerResult
from appraisal.signals import round_finalised
from basis.upload_guard import inspect_upload


def _sheet(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(outcome_services.HEADERS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("outcomes.xlsx", buffer.getvalue())


def test_an_import_with_unknown_departments_or_impossible_dates_saves_nothing(users, city):
    upload = inspect_upload(_sheet([
        ["C-A", "行政复议", "复1", "2026-03-01", "维持", "", ""],
        ["NOPE", "行政复议", "复2", "2026-03-01", "维持", "", ""],
        ["C-B", "行政诉讼", "诉1", "2099-01-01", "撤销", "", ""],
        ["C-B", "行政诉讼", "诉2", "2026-02-30", "撤销", "", ""],
    ]))
    preview = outcome_services.outcomes_preview(jurisdiction=city.city, upload=upload)
    rows = {e.split("：")[0].split(":")[0] for e in preview.errors}
    assert len(preview.errors) == 3, preview.errors
    assert any("3" in r for r in rows) and any("4" in r for r in rows) and any("5" in r for r in rows)
    with pytest.raises(services.AppraisalError):
        outcome_services.outcomes_import(actor=users.city_reviewer, jurisdiction=city.city, upload=upload)
    assert not CaseOutcome.objects.exists()


def test_a_good_import_through_preview_and_confirm(client, users, city):
    client.force_login(users.city_reviewer)
    response = client.post(reverse("appraisal:outcome_import"), {"file": _sheet([
        ["C-A", "行政复议", "复1", datetime.date(2026, 3, 1), "维持", "P-1", ""],
        ["C-B", "行政诉讼", "诉1", "2026-04-01", "撤销", "", ""],
    ])})
    assert response.status_code == 200 and not response.context["preview"].errors
    assert not CaseOutcome.objects.exists()
    response = client.post(reverse("appraisal:outcome_import"), {"confirm": "1", "key": response.context["key"]})
    assert response.status_code == 302
    assert CaseOutcome.objects.count() == 2
    assert CaseOutcome.objects.get(case_number="诉1").outcome == "annulled"


def test_a_department_cannot_import(client, users, city):
    client.force_login(users.editor_a)
    assert client.post(reverse("appraisal:outcome_import"), {"file": _sheet([])}).status_code == 403


@pytest.fixture
def finalised(users, city, scheme, officers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.round_start(actor=users.city_reviewer, scheme=scheme, cut_off=datetime.date(2026, 11, 30))
    received = []
    round_finalised.connect(lambda sender, round_id, **kw: received.append(round_id), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.round_finalise(actor=users.city_reviewer, round_=round_)
    finally:
        round_finalised.disconnect(dispatch_uid="t")
    round_.received = received
    return round_


def test_finalising_sends_the_signal_and_feeds_the_interface(finalised, city, officers):
    assert finalised.received == [finalised.pk]
    grades = selectors.officer_grades(jurisdiction_id=city.city.pk, years=[2026])
    assert set(grades) == {o.pk for o in officers.values()}
    assert all(set(g) == {2026} and g[2026] in Grade.values for g in grades.values())
    assert grades[officers["a1"].pk][2026] == OfficerResult.objects.get(round=finalised, officer=officers["a1"]).grade
    rows = selectors.department_results(round_id=finalised.pk)
    assert {r.department_id for r in rows} >= {city.dept_a.pk, city.dept_b.pk}
    assert all(hasattr(r, "reversal_rate") and r.grade in Grade.values for r in rows)
    assert selectors.officer_grades(jurisdiction_id=city.county_x.pk, years=[2026]) == {}


def test_the_public_sees_published_rounds_only(client, users, scheme, finalised, city, django_capture_on_commit_callbacks):
    page = client.get(reverse("portal:appraisal_results", args=[finalised.pk]))
    assert page.status_code == 200 and city.dept_a.name in page.content.decode()
    assert "<svg" in page.content.decode()
    # Officers appear only as counts per grade, never by name.
    assert "张一" not in page.content.decode()
    draft_scheme = services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title="草稿")
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.round_start(actor=users.city_reviewer, scheme=draft_scheme, cut_off=datetime.date(2026, 6, 30))
    assert client.get(reverse("portal:appraisal_results", args=[draft.pk])).status_code == 404
    assert client.get(reverse("portal:appraisal_index")).status_code == 200


def test_the_results_pdf_is_rendered_by_the_worker(client, users, finalised, django_capture_on_commit_callbacks):
    from appraisal.models import ResultDocument

    client.force_login(users.city_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("appraisal:round_action", args=[finalised.pk, "pdf"]))
    document = ResultDocument.objects.get(round=finalised)
    assert document.status == "ready", document.error
    response = client.get(reverse("appraisal:round_pdf", args=[finalised.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
