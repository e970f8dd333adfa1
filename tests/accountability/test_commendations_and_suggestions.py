"""Commendations: proposed by the office, decided, published on the portal; a department barred
by 取消评先资格 cannot be proposed that year. Suggestions: the office accepts (a registered case
opens, the suggestion as its source) or dismisses with a reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from accountability import services
from accountability.models import CaseStatus, Commendation, CommendationStatus, Suggestion, SuggestionStatus
from workflow.engine import WorkflowError

from .conftest import add_person, decide_with

YEAR = datetime.date.today().year


def test_propose_decide_publish(client, users, city, officer):
    office = users.city_reviewer
    c = services.commendation_propose(actor=office, department=city.dept_a, officer=officer, year=YEAR,
                                      title="执法标兵", citation="全年办案零差错")
    assert "执法标兵" not in client.get("/accountability/").content.decode()
    with pytest.raises(WorkflowError):
        services.commendation_publish(actor=office, commendation=c)
    services.commendation_decide(actor=office, commendation=c, approve=True)
    services.commendation_publish(actor=office, commendation=c)
    body = client.get("/accountability/").content.decode()
    assert "执法标兵" in body and officer.name in body
    assert Commendation.objects.get().status == CommendationStatus.PUBLISHED


def test_reject_needs_a_reason(users, city):
    c = services.commendation_propose(actor=users.city_reviewer, department=city.dept_b, year=YEAR, title="先进单位", citation="x")
    with pytest.raises(WorkflowError):
        services.commendation_decide(actor=users.city_reviewer, commendation=c, approve=False, note="")
    services.commendation_decide(actor=users.city_reviewer, commendation=c, approve=False, note="材料不全")
    assert Commendation.objects.get().status == CommendationStatus.REJECTED


def test_barred_department_cannot_be_proposed_that_year(investigating, users, city, officer):
    office = users.city_reviewer
    case = investigating()
    add_person(case, office, officer=officer)
    decide_with(case, office, "bar_commendation")
    with pytest.raises(WorkflowError, match="barred from commendation"):
        services.commendation_propose(actor=office, department=city.dept_a, year=YEAR, title="先进单位", citation="x")
    assert not Commendation.objects.exists()
    services.commendation_propose(actor=office, department=city.dept_a, year=YEAR + 1, title="先进单位", citation="x")
    services.commendation_propose(actor=office, department=city.dept_b, year=YEAR, title="先进单位", citation="x")


def test_only_the_office_of_the_government(users, city):
    for who in (users.county_reviewer, users.head_a, users.editor_a, users.sysadmin):
        with pytest.raises(PermissionDenied):
            services.commendation_propose(actor=who, department=city.dept_a, year=YEAR, title="t", citation="c")


def test_commendation_page_through_the_form(client, users, city):
    client.force_login(users.city_reviewer)
    response = client.post("/office/accountability/commendations/", {"department": city.dept_a.pk, "year": YEAR, "title": "", "citation": "c"})
    assert response.status_code == 200 and not Commendation.objects.exists()
    client.post("/office/accountability/commendations/", {"department": city.dept_a.pk, "year": YEAR, "title": "优秀执法单位", "citation": "c"})
    c = Commendation.objects.get()
    client.post(f"/office/accountability/commendations/{c.pk}/approve/")
    client.post(f"/office/accountability/commendations/{c.pk}/publish/")
    assert Commendation.objects.get().status == CommendationStatus.PUBLISHED
    client.force_login(users.head_a)
    assert client.get("/office/accountability/commendations/").status_code == 403


@pytest.fixture
def suggestion(city, users, officer):
    return Suggestion.objects.create(
        government=city.city, department=city.dept_a, officer=officer, rule="two_years_failed",
        explanation="连续两年考核不合格", figures={"2025": "不合格", "2026": "不合格"}, suggested_measure="revoke",
    )


def test_accept_opens_a_registered_case_with_the_suggestion_as_source(users, suggestion):
    case = services.suggestion_accept(actor=users.city_reviewer, suggestion=suggestion)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.case == case
    assert case.status == CaseStatus.REGISTERED and case.source == suggestion and case.source_kind == "appraisal"
    assert "连续两年考核不合格" in case.source_text and "2025" in case.source_text
    with pytest.raises(WorkflowError):
        services.suggestion_accept(actor=users.city_reviewer, suggestion=suggestion)


def test_dismiss_needs_a_reason_and_applies_nothing(users, suggestion):
    with pytest.raises(WorkflowError):
        services.suggestion_dismiss(actor=users.city_reviewer, suggestion=suggestion, reason=" ")
    services.suggestion_dismiss(actor=users.city_reviewer, suggestion=suggestion, reason="已调离执法岗位")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED and suggestion.case is None


def test_suggestions_page_scoped(client, users, suggestion, more_users):
    client.force_login(users.city_reviewer)
    assert client.get("/office/accountability/suggestions/").context["page"].object_list[0] == suggestion
    response = client.post(f"/office/accountability/suggestions/{suggestion.pk}/accept/")
    assert response.status_code == 302
    client.force_login(users.county_reviewer)
    assert list(client.get("/office/accountability/suggestions/", {"status": "accepted"}).context["page"].object_list) == []
    client.force_login(more_users.head_b)
    assert client.get("/office/accountability/suggestions/").status_code == 403


def test_portal_home_links_the_public_page(client, city):
    assert "/accountability/" in client.get("/").content.decode()
    assert client.get("/accountability/?tab=decisions").status_code == 200
    assert client.get("/accountability/?tab=nonsense").status_code == 200
