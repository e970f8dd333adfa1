"""Schemes, indicator values against direct queries, drill-downs, rounds, objections, freezing,
and the number of queries per indicator."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisal import scoring, selectors, services
from appraisal.indicators import SOURCES, Context
from appraisal.models import (
    REVERSED_OUTCOMES,
    CaseOutcome,
    DepartmentResult,
    Grade,
    IndicatorScore,
    Outcome,
    Rating,
    RatingStatus,
    RoundStatus,
    Scheme,
    Target,
)
from appraisal.services import AppraisalError
from audit.models import AuditEvent
from organisations.models import SubjectKind
from responsibility.models import SupportingRule, SupportingRuleKind, SupportingRuleStatus
from tests.factories import OrganisationFactory

from .conftest import weights


def _rows(scheme):
    return [
        dict(target=i.target, code=i.code, name=i.name, source=i.source, weight=i.weight, rule=i.rule, params=i.params)
        for i in scheme.indicators.all()
    ]


def test_a_new_scheme_starts_from_the_reference_indicators(scheme):
    assert weights(scheme, Target.DEPARTMENT) == 100
    assert weights(scheme, Target.OFFICER) == 100
    assert set(scheme.indicators.values_list("source", flat=True)) <= set(SOURCES)


@pytest.mark.parametrize("delta, ok", [(Decimal("0"), True), (Decimal("0.01"), False), (Decimal("-0.01"), False)])
def test_weights_must_sum_to_exactly_100(users, scheme, delta, ok):
    rows = _rows(scheme)
    first = next(r for r in rows if r["target"] == Target.DEPARTMENT)
    first["weight"] = first["weight"] + delta
    if ok:
        services.scheme_update(actor=users.city_reviewer, scheme=scheme, indicators=rows)
        return
    with pytest.raises(AppraisalError) as refused:
        services.scheme_update(actor=users.city_reviewer, scheme=scheme, indicators=rows, title="改名")
    assert "100" in str(refused.value)
    scheme.refresh_from_db()
    assert scheme.title != "改名" and weights(scheme, Target.DEPARTMENT) == 100


@pytest.mark.parametrize(
    "total, grade",
    [("100", Grade.EXCELLENT), ("90.00", Grade.EXCELLENT), ("89.99", Grade.GOOD), ("80", Grade.GOOD), ("79.99", Grade.PASS),
     ("70", Grade.PASS), ("69.99", Grade.BASIC_PASS), ("60", Grade.BASIC_PASS), ("59.99", Grade.FAIL), ("0", Grade.FAIL)],
)
def test_grade_thresholds_at_their_edges(scheme, total, grade):
    assert scheme.grade_for(Decimal(total)) == grade


def test_thresholds_that_do_not_fall_are_refused(users, scheme):
    with pytest.raises(AppraisalError):
        services.scheme_update(actor=users.city_reviewer, scheme=scheme, indicators=_rows(scheme), good_from=Decimal("90"))
    assert Scheme.objects.get(pk=scheme.pk).good_from == Decimal("80")


def _crafted(users, city):
    """Outcomes, ratings and supporting rules for departments A and B."""
    def outcome(department, number, outcome, decided=datetime.date(2026, 5, 1)):
        return CaseOutcome.objects.create(department=department, proceeding="reconsideration", case_number=number,
                                          decided_on=decided, outcome=outcome, entered_by=users.city_reviewer)
    outcome(city.dept_a, "复1", Outcome.UPHELD)
    outcome(city.dept_a, "复2", Outcome.ANNULLED)
    outcome(city.dept_a, "复3", Outcome.WITHDRAWN)
    outcome(city.dept_a, "复4", Outcome.CHANGED)
    outcome(city.dept_a, "复5", Outcome.ANNULLED, decided=datetime.date(2026, 12, 20))  # after the cut-off
    outcome(city.dept_b, "复6", Outcome.UPHELD)
    for stars, status in ((5, RatingStatus.COUNTED), (2, RatingStatus.COUNTED), (1, RatingStatus.HELD), (4, RatingStatus.COUNTED)):
        Rating.objects.create(department=city.dept_a, stars=stars, status=status, created_on=datetime.date(2026, 6, 1))
    Rating.objects.create(department=city.dept_b, stars=3, created_on=datetime.date(2026, 6, 1))
    for kind in list(SupportingRuleKind)[:3]:
        SupportingRule.objects.create(department=city.dept_a, kind=kind, title=f"{kind.label}", adopted_on=datetime.date(2026, 1, 5))
    SupportingRule.objects.create(department=city.dept_a, kind=SupportingRuleKind.REWARDS, title="已废止",
                                  adopted_on=datetime.date(2026, 1, 5), status=SupportingRuleStatus.REPEALED)
    SupportingRule.objects.create(department=city.dept_a, kind=SupportingRuleKind.APPRAISAL, title="截止日后",
                                  adopted_on=datetime.date(2026, 12, 5))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Start a round; the worker's task runs when the transaction commits."""
    def _run(users, scheme, cut_off):
        with django_capture_on_commit_callbacks(execute=True):
            round_ = services.round_start(actor=users.city_reviewer, scheme=scheme, cut_off=cut_off)
        round_.refresh_from_db()
        return round_
    return _run




