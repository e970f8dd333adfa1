"""The campaign (§4 of the city plan): one per jurisdiction and year, with its four phases."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

__all__ = ["Campaign", "Phase", "PhaseNumber"]


class PhaseNumber(models.IntegerChoices):
    """The plan's four phases (§4)."""

    PREPARATION = 1, _("Preparation and mobilisation")
    SORTING = 2, _("Sorting out the basis and the subjects")
    BREAKDOWN = 3, _("Breaking down powers and fixing responsibilities")
    IMPROVEMENT = 4, _("Improving the rules and consolidating")


class Campaign(models.Model):
    """The office's campaign for its jurisdiction and year. A county's campaign names the city's
    as ``parent`` and inherits its dates unless it sets its own, earlier ones."""

    jurisdiction = models.ForeignKey(
        Organisation, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="campaigns"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent campaign"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "jurisdiction__path"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="campaign_one_per_jurisdiction_year"),
        ]

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    """One of a campaign's four phases and its deadline. ``due_at`` null on a county campaign's
    phase means "the parent campaign's date"."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("phase"), choices=PhaseNumber.choices)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="phase_one_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_number_display()}"
