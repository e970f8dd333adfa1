"""Phase summaries: written and submitted by the filer, accepted or returned by the receiving
office; the problems they raise, open with their age until the office answers; bad input saves
nothing; scoping."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import Refused
from audit.models import AuditAction, AuditEvent
from rollout import selectors_filings as selectors
from rollout import services_filings as services
from rollout.models import FilingStatus, PhaseSummary, SummaryProblem
from workflow.engine import WorkflowError

from .filings_fixtures import pdf, world, zip_named_pdf  # noqa: F401

pytestmark = pytest.mark.django_db


def _summary(world, organisation=None, filer=None, phase=1, problems=()):
    organisation = organisation or world.city.dept_a
    filer = filer or world.users.editor_a
    return services.summary_save(actor=filer, organisation=organisation, phase=world.phases[phase],
                                 data=services.SummaryData(text="第一阶段工作总结", problems=list(problems)))


def test_submit_accept_and_return_with_who_may(world):
    users = world.users
    summary = _summary(world)
    with pytest.raises(Refused):
        services.summary_submit(actor=users.editor_b, summary=summary)
    summary = services.summary_submit(actor=users.editor_a, summary=summary)
    assert summary.status == FilingStatus.FILED and summary.submitted_at is not None
    for who in ("editor_a", "county_reviewer", "establishment"):
        with pytest.raises(Refused):
            services.summary_accept(actor=getattr(users, who), summary=summary)
    with pytest.raises(ValidationError):
        services.summary_return(actor=users.city_reviewer, summary=summary, comment="")
    summary = services.summary_return(actor=users.city_reviewer, summary=summary, comment="请补充问题")
    assert summary.status == FilingStatus.RETURNED
    with pytest.raises(WorkflowError):
        services.summary_accept(actor=users.city_reviewer, summary=summary)
    summary = _summary(world)  # rewritten while returned
    summary = services.summary_submit(actor=users.editor_a, summary=summary)
    summary = services.summary_accept(actor=users.city_reviewer, summary=summary)
    assert summary.status == FilingStatus.ACKNOWLEDGED
    assert [(e.from_status, e.to_status) for e in summary.events.all()] == [
        ("", "draft"), ("draft", "filed"), ("filed", "returned"), ("returned", "filed"), ("filed", "acknowledged"),
    ]
    with pytest.raises(services.FilingError):
        _summary(world)  # an accepted summary is not rewritten


def test_a_phase_of_a_campaign_outside_the_jurisdiction_is_refused_on_the_field(world, client):
    users, city = world.users, world.city
    with pytest.raises(ValidationError) as error:
        services.summary_save(actor=users.editor_a, organisation=city.dept_a, phase=world.county_y_phase,
                              data=services.SummaryData(text="总结"))
    assert list(error.value.message_dict) == ["phase"]
    # County Y's own department may file for its county's campaign.
    assert services.summary_save(actor=world.editor_y1, organisation=city.dept_y1, phase=world.county_y_phase,
                                 data=services.SummaryData(text="总结")).pk
    client.force_login(users.editor_a)
    response = client.post(reverse("filings:summary_edit", args=[city.dept_a.pk, world.county_y_phase.pk]), {"text": "总结"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not PhaseSummary.objects.filter(organisation=city.dept_a).exists()


def test_missing_text_and_a_bad_attachment_save_nothing(world, client):
    users, city = world.users, world.city
    client.force_login(users.editor_a)
    url = reverse("filings:summary_edit", args=[city.dept_a.pk, world.phases[1].pk])
    response = client.post(url, {"text": "", "problems": "人员不足"})
    assert set(response.context["form"].errors) == {"text"}
    response = client.post(url, {"text": "总结", "document": zip_named_pdf("总结.pdf")})
    assert set(response.context["form"].errors) == {"document"}
    assert not PhaseSummary.objects.exists() and not SummaryProblem.objects.exists()
    response = client.post(url, {"text": "总结", "problems": "人员不足\n\n模板不统一", "document": pdf("总结.pdf")})
    assert response.status_code == 302
    summary = PhaseSummary.objects.get()
    assert list(summary.problems.values_list("text", flat=True)) == ["人员不足", "模板不统一"]
    assert summary.document_name == "总结.pdf"


def test_problems_are_raised_on_submission_listed_with_their_age_and_closed_by_an_answer(world, client):
    users, city = world.users, world.city
    first = services.summary_submit(actor=users.editor_a, summary=_summary(world, problems=["人员不足"]))
    second = services.summary_submit(actor=users.editor_b, summary=_summary(world, city.dept_b, users.editor_b, problems=["模板不统一"]))
    draft = _summary(world, city.dept_x1, world.editor_x1, problems=["草稿里的问题"])
    assert draft.problems.get().raised_at is None
    now = timezone.now()
    SummaryProblem.objects.filter(summary=first).update(raised_at=now - datetime.timedelta(days=20))
    SummaryProblem.objects.filter(summary=second).update(raised_at=now - datetime.timedelta(days=3))

    rows = selectors.open_problems(users.city_reviewer, "age", now=now)
    assert [(r.problem.text, r.days_open) for r in rows] == [("人员不足", 20), ("模板不统一", 3)]
    assert [r.problem.text for r in selectors.open_problems(users.city_reviewer, "-age", now=now)] == ["模板不统一", "人员不足"]
    assert selectors.open_problems(users.county_reviewer) == []

    client.force_login(users.city_reviewer)
    response = client.get(reverse("filings:problem_list"), {"order": "-age"})
    assert [r.problem.text for r in response.context["page"].object_list] == ["模板不统一", "人员不足"]
    assert 'data-days="20"' in response.content.decode()

    problem = first.problems.get()
    with pytest.raises(ValidationError):
        services.problem_answer(actor=users.city_reviewer, problem=problem, answer=" ")
    with pytest.raises(Refused):
        services.problem_answer(actor=users.editor_a, problem=problem, answer="自己答")
    response = client.post(reverse("filings:problem_answer", args=[problem.pk]), {"answer": "统筹调配人员"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert not problem.is_open and problem.answered_by == users.city_reviewer
    assert [r.problem.text for r in selectors.open_problems(users.city_reviewer)] == ["模板不统一"]
    with pytest.raises(services.FilingError):
        services.problem_answer(actor=users.city_reviewer, problem=problem, answer="再答")
    assert AuditEvent.objects.filter(object_type__endswith="summaryproblem", action=AuditAction.UPDATE).count() == 1


def test_only_the_receiving_office_answers(world, client):
    users, city = world.users, world.city
    summary = services.summary_submit(actor=world.editor_x1, summary=_summary(world, city.dept_x1, world.editor_x1, problems=["县里的问题"]))
    problem = summary.problems.get()
    rows = selectors.open_problems(users.city_reviewer)
    assert len(rows) == 1 and not rows[0].can_answer  # the city oversees, the county answers
    with pytest.raises(Refused):
        services.problem_answer(actor=users.city_reviewer, problem=problem, answer="市里答")
    assert selectors.open_problems(users.county_reviewer)[0].can_answer
    client.force_login(world.county_y_reviewer)
    assert client.post(reverse("filings:problem_answer", args=[problem.pk]), {"answer": "x"}).status_code == 404


def test_summary_pages_scope_and_list_queries(world, client, django_assert_max_num_queries):
    users, city = world.users, world.city
    for organisation, filer in ((city.dept_a, users.editor_a), (city.dept_b, users.editor_b), (city.dept_x1, world.editor_x1)):
        services.summary_submit(actor=filer, summary=_summary(world, organisation, filer, problems=["问题一", "问题二"]))
    own = PhaseSummary.objects.get(organisation=city.dept_a)
    client.force_login(users.editor_b)
    assert client.get(reverse("filings:summary_detail", args=[own.pk])).status_code == 404
    client.force_login(users.county_reviewer)
    assert client.get(reverse("filings:summary_detail", args=[own.pk])).status_code == 404
    client.force_login(users.city_reviewer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("filings:summary_list"))
    assert len(response.context["page"].object_list) == 3
    with django_assert_max_num_queries(20):
        response = client.get(reverse("filings:problem_list"))
    assert len(response.context["page"].object_list) == 6
    client.force_login(users.editor_a)
    assert client.get(reverse("filings:problem_list")).status_code == 403


def test_summary_api(world, api_client):
    users, city = world.users, world.city
    api_client.force_authenticate(users.editor_a)
    body = {"organisation": city.dept_a.code, "phase": world.phases[1].pk, "text": "总结", "problems": ["人员不足"]}
    response = api_client.post("/api/rollout/summaries/", body, format="json")
    assert response.status_code == 200, response.content
    pk = response.json()["id"]
    bad = api_client.post("/api/rollout/summaries/", dict(body, phase=world.county_y_phase.pk), format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["phase"]
    assert api_client.post(f"/api/rollout/summaries/{pk}/transition/", {"transition": "submit"}, format="json").status_code == 200
    api_client.force_authenticate(users.city_reviewer)
    problems = api_client.get("/api/rollout/problems/", {"open": 1}).json()["results"]
    assert [p["text"] for p in problems] == ["人员不足"]
    assert api_client.post(f"/api/rollout/problems/{problems[0]['id']}/answer/", {"answer": "好"}, format="json").status_code == 200
    assert api_client.get("/api/rollout/problems/", {"open": 1}).json()["results"] == []
    assert api_client.post(f"/api/rollout/summaries/{pk}/transition/", {"transition": "accept"}, format="json").json()["status"] == "acknowledged"