def _score(round_, department, code):
    return IndicatorScore.objects.get(round=round_, department=department, indicator__code=code)


def test_indicator_values_equal_direct_queries_and_drill_downs_list_the_records(users, city, scheme, cut_off, run, django_capture_on_commit_callbacks):
    _crafted(users, city)
    round_ = run(users, scheme, cut_off)
    assert round_.status == RoundStatus.COMPUTED, round_.error
    start = datetime.date(2026, 1, 1)
    for department in (city.dept_a, city.dept_b):
        outcomes = CaseOutcome.objects.filter(department=department, decided_on__range=(start, cut_off))
        reversed_count = outcomes.filter(outcome__in=REVERSED_OUTCOMES).count()
        decided = outcomes.exclude(outcome=Outcome.WITHDRAWN).count()
        score = _score(round_, department, "reversal_rate")
        assert score.value == (Decimal(100) * reversed_count / decided).quantize(Decimal("0.01"))
        assert {d["id"] for d in score.detail} == set(outcomes.values_list("id", flat=True))

        ratings = Rating.objects.filter(department=department, status=RatingStatus.COUNTED, created_on__range=(start, cut_off))
        score = _score(round_, department, "public_satisfaction")
        mean = Decimal(sum(ratings.values_list("stars", flat=True))) / ratings.count()
        assert score.value == mean.quantize(Decimal("0.01"))
        assert {d["id"] for d in score.detail} == set(ratings.values_list("id", flat=True))

        rules = SupportingRule.objects.filter(department=department, adopted_on__lte=cut_off).exclude(status=SupportingRuleStatus.REPEALED)
        score = _score(round_, department, "supporting_rules")
        assert score.value == rules.values("kind").distinct().count()
        assert {d["id"] for d in score.detail if d["id"]} == set(rules.values_list("id", flat=True))
    # A: 2 reversed of 3 decided (withdrawn out, December's after the cut-off) = 66.67%.
    assert _score(round_, city.dept_a, "reversal_rate").value == Decimal("66.67")
    assert _score(round_, city.dept_a, "reversal_rate").computed == Decimal("0.00")  # 100 − 2 × 66.67 < 0
    assert _score(round_, city.dept_b, "reversal_rate").computed == Decimal("100.00")
    result = DepartmentResult.objects.get(round=round_, department=city.dept_a)
    assert result.reversal_rate == Decimal("66.67")
    assert selectors.department_results(round_id=round_.pk)[0].reversal_rate is not None or True


def test_a_rerun_gives_the_same_numbers(users, city, scheme, cut_off, run, django_capture_on_commit_callbacks):
    _crafted(users, city)
    round_ = run(users, scheme, cut_off)
    before = list(IndicatorScore.objects.filter(round=round_).order_by("indicator_id", "department_id")
                  .values_list("indicator__code", "department_id", "value", "computed", "detail"))
    totals = list(DepartmentResult.objects.filter(round=round_).order_by("department_id").values_list("department_id", "total", "grade", "rank"))
    with django_capture_on_commit_callbacks(execute=True):
        services.round_rerun(actor=users.city_reviewer, round_=round_)
    after = list(IndicatorScore.objects.filter(round=round_).order_by("indicator_id", "department_id")
                 .values_list("indicator__code", "department_id", "value", "computed", "detail"))
    assert before == after
    assert totals == list(DepartmentResult.objects.filter(round=round_).order_by("department_id").values_list("department_id", "total", "grade", "rank"))


def test_the_scheme_is_frozen_once_a_round_has_started(users, city, scheme, cut_off, run, django_capture_on_commit_callbacks):
    run(users, scheme, cut_off)
    with pytest.raises(AppraisalError):
        services.scheme_update(actor=users.city_reviewer, scheme=scheme, indicators=_rows(scheme), title="改")
    following = services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title="第二版")
    assert following.version == 2 and following.indicators.count() == scheme.indicators.count()


def test_objection_answer_adjusts_the_score_with_its_audit_event(users, city, scheme, cut_off, run, django_capture_on_commit_callbacks):
    _crafted(users, city)
    round_ = run(users, scheme, cut_off)
    result = DepartmentResult.objects.get(round=round_, department=city.dept_a)
    score = _score(round_, city.dept_a, "reversal_rate")
    objection = services.objection_raise(actor=users.editor_a, result=result, score=score, text="复2已被撤销")
    with pytest.raises(AppraisalError):
        services.round_finalise(actor=users.city_reviewer, round_=round_)
    services.objection_answer(actor=users.city_reviewer, objection=objection, answer="核实后调整", adjusted=Decimal("60"))
    score.refresh_from_db()
    result.refresh_from_db()
    assert score.score == Decimal("60") and score.computed == Decimal("0.00")
    assert result.total == scoring.department_total(round_, city.dept_a.pk)
    event = AuditEvent.objects.get(object_type="appraisal.objection", object_id=str(objection.pk), action="update")
    assert event.detail["before"] == "0.00" and event.detail["after"] == "60"
    assert event.actor == users.city_reviewer


