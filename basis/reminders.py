"""The catalogue deadline, for the reminder sweep (``notifications.registry``).

Open: an active department of a jurisdiction whose office has set a deadline and that has not
submitted a catalogue — exactly the office's "not submitted" list (``queues.submission_progress``:
no version with the office or published; a returned one does not count). Submitting stops the
reminders. The key names the deadline in force, so a new deadline is reminded afresh.
Four queries, whatever the number of departments."""

from collections import defaultdict
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from notifications.registry import Due
from organisations.models import Organisation, OrganisationKind

from .models import SubmissionDeadline
from .queues import submission_progress


def _deadlines_in_force() -> dict[int, SubmissionDeadline]:
    """The deadline of each jurisdiction: the one its office set last (``deadline_for_government``)."""
    in_force: dict[int, SubmissionDeadline] = {}
    for deadline in SubmissionDeadline.objects.order_by("jurisdiction_id", "-created_at", "-pk"):
        in_force.setdefault(deadline.jurisdiction_id, deadline)
    return in_force


def catalogue_deadlines(now) -> Iterator[Due]:
    in_force = _deadlines_in_force()
    if not in_force:
        return
    departments = Organisation.objects.filter(
        kind=OrganisationKind.DEPARTMENT, office_function="", jurisdiction_id__in=in_force
    )
    waiting = [row.department for row in submission_progress(departments, None, now=now) if row.submitted is None]
    editors: dict[int, list[int]] = defaultdict(list)
    for organisation_id, user_id in User.objects.filter(
        role=Role.DEPARTMENT_EDITOR, is_active=True, organisation__in=[d.pk for d in waiting]
    ).order_by("pk").values_list("organisation_id", "pk"):
        editors[organisation_id].append(user_id)
    url = reverse("basis:catalogue_list")
    for department in waiting:
        if not editors.get(department.pk):
            continue
        deadline = in_force[department.jurisdiction_id]
        yield Due(
            key=f"basis.catalogue:{department.pk}:{deadline.pk}",
            due_at=deadline.due_at,
            what=_("Submission of the basis catalogue of %(department)s") % {"department": department.name},
            url=url,
            recipients=tuple(editors[department.pk]),
            organisation_id=department.pk,
        )
