"""The pages: scoping (404 outside scope, on record), the office's and the department's
pages, and the list query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from appraisal import services
from appraisal.models import DepartmentResult, Objection, RoundStatus
from audit.models import AuditEvent


@pytest.fixture
def computed(users, scheme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.round_start(actor=users.city_reviewer, scheme=scheme, cut_off=datetime.date(2026, 11, 30))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.COMPUTED
    return round_


def test_the_office_sees_its_scheme_and_round(client, users, scheme, computed):
    client.force_login(users.city_reviewer)
    assert client.get(reverse("appraisal:index")).status_code == 200
    assert client.get(reverse("appraisal:scheme_detail", args=[scheme.pk])).status_code == 200
    page = client.get(reverse("appraisal:round_detail", args=[computed.pk]))
    assert page.status_code == 200
    assert len(page.context["results"]) == DepartmentResult.objects.filter(round=computed).count()
    assert client.get(reverse("appraisal:round_chart", args=[computed.pk]))["Content-Type"] == "image/svg+xml"
    export = client.get(reverse("appraisal:round_export", args=[computed.pk]))
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_outside_scope_is_404_and_on_record(client, users, scheme, computed, city):
    client.force_login(users.county_reviewer)
    before = AuditEvent.objects.filter(action="permission_denied").count()
    assert client.get(reverse("appraisal:scheme_detail", args=[scheme.pk])).status_code == 404
    assert client.get(reverse("appraisal:round_detail", args=[computed.pk])).status_code == 404
    result = DepartmentResult.objects.get(round=computed, department=city.dept_a)
    assert client.get(reverse("appraisal:result_detail", args=[result.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="permission_denied").count() == before + 3


def test_a_department_sees_its_own_result_only(client, users, computed, city):
    client.force_login(users.editor_a)
    own = DepartmentResult.objects.get(round=computed, department=city.dept_a)
    other = DepartmentResult.objects.get(round=computed, department=city.dept_b)
    page = client.get(reverse("appraisal:round_detail", args=[computed.pk]))
    assert [r.pk for r in page.context["results"]] == [own.pk]
    assert client.get(reverse("appraisal:result_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("appraisal:result_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("appraisal:round_export", args=[computed.pk])).status_code == 403


def test_objection_through_the_pages(client, users, computed, city):
    result = DepartmentResult.objects.get(round=computed, department=city.dept_a)
    score = result.round.scores.filter(department=city.dept_a, indicator__code="target_assessment").get()
    client.force_login(users.editor_a)
    response = client.post(reverse("appraisal:result_detail", args=[result.pk]), {"object": "1", "score": score.pk, "text": "目标考核已完成"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    client.force_login(users.city_reviewer)
    response = client.post(reverse("appraisal:objection_answer", args=[objection.pk]),
                           {f"o{objection.pk}-answer": "核实，调整", f"o{objection.pk}-adjusted": "90"})
    assert response.status_code == 302
    score.refresh_from_db()
    result.refresh_from_db()
    assert score.adjusted == Decimal("90")
    assert result.total > 0


def test_a_bad_scheme_edit_saves_nothing_and_says_why(client, users, scheme):
    client.force_login(users.city_reviewer)
    indicators = list(scheme.indicators.all())
    data = {"s-title": "改名", "s-excellent_from": "90", "s-good_from": "80", "s-pass_from": "70", "s-basic_pass_from": "60",
            "s-objection_days": "10", "s-reversal_rate_threshold": "15",
            "i-TOTAL_FORMS": str(len(indicators)), "i-INITIAL_FORMS": str(len(indicators)), "i-MIN_NUM_FORMS": "0", "i-MAX_NUM_FORMS": "1000"}
    for n, i in enumerate(indicators):
        data.update({f"i-{n}-code": i.code, f"i-{n}-target": i.target, f"i-{n}-name": i.name, f"i-{n}-source": i.source,
                     f"i-{n}-weight": str(i.weight + (1 if n == 0 else 0)), f"i-{n}-rule": i.rule, f"i-{n}-params": ""})
    response = client.post(reverse("appraisal:scheme_edit", args=[scheme.pk]), data)
    assert response.status_code == 200 and response.context["errors"]
    scheme.refresh_from_db()
    assert scheme.title != "改名"
    data["i-0-weight"] = str(indicators[0].weight)
    response = client.post(reverse("appraisal:scheme_edit", args=[scheme.pk]), data)
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.title == "改名"


def test_round_list_queries_do_not_grow(client, users, computed, django_assert_max_num_queries):
    client.force_login(users.city_reviewer)
    with django_assert_max_num_queries(25):
        client.get(reverse("appraisal:round_detail", args=[computed.pk]))


def test_other_pages_render(client, users, scheme):
    client.force_login(users.city_reviewer)
    for name in ("appraisal:review_index", "appraisal:outcome_index", "appraisal:outcome_import", "appraisal:rating_index", "appraisal:complaint_index"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("appraisal:manual_score", args=[scheme.pk])).status_code == 200
    assert client.get(reverse("appraisal:scheme_edit", args=[scheme.pk])).status_code == 200
    client.force_login(users.editor_a)
    for name in ("appraisal:index", "appraisal:review_index", "appraisal:outcome_index", "appraisal:rating_index", "appraisal:complaint_index"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("home")).status_code == 200
