"""The review workflow shared by every reviewed record (catalogues here; power items and
responsibilities reuse it): draft → submitted → under review → returned or approved → published,
and a published version superseded by the next one.

One table says which transition goes from which states to which; services call ``advance`` for
each transition, which locks the row, checks the current state and writes the new one.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from config.api import DomainError


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
