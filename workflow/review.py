"""The review table shared by every versioned, reviewed record (basis catalogues, authority
breakdowns, responsibility sets): draft → submitted → under review → returned or approved →
published, and a published version superseded by the next one.

``start`` opens a department's next version, copied from its published one. Each chapter's
services check the actor, then call ``advance`` (lock the row, check the current state, set the
new one), do what is particular to them, and finish with ``record`` (or ``publish``, which also
supersedes the previous published version). Anything that must follow a publication (the
disclosure documents) listens to ``version_published``, sent once the transaction has committed.
"""

import functools

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import OFFICE_ROLES
from accounts.permissions import (
    can_review_for,
    department_of,
    is_business_user,
    is_legal_affairs_office,
    role_of,
    scoped,
)

from . import engine
from .engine import Rule, TransitionTable, WorkflowError

__all__ = [
    "EDITABLE_STATUSES",
    "OPEN_STATUSES",
    "REVIEW",
    "ReviewStatus",
    "Transition",
    "WorkflowError",
    "advance",
    "allowed_transitions",
    "publish",
    "record",
    "start",
    "version_published",
    "versions_visible_to",
]

# Sent after commit with ``sender`` = the version's model and ``version`` = the published row.
version_published = Signal()


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


# The versions a department is still working on or that await the office.
OPEN_STATUSES = (
    ReviewStatus.DRAFT,
    ReviewStatus.SUBMITTED,
    ReviewStatus.UNDER_REVIEW,
    ReviewStatus.RETURNED,
    ReviewStatus.APPROVED,
)
EDITABLE_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)


class Transition(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    START_REVIEW = "start_review", _("Start review")
    RETURN = "return", _("Return for revision")
    APPROVE = "approve", _("Approve")
    PUBLISH = "publish", _("Publish")


# -- Who may make each transition ---------------------------------------------------------------


def department_submits(user, version) -> bool:
    """The department's own people (editor or head) submit its version."""
    department = department_of(user)
    return department is not None and version.department_id == department.pk


def competent_office_decides(user, version) -> bool:
    """The legal-affairs office competent for the department starts the review, returns,
    approves and publishes (the city office for city departments, a county's for its own)."""
    return is_legal_affairs_office(user) and can_review_for(user, version.department)


REVIEW = TransitionTable(
    states=ReviewStatus,
    transitions=Transition,
    rules={
        Transition.SUBMIT: Rule((ReviewStatus.DRAFT, ReviewStatus.RETURNED), ReviewStatus.SUBMITTED, department_submits),
        Transition.START_REVIEW: Rule((ReviewStatus.SUBMITTED,), ReviewStatus.UNDER_REVIEW, competent_office_decides),
        Transition.RETURN: Rule((ReviewStatus.UNDER_REVIEW,), ReviewStatus.RETURNED, competent_office_decides),
        Transition.APPROVE: Rule((ReviewStatus.UNDER_REVIEW,), ReviewStatus.APPROVED, competent_office_decides),
        Transition.PUBLISH: Rule((ReviewStatus.APPROVED,), ReviewStatus.PUBLISHED, competent_office_decides),
    },
    touch=("updated_at",),
)


def allowed_transitions(status: str) -> list[str]:
    return REVIEW.allowed(status)


def versions_visible_to(user, model) -> models.QuerySet:
    """Versions of departments in the user's scope: an office sees its jurisdiction's (the city
    office also the counties'); a department sees its own. Drafts are the department's alone:
    offices see a version only once it has been submitted."""
    if not is_business_user(user):
        return model.objects.none()
    queryset = scoped(model.objects.all(), user, "department__path")
    if role_of(user) in OFFICE_ROLES:
        queryset = queryset.exclude(status=ReviewStatus.DRAFT)
    return queryset


# -- Moving a version -----------------------------------------------------------------------------


def start(actor, model, department, copy):
    """Open the next version of ``department``'s ``model`` (a ReviewedVersion), based on and
    filled by ``copy(published, new)`` from its latest published version if it has one, and put
    it on record. WorkflowError if a version is already in the works."""
    from audit.models import AuditAction
    from audit.services import event_record

    type(department).objects.select_for_update().get(pk=department.pk)  # one starter at a time
    versions = model.objects.filter(department=department)
    if versions.filter(status__in=list(OPEN_STATUSES)).exists():
        raise WorkflowError(_("This department already has a version in progress."))
    latest = versions.aggregate(v=models.Max("version"))["v"] or 0
    published = versions.filter(status=ReviewStatus.PUBLISHED).order_by("-version").first()
    version = model.objects.create(department=department, version=latest + 1, based_on=published)
    if published is not None:
        copy(published, version)
    version.events.create(actor=actor, to_status=ReviewStatus.DRAFT)
    event_record(action=AuditAction.CREATE, actor=actor, obj=version)
    return version


def advance(version, transition: str):
    """Lock ``version``'s row and move it by ``transition`` (see ``engine.advance``)."""
    return engine.advance(REVIEW, version, transition, select_related=("department",))


def record(actor, version, source: str, *, comment: str = "", fields=()) -> None:
    """Save and put on record the transition made by ``advance`` (see ``engine.record``)."""
    engine.record(REVIEW, actor, version, source, comment=comment, fields=fields)


def publish(actor, version, source: str, *, fields=()) -> None:
    """Record the publication of ``version`` (already advanced to PUBLISHED): the department's
    previous published version is superseded, and ``version_published`` goes out after commit."""
    model = type(version)
    for old in model.objects.select_for_update().filter(
        department_id=version.department_id, status=ReviewStatus.PUBLISHED
    ).exclude(pk=version.pk):
        with translation.override(settings.LANGUAGE_CODE):
            note = str(_("Superseded by version %(v)d")) % {"v": version.version}
        old_status, old.status = old.status, ReviewStatus.SUPERSEDED
        record(actor, old, old_status, comment=note)
    version.published_at = timezone.now()
    record(actor, version, source, fields=("published_at", *fields))
    transaction.on_commit(functools.partial(version_published.send, sender=model, version=version))