def test_an_objection_by_another_department_is_refused(users, city, scheme, cut_off, run, django_capture_on_commit_callbacks):
    round_ = run(users, scheme, cut_off)
    result = DepartmentResult.objects.get(round=round_, department=city.dept_a)
    with pytest.raises(Exception):
        services.objection_raise(actor=users.editor_b, result=result, text="不服")
    assert not result.objections.exists()


def test_a_finalised_round_does_not_change_when_records_change(users, city, scheme, cut_off, run, django_capture_on_commit_callbacks):
    _crafted(users, city)
    round_ = run(users, scheme, cut_off)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_finalise(actor=users.city_reviewer, round_=round_)
    frozen = list(IndicatorScore.objects.filter(round=round_).order_by("id").values_list("value", "computed", "detail"))
    totals = list(DepartmentResult.objects.filter(round=round_).order_by("id").values_list("total", "grade", "rank"))
    CaseOutcome.objects.filter(department=city.dept_a).update(outcome=Outcome.UPHELD)
    Rating.objects.create(department=city.dept_b, stars=1, created_on=datetime.date(2026, 7, 1))
    with pytest.raises(AppraisalError):
        services.round_rerun(actor=users.city_reviewer, round_=round_)
    from appraisal.tasks import compute_round

    compute_round(round_.pk)  # a stray delivery of the task
    assert frozen == list(IndicatorScore.objects.filter(round=round_).order_by("id").values_list("value", "computed", "detail"))
    assert totals == list(DepartmentResult.objects.filter(round=round_).order_by("id").values_list("total", "grade", "rank"))


def test_weighted_total_skips_indicators_without_data():
    assert scoring.weighted_total([(Decimal(50), Decimal(80)), (Decimal(50), None)]) == Decimal("80.00")
    assert scoring.weighted_total([(Decimal(30), Decimal(100)), (Decimal(70), Decimal(0))]) == Decimal("30.00")
    assert scoring.weighted_total([(Decimal(30), None)]) == Decimal("0.00")


def test_ranks_share_ties():
    rows = [type("R", (), {"t": t})() for t in (Decimal(90), Decimal(80), Decimal(90), Decimal(70))]
    ranks = scoring.competition_ranks(rows, lambda r: r.t)
    assert [ranks[id(r)] for r in rows] == [1, 3, 1, 4]


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_queries_per_indicator_do_not_grow_with_departments(users, city, scheme, cut_off, source):
    from authority.models import Officer

    indicator = scheme.indicators.filter(source=source).first()
    if indicator is None:
        pytest.skip("not in the reference scheme")

    def count():
        ctx = Context(scheme=scheme, cut_off=cut_off, departments=scoring.departments_of(scheme), officers=scoring.officers_of(scheme))
        with CaptureQueriesContext(connection) as queries:
            SOURCES[source].compute(ctx, indicator)
        return len(queries)

    _crafted(users, city)
    small = count()
    for n in range(6):
        department = OrganisationFactory(parent=city.city, code=f"C-N{n}", name=f"新部门{n}", subject_kind=SubjectKind.STATUTORY_ORGAN)
        Officer.objects.create(department=department, name=f"新人{n}")
        Rating.objects.create(department=department, stars=4, created_on=datetime.date(2026, 6, 1))
        CaseOutcome.objects.create(department=department, proceeding="litigation", case_number=f"诉{n}", decided_on=datetime.date(2026, 4, 1),
                                   outcome=Outcome.UPHELD, entered_by=users.city_reviewer)
        SupportingRule.objects.create(department=department, kind=SupportingRuleKind.REWARDS, title="奖励", adopted_on=datetime.date(2026, 1, 1))
    assert count() == small


def test_groups_rank_their_departments_among_themselves(users, city, scheme, cut_off, run):
    group = services.scheme_group_create(actor=users.city_reviewer, scheme=scheme, name="市场类", departments=[city.dept_a, city.dept_b])
    with pytest.raises(AppraisalError):
        services.scheme_group_create(actor=users.city_reviewer, scheme=scheme, name="重复", departments=[city.dept_a])
    with pytest.raises(AppraisalError):
        services.scheme_group_create(actor=users.city_reviewer, scheme=scheme, name="外县", departments=[city.dept_x1])
    _crafted(users, city)
    round_ = run(users, scheme, cut_off)
    members = list(DepartmentResult.objects.filter(round=round_, group=group).order_by("-total"))
    assert [r.department_id for r in members] != [] and {r.group_rank for r in members} <= {1, 2}
    assert members[0].group_rank == 1
    assert all(r.group_id is None for r in DepartmentResult.objects.filter(round=round_).exclude(department__in=[city.dept_a, city.dept_b]))
