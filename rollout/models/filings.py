"""What each organisation files with its competent office during the campaign."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

from .campaigns import Campaign, Phase

__all__ = [
    "FilingStatus", "ImplementationPlan", "WorkingTeam", "TeamMember", "PhaseSummary",
]


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RETURNED = "returned", _("Returned with comments")


class ImplementationPlan(models.Model):
    """An organisation's implementation plan (实施方案) for a campaign. ``status`` and ``filed_at``
    are those of its current revision; the revisions themselves keep the six parts."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="implementation_plans"
    )
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(_("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "campaign"], name="plan_one_per_organisation_campaign"),
        ]


class WorkingTeam(models.Model):
    """An organisation's leading group and working body (§5(一)); recorded once it has a member."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="working_team"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("leadership and working team")
        verbose_name_plural = _("leadership and working teams")


class TeamMember(models.Model):
    team = models.ForeignKey(WorkingTeam, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")


class PhaseSummary(models.Model):
    """An organisation's summary (工作总结) at the end of a phase."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="phase_summaries"
    )
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="summaries")
    status = models.CharField(_("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("phase summary")
        verbose_name_plural = _("phase summaries")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phase"], name="summary_one_per_organisation_phase"),
        ]
