"""The review workflow shared by every reviewed record (basis catalogues, authority breakdowns,
responsibility sets): draft → submitted → under review → returned or approved → published, and a
published version superseded by the next one.

One table says which transition goes from which states to which. ``start`` opens a department's
next version, copied from its published one. Each app's services check the actor, then call
``advance`` (lock the row, check the current state, set the new one), do what
is particular to them, and finish with ``record`` (or ``publish``, which also supersedes the
previous published version): the row is saved, an event row and an audit event are written.
Anything that must follow a publication (the disclosure documents) listens to
``version_published``, which is sent once the transaction has committed.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from config.api import DomainError

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


@dataclass(frozen=True)
class Rule:
    sources: tuple[str, ...]
    target: str


TRANSITIONS: dict[str, Rule] = {
    Transition.SUBMIT: Rule((ReviewStatus.DRAFT, ReviewStatus.RETURNED), ReviewStatus.SUBMITTED),
    Transition.START_REVIEW: Rule((ReviewStatus.SUBMITTED,), ReviewStatus.UNDER_REVIEW),
    Transition.RETURN: Rule((ReviewStatus.UNDER_REVIEW,), ReviewStatus.RETURNED),
    Transition.APPROVE: Rule((ReviewStatus.UNDER_REVIEW,), ReviewStatus.APPROVED),
    Transition.PUBLISH: Rule((ReviewStatus.APPROVED,), ReviewStatus.PUBLISHED),
}


class WorkflowError(DomainError):
    """A transition refused for a reason the user can act on."""


def allowed_transitions(status: str) -> list[str]:
    return [name for name, rule in TRANSITIONS.items() if status in rule.sources]


def check_transition(name: str, status: str) -> str:
    """The target status of ``name`` from ``status``, or WorkflowError saying why not."""
    rule = TRANSITIONS[name]
    if status not in rule.sources:
        from django.utils.translation import gettext as _g

        raise WorkflowError(
            _g("Cannot %(action)s a record that is %(status)s; allowed from: %(allowed)s.")
            % {
                "action": Transition(name).label,
                "status": ReviewStatus(status).label,
                "allowed": "、".join(str(ReviewStatus(s).label) for s in rule.sources),
            }
        )
    return rule.target


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
    """Lock ``version``'s row and move it by ``transition``; returns (the locked row with its new
    status, unsaved, and the status it came from). WorkflowError if the state forbids it."""
    locked = type(version).objects.select_for_update().select_related("department").get(pk=version.pk)
    source = locked.status
    locked.status = check_transition(transition, source)
    return locked, source


def record(actor, version, source: str, *, comment: str = "", fields=()) -> None:
    """Save the transition made by ``advance`` and put it on record: an event row of the
    version's own history and an audit event."""
    from audit.models import AuditAction
    from audit.services import event_record

    version.save(update_fields=["status", "updated_at", *fields])
    version.events.create(actor=actor, from_status=source, to_status=version.status, comment=comment)
    event_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        obj=version,
        detail={"from": source, "to": version.status},
        message=comment,
    )


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


class ReviewEvent(models.Model):
    """One workflow transition of a version: who moved it from what to what, when, and why.
    Subclasses add the foreign key to their version with ``related_name="events"``."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    from_status = models.CharField(max_length=16, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReviewStatus.choices)
    comment = models.TextField(blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "id"]


class ReviewedVersion(models.Model):
    """One version of a department's reviewed record (a basis catalogue, a breakdown of powers):
    the fields the workflow reads and writes. Subclasses add the department (with their own
    related name), their content and their constraints."""

    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["department__path", "-version"]

    def __str__(self) -> str:
        return f"{self.department.name} v{self.version}"
