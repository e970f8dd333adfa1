"""The appraisal API (issue 15): scoped like the pages (403 for a role without appraisal, 404
outside the scope, on record), the objection and its answer through the services, bad input
answered by field with nothing saved, the public's finalised rounds, and constant query counts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from appraisal import review_services, services
from appraisal.models import CaseOutcome, DepartmentResult, IndicatorScore, Objection, ObjectionStatus, OfficerResult, Outcome, Proceeding
from audit.models import AuditEvent
from tests.factories import UserFactory

from .conftest import case_file

ADMINS = ("sysadmin", "secadmin", "auditadmin")


@pytest.fixture
def computed(users, scheme, officers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.round_start(actor=users.city_reviewer, scheme=scheme, cut_off=datetime.date(2026, 11, 30))
    round_.refresh_from_db()
    assert round_.status == "computed"
    return round_


@pytest.fixture
def editor_x1(city):
    """A department's editor in another jurisdiction (county X)."""
    return UserFactory(username="editor_x1", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_x1)


def as_user(api_client, user):
    api_client.force_login(user)
    return api_client


def denials():
    return AuditEvent.objects.filter(action="permission_denied").count()


def ids(response):
    body = response.json()
    return [row["id"] for row in (body["results"] if isinstance(body, dict) and "results" in body else body)]


# -- Schemes ----------------------------------------------------------------------------------


def test_schemes_as_the_office_with_indicators_and_thresholds(api_client, users, scheme):
    client = as_user(api_client, users.city_reviewer)
    assert ids(client.get("/api/appraisal/schemes/")) == [scheme.pk]
    detail = client.get(f"/api/appraisal/schemes/{scheme.pk}/").json()
    assert Decimal(detail["excellent_from"]) == scheme.excellent_from and Decimal(detail["basic_pass_from"]) == scheme.basic_pass_from
    assert {i["code"] for i in detail["indicators"]} == set(scheme.indicators.values_list("code", flat=True))
    assert detail["indicators"] and {"weight", "rule", "source", "target"} <= set(detail["indicators"][0])


def test_schemes_for_departments_and_outside_the_jurisdiction(api_client, users, scheme, editor_x1):
    # A department reads its own jurisdiction's scheme, as on the pages.
    client = as_user(api_client, users.editor_a)
    assert ids(client.get("/api/appraisal/schemes/")) == [scheme.pk]
    assert client.get(f"/api/appraisal/schemes/{scheme.pk}/").status_code == 200
    for outsider in (editor_x1, users.county_reviewer):
        client = as_user(api_client, outsider)
        assert ids(client.get("/api/appraisal/schemes/")) == []
        before = denials()
        assert client.get(f"/api/appraisal/schemes/{scheme.pk}/").status_code == 404
        assert denials() == before + 1


@pytest.mark.parametrize("admin", ADMINS)
def test_administrators_have_no_appraisal(api_client, users, computed, admin):
    client = as_user(api_client, getattr(users, admin))
    result = DepartmentResult.objects.filter(round=computed).first()
    urls = ["/api/appraisal/schemes/", f"/api/appraisal/schemes/{computed.scheme_id}/", "/api/appraisal/rounds/",
            f"/api/appraisal/rounds/{computed.pk}/", f"/api/appraisal/rounds/{computed.pk}/results/",
            f"/api/appraisal/rounds/{computed.pk}/results/{result.department_id}/drilldown/",
            f"/api/appraisal/rounds/{computed.pk}/objections/", "/api/appraisal/case-files/", "/api/appraisal/outcomes/"]
    before = denials()
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert denials() == before + len(urls)
    assert client.post(f"/api/appraisal/rounds/{computed.pk}/objections/", {"text": "x"}, format="json").status_code == 403
    assert client.get("/api/public/appraisal/rounds/").status_code == 200


