"""The reminder provider of accountability (registered in apps.py): each open case's decision
deadline, and each open rectification's deadline. Four queries, whatever the number."""

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from notifications.registry import Due
from organisations.models import OfficeFunction

from .models import DEADLINE_STATUSES, Case, Measure, MeasureKind, MeasureStatus


def _at_end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def due_items(now: datetime.datetime) -> Iterator[Due]:
    offices: dict[int, list[int]] = {}
    for user_id, government_id in User.objects.filter(
        role=Role.OFFICE_REVIEWER, is_active=True, organisation__office_function=OfficeFunction.LEGAL_AFFAIRS,
    ).values_list("pk", "organisation__jurisdiction_id"):
        offices.setdefault(government_id, []).append(user_id)
    cases = Case.objects.filter(status__in=DEADLINE_STATUSES, decision_due__isnull=False).values_list(
        "pk", "number", "decision_due", "government_id", "department_id"
    )
    for pk, number, due, government_id, department_id in cases:
        yield Due(
            key=f"accountability.case:{pk}:{due.isoformat()}",
            due_at=_at_end_of(due),
            what=_("Decision on accountability case %(number)s") % {"number": number},
            url=reverse("accountability:case_detail", args=[pk]),
            recipients=tuple(offices.get(government_id, ())),
            organisation_id=department_id,
        )
    department_people: dict[int, list[int]] = {}
    for user_id, organisation_id in User.objects.filter(
        role__in=[Role.DEPARTMENT_HEAD, Role.DEPARTMENT_EDITOR], is_active=True,
        organisation__in=Measure.objects.filter(kind=MeasureKind.RECTIFY, status=MeasureStatus.IN_FORCE, completed_on__isnull=True).values("case__department_id"),
    ).values_list("pk", "organisation_id"):
        department_people.setdefault(organisation_id, []).append(user_id)
    rectifications = Measure.objects.filter(
        kind=MeasureKind.RECTIFY, status=MeasureStatus.IN_FORCE, completed_on__isnull=True, until__isnull=False,
    ).values_list("pk", "until", "case_id", "case__number", "case__government_id", "case__department_id")
    for pk, until, case_id, number, government_id, department_id in rectifications:
        yield Due(
            key=f"accountability.rectification:{pk}",
            due_at=_at_end_of(until),
            what=_("Rectification ordered by case %(number)s") % {"number": number},
            url=reverse("accountability:case_detail", args=[case_id]),
            recipients=tuple(offices.get(government_id, ())) + tuple(department_people.get(department_id, ())),
            organisation_id=department_id,
        )
