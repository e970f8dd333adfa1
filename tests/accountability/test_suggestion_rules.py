"""The suggestion run after an appraisal round is finalised: each rule fires exactly on its rule
with crafted appraisal data, the run is idempotent and reads the round in a constant number of
queries, the office accepts or dismisses, and the departments graded excellent are proposed for
commendation unless barred that year."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accountability import services
from accountability.models import (
    CaseStatus,
    Commendation,
    CommendationStatus,
    Suggestion,
    SuggestionRule,
    SuggestionRun,
    SuggestionStatus,
)
from accountability.suggestions import round_suggestions_run
from appraisal import services as appraisal_services
from appraisal.models import (
    CaseFile,
    DepartmentResult,
    FileReview,
    ItemScore,
    OfficerResult,
    ReviewDraw,
    Round,
    RoundStatus,
    Rubric,
)
from authority.models import Officer
from rollout.models import Campaign, Finding, SpotCheck, SpotCheckTarget
from workflow.engine import WorkflowError

from .conftest import add_person, decide_with

YEAR = timezone.localdate().year


def _round(users, city, year, *, status=RoundStatus.FINALISED, threshold=None):
    scheme = appraisal_services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=year, title=f"{year}年度考核")
    if threshold is not None:
        scheme.reversal_rate_threshold = Decimal(threshold)
        scheme.save(update_fields=["reversal_rate_threshold"])
    return Round.objects.create(
        scheme=scheme, cut_off=datetime.date(year, 11, 30), status=status,
        finalised_at=timezone.now() if status == RoundStatus.FINALISED else None,
    )


def _grade(round_, officer, grade):
    OfficerResult.objects.create(round=round_, officer=officer, department=officer.department, total=Decimal("50"), grade=grade)


def _result(round_, department, *, grade="good", rate=None, total="85", rank=1):
    DepartmentResult.objects.create(round=round_, department=department, total=Decimal(total), grade=grade, rank=rank,
                                    reversal_rate=None if rate is None else Decimal(rate))


@pytest.fixture
def officers(city):
    return {name: Officer.objects.create(department=city.dept_a if name < "c" else city.dept_b, name=name)
            for name in ("a_fail_fail", "a_fail_pass", "b_fail_once", "c_pass_fail", "c_fail_fail")}


def _suggestions(rule):
    return Suggestion.objects.filter(rule=rule)


# -- The rules --------------------------------------------------------------------------------


def test_two_years_of_fail_fires_and_nothing_less(users, city, officers):
    before, now = _round(users, city, YEAR - 1), _round(users, city, YEAR)
    for name, (earlier, later) in {
        "a_fail_fail": ("fail", "fail"), "a_fail_pass": ("fail", "pass"), "c_pass_fail": ("pass", "fail"), "c_fail_fail": ("fail", "fail"),
    }.items():
        _grade(before, officers[name], earlier)
        _grade(now, officers[name], later)
    _grade(now, officers["b_fail_once"], "fail")  # fail this year, not appraised the year before
    round_suggestions_run(round_id=now.pk)
    fired = _suggestions(SuggestionRule.OFFICER_FAILED_TWO_YEARS)
    assert {s.officer.name for s in fired} == {"a_fail_fail", "c_fail_fail"}
    s = fired.get(officer=officers["a_fail_fail"])
    assert s.department == city.dept_a and s.government == city.city and s.appraisal_round == now
    assert s.figures["grades"] == {str(YEAR - 1): "fail", str(YEAR): "fail"}
    assert s.measure_options == ["revoke", "transfer"] and s.suggested_measure == ""
    assert s.source_kind == "appraisal" and s.status == SuggestionStatus.PROPOSED


def test_a_round_not_yet_finalised_in_the_year_before_does_not_count(users, city, officers):
    before = _round(users, city, YEAR - 1, status=RoundStatus.COMPUTED)
    now = _round(users, city, YEAR)
    _grade(before, officers["a_fail_fail"], "fail")
    _grade(now, officers["a_fail_fail"], "fail")
    round_suggestions_run(round_id=now.pk)
    assert not _suggestions(SuggestionRule.OFFICER_FAILED_TWO_YEARS).exists()


@pytest.mark.parametrize("rate, fires", [("14.99", False), ("15.00", False), ("15.01", True), ("40.00", True)])
def test_reversal_rate_threshold_at_its_edge(users, city, rate, fires):
    now = _round(users, city, YEAR, threshold="15")
    _result(now, city.dept_a, rate=rate)
    _result(now, city.dept_b, rate=None)  # no decided cases: no rate
    round_suggestions_run(round_id=now.pk)
    fired = list(_suggestions(SuggestionRule.REVERSAL_RATE))
    assert len(fired) == (1 if fires else 0)
    if fires:
        s = fired[0]
        assert s.department == city.dept_a and s.suggested_measure == "rectify"
        assert s.figures["reversal_rate"] == rate and s.figures["threshold"] == "15.00" and s.figures["rank"] == 1


def test_the_worst_reversal_rate_ranks_first_and_is_listed_first(client, users, city):
    now = _round(users, city, YEAR, threshold="10")
    _result(now, city.dept_a, rate="12.50")
    _result(now, city.dept_b, rate="33.33", rank=2)
    round_suggestions_run(round_id=now.pk)
    ranks = {s.department_id: s.figures["rank"] for s in _suggestions(SuggestionRule.REVERSAL_RATE)}
    assert ranks == {city.dept_b.pk: 1, city.dept_a.pk: 2}
    client.force_login(users.city_reviewer)
    response = client.get("/office/accountability/suggestions/")
    listed = [s.department_id for s in response.context["page"].object_list]
    assert listed == [city.dept_b.pk, city.dept_a.pk]
    body = response.content.decode()
    assert "33.33 %" in body and "Threshold of the scheme" in body


def _finding(users, city, organisation, kind, recorded_at=None):
    campaign = Campaign.objects.get_or_create(jurisdiction=city.city, year=YEAR, defaults={"title": "推行", "created_by": users.city_reviewer})[0]
    check = SpotCheck.objects.create(campaign=campaign, title=f"抽查{kind}", seed=1, share_percent=30, drawn_by=users.city_reviewer)
    target = SpotCheckTarget.objects.create(spot_check=check, organisation=organisation, position=1)
    finding = Finding.objects.create(target=target, kind=kind, description=f"发现{kind}", rectification="整改",
                                     due_at=timezone.now() + datetime.timedelta(days=30), recorded_by=users.city_reviewer)
    if recorded_at:
        Finding.objects.filter(pk=finding.pk).update(recorded_at=recorded_at)
    return finding


def test_falsified_or_perfunctory_spot_check_findings_fire(users, city):
    now = _round(users, city, YEAR)
    falsified = _finding(users, city, city.dept_a, "falsified")
    perfunctory = _finding(users, city, city.dept_b, "perfunctory")
    _finding(users, city, city.dept_a, "ordinary")
    _finding(users, city, city.dept_x1, "falsified")  # a county's department: not this round's
    _finding(users, city, city.dept_b, "falsified", recorded_at=timezone.now() - datetime.timedelta(days=400))  # another year
    round_suggestions_run(round_id=now.pk)
    fired = _suggestions(SuggestionRule.SPOT_CHECK_FINDING)
    assert {s.figures["finding"] for s in fired} == {falsified.pk, perfunctory.pk}
    assert {s.source_kind for s in fired} == {"spot_check"}
    assert fired.get(figures__finding=falsified.pk).department == city.dept_a


def test_case_files_failed_on_a_veto_item_fire(users, city, officers):
    now = _round(users, city, YEAR)
    rubric = Rubric.objects.filter(case_kind="penalty").order_by("-version").first()
    veto = rubric.items.filter(is_veto=True).first()
    ordinary = rubric.items.filter(is_veto=False).first()
    draw = ReviewDraw.objects.create(jurisdiction=city.city, year=YEAR, seed="s", per_department=2, drawn_by=users.city_reviewer)

    def review(number, vetoed, status="final", item=None):
        f = CaseFile.objects.create(department=city.dept_a, number=number, title="处罚案", case_kind="penalty", decided_on=datetime.date(YEAR, 3, 1))
        f.officers.set([officers["a_fail_fail"]])
        r = FileReview.objects.create(draw=draw, case_file=f, department=city.dept_a, rubric=rubric, status=status,
                                      score=Decimal("0") if vetoed else Decimal("82"), vetoed=vetoed)
        if item:
            ItemScore.objects.create(review=r, item=item, faults=1)
        return r

    failed = review("F1", True, item=veto)
    review("F2", False, item=ordinary)
    review("F3", True, status="scored", item=veto)  # not final yet
    round_suggestions_run(round_id=now.pk)
    fired = list(_suggestions(SuggestionRule.FILE_REVIEW_VETOED))
    assert len(fired) == 1 and fired[0].figures["review"] == failed.pk
    assert fired[0].figures["veto_items"] == [veto.text] and fired[0].figures["handled_by"] == ["a_fail_fail"]


# -- Idempotence and the number of queries ----------------------------------------------------


def test_running_again_proposes_nothing_twice(users, city, officers):
    before, now = _round(users, city, YEAR - 1), _round(users, city, YEAR, threshold="10")
    _grade(before, officers["a_fail_fail"], "fail")
    _grade(now, officers["a_fail_fail"], "fail")
    _result(now, city.dept_a, rate="50", grade="excellent")
    _finding(users, city, city.dept_b, "falsified")
    first = round_suggestions_run(round_id=now.pk)
    assert first.suggestions == 3 and first.commendations == 1
    dismissed = Suggestion.objects.filter(rule=SuggestionRule.SPOT_CHECK_FINDING).get()
    services.suggestion_dismiss(actor=users.city_reviewer, suggestion=dismissed, reason="已整改")
    call_command("propose_from_round", str(now.pk), verbosity=0)
    again = SuggestionRun.objects.get(appraisal_round=now)
    assert again.runs == 2 and again.suggestions == 3
    assert Suggestion.objects.count() == 3 and Commendation.objects.count() == 1
    dismissed.refresh_from_db()
    assert dismissed.status == SuggestionStatus.DISMISSED


def test_a_round_not_finalised_is_not_run(users, city):
    computed = _round(users, city, YEAR, status=RoundStatus.COMPUTED)
    from accountability.suggestions import RoundNotFinalised

    with pytest.raises(RoundNotFinalised):
        round_suggestions_run(round_id=computed.pk)


def _population(users, city, size):
    """``size`` officers per department failing twice, ``size`` departments above the threshold
    (some excellent), ``size`` serious findings and vetoed reviews."""
    from tests.factories import OrganisationFactory
    from organisations.models import SubjectKind

    before, now = _round(users, city, YEAR - 1), _round(users, city, YEAR, threshold="10")
    rubric = Rubric.objects.filter(case_kind="penalty").order_by("-version").first()
    veto = rubric.items.filter(is_veto=True).first()
    draw = ReviewDraw.objects.create(jurisdiction=city.city, year=YEAR, seed="s", per_department=2, drawn_by=users.city_reviewer)
    for i in range(size):
        department = OrganisationFactory(parent=city.city, code=f"C-Q{i}", name=f"部门{i}", subject_kind=SubjectKind.STATUTORY_ORGAN)
        _result(now, department, rate="20", grade="excellent" if i % 2 else "good", rank=i + 1)
        for n in range(size):
            officer = Officer.objects.create(department=department, name=f"执法员{i}-{n}")
            _grade(before, officer, "fail")
            _grade(now, officer, "fail")
        _finding(users, city, department, "falsified")
        f = CaseFile.objects.create(department=department, number=f"F{i}", title="案", case_kind="penalty", decided_on=datetime.date(YEAR, 3, 1))
        r = FileReview.objects.create(draw=draw, case_file=f, department=department, rubric=rubric, status="final", score=0, vetoed=True)
        ItemScore.objects.create(review=r, item=veto, faults=1)
    return now


@pytest.mark.parametrize("size", [2, 6])
def test_the_run_reads_a_round_in_a_constant_number_of_queries(users, city, size, django_assert_max_num_queries):
    now = _population(users, city, size)
    with django_assert_max_num_queries(23):
        run = round_suggestions_run(round_id=now.pk)
    assert run.suggestions == size * size + 3 * size and run.commendations == size // 2


# -- Accepting and dismissing -----------------------------------------------------------------


@pytest.fixture
def failed_twice(users, city, officer):
    before, now = _round(users, city, YEAR - 1), _round(users, city, YEAR)
    _grade(before, officer, "fail")
    _grade(now, officer, "fail")
    round_suggestions_run(round_id=now.pk)
    return Suggestion.objects.get(officer=officer)


def test_accept_asks_which_measure_and_applies_nothing(users, failed_twice, officer):
    with pytest.raises(WorkflowError, match="Choose the measure"):
        services.suggestion_accept(actor=users.city_reviewer, suggestion=failed_twice)
    with pytest.raises(WorkflowError):
        services.suggestion_accept(actor=users.city_reviewer, suggestion=failed_twice, measure="criticism")
    case = services.suggestion_accept(actor=users.city_reviewer, suggestion=failed_twice, measure="transfer")
    failed_twice.refresh_from_db()
    assert failed_twice.status == SuggestionStatus.ACCEPTED and failed_twice.suggested_measure == "transfer"
    assert case.status == CaseStatus.REGISTERED and case.source == failed_twice and case.department == officer.department
    assert officer.name in case.source_text and str(YEAR - 1) in case.source_text
    assert not case.measures.exists()
    officer.certificate.refresh_from_db()
    officer.placement.refresh_from_db()
    assert officer.certificate.status == "valid" and officer.placement.until is None


def test_accept_and_dismiss_through_the_page(client, users, failed_twice, more_users):
    client.force_login(users.city_reviewer)
    page = client.get("/office/accountability/suggestions/").content.decode()
    assert 'name="measure"' in page and "Grade in" in page
    client.post(f"/office/accountability/suggestions/{failed_twice.pk}/accept/")  # no measure chosen
    failed_twice.refresh_from_db()
    assert failed_twice.status == SuggestionStatus.PROPOSED
    response = client.post(f"/office/accountability/suggestions/{failed_twice.pk}/accept/", {"measure": "revoke"})
    failed_twice.refresh_from_db()
    assert failed_twice.status == SuggestionStatus.ACCEPTED and response.url == f"/office/accountability/{failed_twice.case_id}/"
    client.force_login(users.county_reviewer)
    assert client.post(f"/office/accountability/suggestions/{failed_twice.pk}/dismiss/", {"reason": "x"}).status_code == 404


def test_dismiss_with_a_reason_through_the_page(client, users, city):
    now = _round(users, city, YEAR, threshold="10")
    _result(now, city.dept_a, rate="30")
    round_suggestions_run(round_id=now.pk)
    s = Suggestion.objects.get()
    client.force_login(users.city_reviewer)
    client.post(f"/office/accountability/suggestions/{s.pk}/dismiss/", {"reason": ""})
    s.refresh_from_db()
    assert s.status == SuggestionStatus.PROPOSED
    client.post(f"/office/accountability/suggestions/{s.pk}/dismiss/", {"reason": "复议撤销系上级政策调整所致"})
    s.refresh_from_db()
    assert s.status == SuggestionStatus.DISMISSED and s.reason and s.case is None


# -- Commendations from the results -----------------------------------------------------------


def test_excellent_departments_are_proposed_except_the_barred(client, users, city, investigating, officer):
    case = investigating()  # department A is barred from commendation this year
    add_person(case, users.city_reviewer, officer=officer)
    decide_with(case, users.city_reviewer, "bar_commendation")
    now = _round(users, city, YEAR)
    _result(now, city.dept_a, grade="excellent", total="95")
    _result(now, city.dept_b, grade="excellent", total="92", rank=2)
    run = round_suggestions_run(round_id=now.pk)
    proposed = Commendation.objects.get()
    assert proposed.department == city.dept_b and proposed.status == CommendationStatus.PROPOSED and proposed.from_appraisal
    assert proposed.appraisal_round == now and proposed.year == YEAR
    assert run.skipped == [{"department": city.dept_a.pk, "name": city.dept_a.name, "reason": "barred", "case": case.number}]
    client.force_login(users.city_reviewer)
    body = client.get("/office/accountability/commendations/").content.decode()
    assert f'data-department="{city.dept_a.pk}"' in body and case.number in body
    # Decided by the office as any other.
    services.commendation_decide(actor=users.city_reviewer, commendation=proposed, approve=True)
    assert Commendation.objects.get().status == CommendationStatus.APPROVED


# -- Finalising the round sends the run to the worker ----------------------------------------


def test_finalising_a_round_runs_the_suggestions_through_the_outbox(users, city, officers, django_capture_on_commit_callbacks):
    from outbox.models import OutboxMessage

    before = _round(users, city, YEAR - 1)
    now = _round(users, city, YEAR, status=RoundStatus.COMPUTED)
    _grade(before, officers["a_fail_fail"], "fail")
    _grade(now, officers["a_fail_fail"], "fail")
    with django_capture_on_commit_callbacks(execute=True):
        appraisal_services.round_finalise(actor=users.city_reviewer, round_=now)
    message = OutboxMessage.objects.get(task="accountability.tasks.propose_from_round")
    assert message.kwargs == {"round_id": now.pk} and message.sent_at is not None
    assert Suggestion.objects.get().officer == officers["a_fail_fail"]