def test_anonymous_is_refused_except_public(api_client, computed):
    for url in ["/api/appraisal/schemes/", "/api/appraisal/rounds/", f"/api/appraisal/rounds/{computed.pk}/results/",
                "/api/appraisal/case-files/", "/api/appraisal/outcomes/", f"/api/appraisal/rounds/{computed.pk}/objections/"]:
        assert api_client.get(url).status_code in (401, 403), url
    assert api_client.post(f"/api/appraisal/rounds/{computed.pk}/objections/", {"text": "x"}, format="json").status_code in (401, 403)
    assert not Objection.objects.exists()


# -- Rounds and results -----------------------------------------------------------------------


def test_rounds_and_all_results_as_the_office(api_client, users, computed, city):
    client = as_user(api_client, users.city_reviewer)
    assert ids(client.get("/api/appraisal/rounds/")) == [computed.pk]
    detail = client.get(f"/api/appraisal/rounds/{computed.pk}/").json()
    assert detail["status"] == "computed" and detail["cut_off"] == "2026-11-30" and detail["progress"] == 100
    assert sum(g["count"] for g in detail["officer_grades"]) == OfficerResult.objects.filter(round=computed).count() == 3
    body = client.get(f"/api/appraisal/rounds/{computed.pk}/results/").json()
    results = DepartmentResult.objects.filter(round=computed)
    assert body["count"] == results.count() and body["count"] >= 2
    row = next(r for r in body["results"] if r["department"] == city.dept_a.pk)
    own = results.get(department=city.dept_a)
    assert Decimal(row["total"]) == own.total and row["grade"] == own.grade and row["rank"] == own.rank
    scores = IndicatorScore.objects.filter(round=computed, department=city.dept_a)
    assert {s["indicator"] for s in row["scores"]} == set(scores.values_list("indicator_id", flat=True))
    drill = client.get(f"/api/appraisal/rounds/{computed.pk}/results/{city.dept_b.pk}/drilldown/").json()
    assert drill["department"] == city.dept_b.pk
    stored = {s.indicator_id: s.detail for s in IndicatorScore.objects.filter(round=computed, department=city.dept_b)}
    assert {s["indicator"]: s["records"] for s in drill["scores"]} == stored


def test_a_department_sees_its_own_result_only(api_client, users, computed, city):
    for user, own, other in ((users.editor_a, city.dept_a, city.dept_b), (users.editor_b, city.dept_b, city.dept_a)):
        client = as_user(api_client, user)
        assert ids(client.get("/api/appraisal/rounds/")) == [computed.pk]
        detail = client.get(f"/api/appraisal/rounds/{computed.pk}/").json()
        assert detail["officer_grades"] == []  # a draft's officer grades are the office's (as on the page)
        rows = client.get(f"/api/appraisal/rounds/{computed.pk}/results/").json()["results"]
        assert [r["department"] for r in rows] == [own.pk]
        assert client.get(f"/api/appraisal/rounds/{computed.pk}/results/{own.pk}/drilldown/").status_code == 200
        before = denials()
        assert client.get(f"/api/appraisal/rounds/{computed.pk}/results/{other.pk}/drilldown/").status_code == 404
        assert denials() == before + 1


def test_rounds_outside_the_jurisdiction_are_404(api_client, users, computed, city, editor_x1):
    for user in (users.county_reviewer, editor_x1):
        client = as_user(api_client, user)
        assert ids(client.get("/api/appraisal/rounds/")) == []
        before = denials()
        for url in (f"/api/appraisal/rounds/{computed.pk}/", f"/api/appraisal/rounds/{computed.pk}/results/",
                    f"/api/appraisal/rounds/{computed.pk}/results/{city.dept_a.pk}/drilldown/",
                    f"/api/appraisal/rounds/{computed.pk}/objections/"):
            assert client.get(url).status_code == 404, url
        assert denials() == before + 4


def test_a_queued_round_is_not_shown_to_departments(api_client, users, computed):
    type(computed).objects.filter(pk=computed.pk).update(status="queued")
    client = as_user(api_client, users.editor_a)
    assert ids(client.get("/api/appraisal/rounds/")) == []
    assert client.get(f"/api/appraisal/rounds/{computed.pk}/").status_code == 404
    assert ids(as_user(api_client, users.city_reviewer).get("/api/appraisal/rounds/")) == [computed.pk]


