"""Manual scores with their evidence, and the scoring form's guards."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appraisal import review_services, services
from appraisal.models import FileReview, ManualScore
from appraisal.services import AppraisalError
from audit.models import AuditEvent

from .conftest import case_file

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_a_manual_score_needs_reason_and_real_evidence_and_is_audited(users, city, scheme):
    indicator = scheme.indicators.get(code="target_assessment")
    with pytest.raises(AppraisalError):
        services.manual_score_set(actor=users.city_reviewer, indicator=indicator, department=city.dept_a, score=Decimal("90"),
                                  reason="", attachment=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(AppraisalError):
        services.manual_score_set(actor=users.city_reviewer, indicator=indicator, department=city.dept_a, score=Decimal("90"),
                                  reason="考核", attachment=SimpleUploadedFile("a.pdf", b"MZ not a pdf"))
    with pytest.raises(AppraisalError):
        services.manual_score_set(actor=users.city_reviewer, indicator=scheme.indicators.get(code="reversal_rate"), department=city.dept_a,
                                  score=Decimal("90"), reason="考核", attachment=SimpleUploadedFile("a.pdf", PDF))
    assert not ManualScore.objects.exists()
    manual = services.manual_score_set(actor=users.city_reviewer, indicator=indicator, department=city.dept_a, score=Decimal("90"),
                                       reason="目标责任书考核", attachment=SimpleUploadedFile("考核.pdf", PDF))
    services.manual_score_set(actor=users.city_reviewer, indicator=indicator, department=city.dept_a, score=Decimal("85"),
                              reason="复核后调整", attachment=SimpleUploadedFile("复核.pdf", PDF))
    events = AuditEvent.objects.filter(object_type="appraisal.manualscore", object_id=str(manual.pk)).order_by("id")
    assert [e.detail["after"] for e in events] == ["90", "85"] and events.last().detail["before"] == "90.00"


def test_the_evidence_download_is_scoped(client, users, city, scheme):
    indicator = scheme.indicators.get(code="target_assessment")
    manual = services.manual_score_set(actor=users.city_reviewer, indicator=indicator, department=city.dept_a, score=Decimal("90"),
                                       reason="考核", attachment=SimpleUploadedFile("考核.pdf", PDF))
    url = reverse("appraisal:manual_evidence", args=[manual.pk])
    client.force_login(users.city_reviewer)
    assert client.get(url).status_code == 200
    client.force_login(users.editor_b)
    assert client.get(url).status_code == 403
    client.force_login(users.county_reviewer)
    assert client.get(url).status_code == 404


def test_only_the_assigned_reviewer_scores_through_the_form(client, users, city, penalty_rubric):
    case_file(city.dept_a, "A-1")
    draw = review_services.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=1, seed="x")
    review = review_services.review_assign(actor=users.city_reviewer, review=draw.reviews.get(), reviewer=users.editor_b)
    item = penalty_rubric.items.get(text="调查取证不充分")
    url = reverse("appraisal:review_detail", args=[review.pk])
    client.force_login(users.editor_a)  # the reviewed department sees the findings, cannot score
    assert client.get(url).status_code == 200
    assert client.post(url, {"score": "1", f"faults_{item.pk}": "1"}).status_code == 403
    client.force_login(users.editor_b)
    response = client.post(url, {"score": "1", f"faults_{item.pk}": "abc"})
    assert response.status_code == 200 and response.context["errors"]
    assert FileReview.objects.get(pk=review.pk).score is None
    assert client.post(url, {"score": "1", f"faults_{item.pk}": "1"}).status_code == 302
    assert FileReview.objects.get(pk=review.pk).score == Decimal("90.00")
    client.force_login(users.county_reviewer)
    assert client.get(url).status_code == 404
