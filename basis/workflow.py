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