# -- Objections -------------------------------------------------------------------------------


def test_objection_raised_and_answered_through_the_api(api_client, users, computed, city):
    result = DepartmentResult.objects.get(round=computed, department=city.dept_a)
    score = IndicatorScore.objects.get(round=computed, department=city.dept_a, indicator__code="target_assessment")
    client = as_user(api_client, users.editor_a)
    response = client.post(f"/api/appraisal/rounds/{computed.pk}/objections/", {"score": score.pk, "text": "目标考核已完成"}, format="json")
    assert response.status_code == 201, response.content
    objection = Objection.objects.get()
    assert response.json()["id"] == objection.pk and objection.result == result and objection.score == score
    assert objection.raised_by == users.editor_a and objection.status == ObjectionStatus.OPEN
    raised = AuditEvent.objects.get(object_type__icontains="objection", object_id=str(objection.pk), action="create")
    assert raised.actor == users.editor_a
    # The department sees its objection; another department does not.
    assert ids(client.get(f"/api/appraisal/rounds/{computed.pk}/objections/")) == [objection.pk]
    assert ids(as_user(api_client, users.editor_b).get(f"/api/appraisal/rounds/{computed.pk}/objections/")) == []
    assert api_client.get(f"/api/appraisal/rounds/{computed.pk}/objections/{objection.pk}/").status_code == 404
    # The department cannot answer its own objection.
    client = as_user(api_client, users.editor_a)
    url = f"/api/appraisal/rounds/{computed.pk}/objections/{objection.pk}/answer/"
    assert client.post(url, {"answer": "自己答"}, format="json").status_code == 403
    # The office answers and adjusts the score; the total follows.
    client = as_user(api_client, users.city_reviewer)
    assert client.get(f"/api/appraisal/rounds/{computed.pk}/").json()["open_objections"] == 1
    response = client.post(url, {"answer": "核实，调整", "adjusted": "90"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "answered"
    objection.refresh_from_db()
    score.refresh_from_db()
    assert objection.status == ObjectionStatus.ANSWERED and objection.answered_by == users.city_reviewer
    assert score.adjusted == Decimal("90")
    answered = AuditEvent.objects.get(object_type__icontains="objection", object_id=str(objection.pk), action="update")
    assert answered.actor == users.city_reviewer and Decimal(answered.detail["after"]) == Decimal("90")
    # A second answer is a conflict of state (409), nothing changed.
    again = client.post(url, {"answer": "再答"}, format="json")
    assert again.status_code == 409 and again.json()["detail"]
    objection.refresh_from_db()
    assert objection.answer == "核实，调整"


def test_an_empty_objection_is_400_on_the_field_and_saves_nothing(api_client, users, computed):
    client = as_user(api_client, users.editor_a)
    for body in ({"text": ""}, {"text": "   "}, {}):
        response = client.post(f"/api/appraisal/rounds/{computed.pk}/objections/", body, format="json")
        assert response.status_code == 400 and "text" in response.json(), body
    assert not Objection.objects.exists()


def test_an_objection_after_the_period_is_400_and_saves_nothing(api_client, users, computed):
    type(computed).objects.filter(pk=computed.pk).update(objections_until=timezone.localdate() - datetime.timedelta(days=1))
    client = as_user(api_client, users.editor_a)
    events = AuditEvent.objects.count()
    response = client.post(f"/api/appraisal/rounds/{computed.pk}/objections/", {"text": "不服"}, format="json")
    assert response.status_code == 400 and response.json()["non_field_errors"]
    assert not Objection.objects.exists() and AuditEvent.objects.count() == events


def test_an_objection_on_another_departments_indicator_is_400_on_the_score(api_client, users, computed, city):
    other = IndicatorScore.objects.filter(round=computed, department=city.dept_b).first()
    client = as_user(api_client, users.editor_a)
    response = client.post(f"/api/appraisal/rounds/{computed.pk}/objections/", {"score": other.pk, "text": "不服"}, format="json")
    assert response.status_code == 400 and "score" in response.json()
    assert not Objection.objects.exists()


def test_who_may_not_object(api_client, users, computed, city, editor_x1):
    url = f"/api/appraisal/rounds/{computed.pk}/objections/"
    # The office objects to nothing (403, on record).
    before = denials()
    assert as_user(api_client, users.city_reviewer).post(url, {"department": city.dept_a.pk, "text": "x"}, format="json").status_code == 403
    assert as_user(api_client, users.city_reviewer).post(url, {"text": "x"}, format="json").status_code == 403
    # Another department cannot object to department A's result: it does not see it.
    assert as_user(api_client, users.editor_b).post(url, {"department": city.dept_a.pk, "text": "x"}, format="json").status_code == 404
    # Outside the jurisdiction the round itself is not there.
    assert as_user(api_client, editor_x1).post(url, {"text": "x"}, format="json").status_code == 404
    # The department's head sees but does not edit.
    assert as_user(api_client, users.head_a).post(url, {"text": "x"}, format="json").status_code == 403
    assert denials() == before + 5
    assert not Objection.objects.exists()


def test_no_objection_to_a_finalised_round(api_client, users, computed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.round_finalise(actor=users.city_reviewer, round_=computed)
    response = as_user(api_client, users.editor_a).post(f"/api/appraisal/rounds/{computed.pk}/objections/", {"text": "x"}, format="json")
    assert response.status_code == 403
    assert not Objection.objects.exists()


# -- Case files and outcomes ------------------------------------------------------------------


@pytest.fixture
def draw(users, city, penalty_rubric):
    for n in range(3):
        case_file(city.dept_a, f"A-{n}")
        case_file(city.dept_b, f"B-{n}")
    return review_services.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=2, seed="s")


def test_case_file_reviews_scoped_like_the_pages(api_client, users, city, draw, editor_x1):
    reviews = draw.reviews.all()
    assert ids(as_user(api_client, users.city_reviewer).get("/api/appraisal/case-files/")) and set(
        ids(api_client.get("/api/appraisal/case-files/"))) == set(reviews.values_list("pk", flat=True))
    own = set(reviews.filter(department=city.dept_a).values_list("pk", flat=True))
    body = as_user(api_client, users.editor_a).get("/api/appraisal/case-files/").json()
    assert set(r["id"] for r in body["results"]) == own and body["count"] == len(own)
    assert all(r["department"] == city.dept_a.pk and r["number"].startswith("A-") for r in body["results"])
    other = reviews.filter(department=city.dept_b).first()
    assert api_client.get(f"/api/appraisal/case-files/{other.pk}/").status_code == 404
    assert ids(as_user(api_client, users.county_reviewer).get("/api/appraisal/case-files/")) == []
    assert ids(as_user(api_client, editor_x1).get("/api/appraisal/case-files/")) == []


def _outcomes(users, department, n, start=0):
    for i in range(start, start + n):
        CaseOutcome.objects.create(department=department, proceeding=Proceeding.RECONSIDERATION, case_number=f"{department.code}-{i}",
                                   decided_on=datetime.date(2026, 3, 1), outcome=Outcome.ANNULLED if i % 2 else Outcome.UPHELD,
                                   entered_by=users.city_reviewer)


def test_outcomes_scoped_like_the_pages(api_client, users, city, editor_x1):
    _outcomes(users, city.dept_a, 2)
    _outcomes(users, city.dept_b, 1)
    _outcomes(users, city.dept_x1, 1)
    assert len(ids(as_user(api_client, users.city_reviewer).get("/api/appraisal/outcomes/"))) == 4
    body = as_user(api_client, users.editor_a).get("/api/appraisal/outcomes/").json()
    assert body["count"] == 2 and {r["department"] for r in body["results"]} == {city.dept_a.pk}
    assert ids(as_user(api_client, users.county_reviewer).get("/api/appraisal/outcomes/")) == list(
        CaseOutcome.objects.filter(department=city.dept_x1).values_list("pk", flat=True))
    assert ids(as_user(api_client, editor_x1).get("/api/appraisal/outcomes/")) == ids(api_client.get("/api/appraisal/outcomes/"))
    b = CaseOutcome.objects.get(department=city.dept_b)
    assert as_user(api_client, users.editor_a).get(f"/api/appraisal/outcomes/{b.pk}/").status_code == 404


# -- Public -----------------------------------------------------------------------------------


def test_the_public_sees_finalised_rounds_only(api_client, users, city, scheme, computed, django_capture_on_commit_callbacks):
    assert api_client.get("/api/public/appraisal/rounds/").json()["results"] == []
    assert api_client.get(f"/api/public/appraisal/rounds/{computed.pk}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.round_finalise(actor=users.city_reviewer, round_=computed)
    draft_scheme = services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title="草稿")
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.round_start(actor=users.city_reviewer, scheme=draft_scheme, cut_off=datetime.date(2026, 6, 30))
    response = api_client.get("/api/public/appraisal/rounds/")
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [computed.pk] and "next" in body and "count" not in body
    published = body["results"][0]
    assert {r["department_code"] for r in published["results"]} == set(
        DepartmentResult.objects.filter(round=computed).values_list("department__code", flat=True))
    assert sum(g["count"] for g in published["officer_grades"]) == 3
    # Officers only as counts: no names, no ids, no per-indicator scores.
    text = response.content.decode()
    assert "张一" not in text and "officer" not in str(published["results"]) and "scores" not in published["results"][0]
    assert api_client.get(f"/api/public/appraisal/rounds/{computed.pk}/").status_code == 200
    assert api_client.get(f"/api/public/appraisal/rounds/{draft.pk}/").status_code == 404
    # Without the counts kept on the round, they are counted from the officers' results.
    type(computed).objects.filter(pk=computed.pk).update(officer_grades={})
    again = api_client.get("/api/public/appraisal/rounds/").json()["results"][0]
    assert again["officer_grades"] == published["officer_grades"]


# -- Query counts -----------------------------------------------------------------------------


def _more_departments(city, n, start):
    from tests.factories import OrganisationFactory

    return [OrganisationFactory(parent=city.city, code=f"C-Z{start + i}", name=f"测试部门{start + i}") for i in range(n)]


def _count(client, url, django_assert_max_num_queries, budget=None):
    with django_assert_max_num_queries(budget or 50) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response


def test_list_query_counts_do_not_grow(api_client, users, city, scheme, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    client = as_user(api_client, users.city_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        small = services.round_start(actor=users.city_reviewer, scheme=scheme, cut_off=datetime.date(2026, 11, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.round_finalise(actor=users.city_reviewer, round_=small)
    _outcomes(users, city.dept_a, 2)
    for n in range(2):
        case_file(city.dept_a, f"A-{n}")
    review_services.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=1, seed="s")
    urls = ["/api/appraisal/schemes/", "/api/appraisal/rounds/", f"/api/appraisal/rounds/{small.pk}/results/",
            "/api/appraisal/case-files/", "/api/appraisal/outcomes/", "/api/public/appraisal/rounds/"]
    first = {url: _count(client, url, django_assert_max_num_queries)[0] for url in urls}
    # A bigger jurisdiction: more departments, a second scheme and round, more records.
    _more_departments(city, 6, 0)
    bigger_scheme = services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title="第二版")
    with django_capture_on_commit_callbacks(execute=True):
        big = services.round_start(actor=users.city_reviewer, scheme=bigger_scheme, cut_off=datetime.date(2026, 11, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.round_finalise(actor=users.city_reviewer, round_=big)
    _outcomes(users, city.dept_b, 8)
    for n in range(6):
        case_file(city.dept_b, f"B-{n}")
    review_services.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=3, seed="t")
    urls[2] = f"/api/appraisal/rounds/{big.pk}/results/"
    assert DepartmentResult.objects.filter(round=big).count() > DepartmentResult.objects.filter(round=small).count()
    for url, before in zip(urls, first.values()):
        _, response = _count(client, url, django_assert_max_num_queries, budget=before)
        assert len(ids(response)) >= 2, url
