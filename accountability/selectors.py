"""Reads of accountability: the case list, a case's history of earlier faults (从重), whether a
department is barred from commendation, the office's tiles and the reminder provider."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import (
    DEADLINE_STATUSES,
    DECIDED_STATUSES,
    HISTORY_DAYS,
    OPEN_CASE_STATUSES,
    REPEAT_THRESHOLD,
    Case,
    CasePerson,
    CaseStatus,
    Commendation,
    CommendationStatus,
    Measure,
    MeasureKind,
    MeasureStatus,
    Responsibility,
)


def cases_list(visible: QuerySet[Case], *, query: str = "", status: str = "", overdue: bool = False) -> QuerySet[Case]:
    """The case list: one query for the page's rows and one to count them, whatever their
    number. The persons are counted for the page's rows only (``with_person_counts``): counted
    in the list's query, every match would be grouped before the page is cut."""
    cases = visible.select_related("department").only(
        "number", "status", "act", "decision_due", "heavier", "created_at", "department__name",
    )
    query = query.strip()
    if query:
        cases = cases.filter(
            Q(number__icontains=query) | Q(department__name__contains=query) | Q(act__contains=query)
            | Exists(CasePerson.objects.filter(case=OuterRef("pk"), name__contains=query))
        )
    if status == "open":
        cases = cases.filter(status__in=OPEN_CASE_STATUSES)
    elif status in CaseStatus.values:
        cases = cases.filter(status=status)
    if overdue:
        cases = cases.filter(status__in=DEADLINE_STATUSES, decision_due__lt=timezone.localdate())
    return cases.order_by("-created_at", "-id")


def with_person_counts(cases) -> list[Case]:
    """The page's cases, each with ``person_count`` (one query for the page)."""
    cases = list(cases)
    counts = dict(
        CasePerson.objects.filter(case__in=[c.pk for c in cases]).values("case").annotate(n=Count("id")).values_list("case", "n")
    )
    for case in cases:
        case.person_count = counts.get(case.pk, 0)
    return cases


@dataclass
class Fault:
    case_id: int
    number: str
    decided_on: datetime.date


@dataclass
class PersonHistory:
    person: CasePerson
    faults: list[Fault] = field(default_factory=list)

    @property
    def heavier(self) -> bool:
        """This case would be the third accountable fault within twelve months."""
        return len(self.faults) + 1 >= REPEAT_THRESHOLD


@dataclass
class CaseHistory:
    reference: datetime.date
    persons: list[PersonHistory]
    department_faults: list[Fault]

    @property
    def department_heavier(self) -> bool:
        return len(self.department_faults) + 1 >= REPEAT_THRESHOLD

    @property
    def heavier(self) -> bool:
        return self.department_heavier or any(p.heavier for p in self.persons)


def _accountable(reference: datetime.date):
    return Q(
        status__in=DECIDED_STATUSES, cleared=False,
        decided_on__gt=reference - datetime.timedelta(days=HISTORY_DAYS), decided_on__lte=reference,
    )


def case_history(case: Case) -> CaseHistory:
    """The earlier accountable faults (decided, not cleared on appeal, within twelve months) of
    the case's officers and of its department. Three queries."""
    reference = case.decided_on or timezone.localdate()
    persons = list(case.persons.select_related("officer").order_by("id"))
    officer_ids = {p.officer_id for p in persons if p.officer_id}
    earlier = (
        CasePerson.objects.filter(officer_id__in=officer_ids)
        .exclude(responsibility=Responsibility.NONE)
        .exclude(case_id=case.pk)
        .filter(case__in=Case.objects.filter(_accountable(reference)))
        .select_related("case")
        .order_by("case__decided_on")
    ) if officer_ids else []
    by_officer: dict[int, dict[int, Fault]] = {}
    for entry in earlier:
        by_officer.setdefault(entry.officer_id, {})[entry.case_id] = Fault(entry.case_id, entry.case.number, entry.case.decided_on)
    histories = [PersonHistory(p, list(by_officer.get(p.officer_id, {}).values()) if p.officer_id else []) for p in persons]
    department = [
        Fault(c.pk, c.number, c.decided_on)
        for c in Case.objects.filter(_accountable(reference), department_id=case.department_id).exclude(pk=case.pk).order_by("decided_on")
    ]
    return CaseHistory(reference, histories, department)


def barred_from_commendation(department, year: int) -> bool:
    """A 取消评先资格 in force, decided in ``year``, bars the department that year."""
    return Measure.objects.filter(
        case__department=department, kind=MeasureKind.BAR_COMMENDATION, status=MeasureStatus.IN_FORCE,
        case__decided_on__year=year,
    ).exists()


def office_tiles(visible: QuerySet[Case]) -> dict[str, int]:
    today = timezone.localdate()
    return visible.aggregate(
        open=Count("id", filter=Q(status__in=OPEN_CASE_STATUSES)),
        overdue=Count("id", filter=Q(status__in=DEADLINE_STATUSES, decision_due__lt=today)),
    )


def published_decisions() -> QuerySet[Case]:
    """The decisions the office chose to publish (通报), for the portal: summary only."""
    return (
        Case.objects.filter(published=True, status__in=DECIDED_STATUSES, cleared=False)
        .select_related("department", "government")
        .only("number", "published_summary", "decided_on", "department__name", "department__code", "government__name")
        .order_by("-decided_on", "-id")
    )


def published_commendations() -> QuerySet[Commendation]:
    return (
        Commendation.objects.filter(status=CommendationStatus.PUBLISHED)
        .select_related("department", "officer", "government")
        .order_by("-year", "-published_on", "-id")
    )
