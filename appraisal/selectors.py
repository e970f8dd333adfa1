"""Reads of the appraisal chapter, and the interface the chapters above read.

For accountability:
- ``officer_grades(jurisdiction_id=, years=)`` → {officer id: {year: grade code}} from the
  finalised rounds of the jurisdiction's schemes (the latest finalised round of a year wins);
- ``department_results(round_id=)`` → rows with ``department_id``, ``total``, ``grade`` and
  ``reversal_rate`` (Decimal, or None without decided cases);
- ``Scheme.reversal_rate_threshold``, a field of the scheme;
- ``appraisal.signals.round_finalised`` (``round_id``), sent after commit.
Grade codes: "excellent", "good", "pass", "basic_pass", "fail".
"""

from django.db.models import Count, Prefetch, QuerySet

from .models import DepartmentResult, IndicatorScore, OfficerResult, Round, RoundStatus, Scheme


def officer_grades(*, jurisdiction_id: int, years: list[int]) -> dict[int, dict[int, str]]:
    rounds = (
        Round.objects.filter(scheme__jurisdiction_id=jurisdiction_id, scheme__year__in=list(years), status=RoundStatus.FINALISED)
        .order_by("scheme__year", "finalised_at", "id").values_list("id", "scheme__year")
    )
    latest = {}
    for round_id, year in rounds:
        latest[year] = round_id
    grades: dict[int, dict[int, str]] = {}
    year_of = {round_id: year for year, round_id in latest.items()}
    for officer_id, round_id, grade in OfficerResult.objects.filter(round_id__in=list(year_of)).values_list("officer_id", "round_id", "grade"):
        grades.setdefault(officer_id, {})[year_of[round_id]] = grade
    return grades


def department_results(*, round_id: int) -> list[DepartmentResult]:
    return list(DepartmentResult.objects.filter(round_id=round_id).order_by("rank", "department__path"))


def results_table(round_: Round) -> QuerySet[DepartmentResult]:
    return DepartmentResult.objects.filter(round=round_).select_related("department", "group").order_by("rank", "department__path")


def with_objection_counts(results) -> list[DepartmentResult]:
    """``results`` (a page of them) with ``objection_count`` each, in one query (an annotation
    would count the objections of every result of the round before the page is cut)."""
    from .models import Objection

    results = list(results)
    counts = dict(
        Objection.objects.filter(result__in=[r.pk for r in results]).values_list("result").annotate(n=Count("id")).values_list("result", "n")
    )
    for result in results:
        result.objection_count = counts.get(result.pk, 0)
    return results


def result_scores(result: DepartmentResult) -> QuerySet[IndicatorScore]:
    return (
        IndicatorScore.objects.filter(round_id=result.round_id, department_id=result.department_id)
        .select_related("indicator").order_by("indicator__position", "indicator__id")
    )


def officer_grade_counts(round_: Round) -> list[dict]:
    """Officers per grade: kept on the round when it is computed (officers' results do not
    change afterwards), counted here for a round computed before that."""
    from .models import Grade

    counts = round_.officer_grades or dict(
        OfficerResult.objects.filter(round=round_).values_list("grade").annotate(n=Count("id")).values_list("grade", "n")
    )
    return [{"grade": value, "label": label, "count": counts.get(value, 0)} for value, label in Grade.choices]


def published_rounds() -> QuerySet[Round]:
    """What the portal may show: finalised rounds only."""
    return Round.objects.filter(status=RoundStatus.FINALISED).select_related("scheme__jurisdiction").order_by("-finalised_at")


def schemes_list(visible: QuerySet[Scheme]) -> QuerySet[Scheme]:
    return visible.select_related("jurisdiction").prefetch_related(
        Prefetch("rounds", queryset=Round.objects.order_by("-created_at"))
    ).order_by("-year", "-version")


def awaiting_for(user) -> list[tuple]:
    """The home tiles of appraisal: (label, count, URL name, query), each counted by the query
    its list shows."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from accounts.permissions import department_of

    from . import permissions as appraisal_perms
    from .models import ObjectionStatus, Objection, RatingStatus, ReviewStatus

    if not appraisal_perms.can_view_appraisal(user):
        return []
    tiles = []
    if appraisal_perms.office_jurisdiction(user) is not None:
        open_objections = Objection.objects.filter(
            result__round__in=appraisal_perms.rounds_visible_to(user), status=ObjectionStatus.OPEN
        ).count()
        tiles.append((_("Appraisal objections awaiting your answer"), open_objections, "appraisal:index", ""))
        held = appraisal_perms.ratings_visible_to(user).filter(status=RatingStatus.HELD).count()
        tiles.append((_("Public ratings held for review"), held, "appraisal:rating_index", "status=held"))
    else:
        drafts = appraisal_perms.results_visible_to(user).filter(round__status="computed").count()
        if department_of(user) is not None:
            tiles.append((_("Draft appraisal results to check"), drafts, "appraisal:index", ""))
    to_score = appraisal_perms.reviews_visible_to(user).filter(
        Q(reviewer=user, status=ReviewStatus.DRAWN) | Q(department=department_of(user), status=ReviewStatus.SCORED)
    ).count() if appraisal_perms.office_jurisdiction(user) is None else 0
    if to_score:
        tiles.append((_("Case files to score or answer"), to_score, "appraisal:review_index", ""))
    return tiles


def chart_rows(round_: Round) -> list[tuple]:
    """What the chart needs of each result: (name, total, grade), plain tuples (a province's
    4,000 results as model instances would cost more than the rest of the page)."""
    return [
        (short or name, total, grade)
        for name, short, total, grade in DepartmentResult.objects.filter(round=round_)
        .order_by("rank", "department__path").values_list("department__name", "department__short_name", "total", "grade")
    ]
