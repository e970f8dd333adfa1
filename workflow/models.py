"""Abstract models of a reviewed version and its event rows; each chapter's concrete models add
the department, their content and their constraints."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .review import ReviewStatus


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
