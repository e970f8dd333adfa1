"""The office's questions: who has submitted a catalogue, who is late, what is queued.

The home page's tiles and the lists they open read the same functions, so a tile's count is the
number of rows on the page it links to."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from organisations.models import Organisation
from workflow.review import ReviewStatus

from .checks import cached_conflict_counts
from .models import BasisCatalogue
from .selectors import current_catalogues

# A department "has submitted" when one of its catalogue versions is with the office or was
# published by it. A returned version does not count: the office sent it back to be fixed.
SUBMITTED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED, ReviewStatus.PUBLISHED)

# The queues of the catalogue list, by the name its ``queue`` parameter carries.
CATALOGUE_QUEUES = {
    "awaiting_review": Q(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW]),
    "awaiting_publication": Q(status=ReviewStatus.APPROVED),
    "to_fix": Q(status__in=[ReviewStatus.DRAFT, ReviewStatus.RETURNED]),
    "flagged": Q(needs_revision=True) & ~Q(status=ReviewStatus.SUPERSEDED),
}
# Not a status filter: the current catalogues that at least one conflict finding concerns.
CONFLICTS_QUEUE = "conflicts"


def catalogue_queue(
    visible: QuerySet[BasisCatalogue], queue: str, *, government: Organisation | None = None
) -> QuerySet[BasisCatalogue]:
    """The catalogues of one queue among ``visible`` (already scoped to the user). For an office,
    ``government`` is its own: a queue holds what that office decides, so a city office's queue
    leaves out its counties' catalogues (it sees them, their county office reviews them)."""
    if government is not None:
        visible = visible.filter(department__jurisdiction=government)
    if queue == CONFLICTS_QUEUE:
        current = visible.filter(pk__in=current_catalogues().values("pk"))
        counts = cached_conflict_counts(current.values_list("pk", flat=True))
        return visible.filter(pk__in=[pk for pk, count in counts.items() if count])
    return visible.filter(CATALOGUE_QUEUES[queue])


class ProgressState:
    NOT_SUBMITTED = "not_submitted"
    LATE = "late"


@dataclass
class ProgressRow:
    department: Organisation
    submitted: BasisCatalogue | None  # the newest version with the office or published
    working: BasisCatalogue | None  # the newest version the department still works on
    late: bool


def submission_progress(departments: QuerySet[Organisation], deadline, *, now=None) -> list[ProgressRow]:
    """Each active department with its catalogue state, in tree order, in two queries.

    Late: its submitted version came in after the deadline (``is_late``), or it has submitted
    nothing and the deadline has passed."""
    now = now or timezone.now()
    departments = list(departments.filter(is_active=True).order_by("path"))
    by_department: dict[int, list[BasisCatalogue]] = {}
    for catalogue in BasisCatalogue.objects.filter(department__in=departments).exclude(
        status=ReviewStatus.SUPERSEDED
    ).order_by("-version"):
        by_department.setdefault(catalogue.department_id, []).append(catalogue)
    submitted_values = {status.value for status in SUBMITTED_STATUSES}
    rows = []
    for department in departments:
        versions = by_department.get(department.pk, [])
        submitted = next((c for c in versions if c.status in submitted_values), None)
        working = next((c for c in versions if c.status not in submitted_values), None)
        if submitted is not None:
            late = submitted.is_late
        else:
            late = deadline is not None and now > deadline.due_at
        rows.append(ProgressRow(department, submitted, working, late))
    return rows


def progress_filtered(rows: list[ProgressRow], state: str) -> list[ProgressRow]:
    if state == ProgressState.NOT_SUBMITTED:
        return [row for row in rows if row.submitted is None]
    if state == ProgressState.LATE:
        return [row for row in rows if row.late]
    return rows
