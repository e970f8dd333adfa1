"""Spot checks (重点抽查, §5(四)): the office draws organisations to inspect, records its findings
and the rectification it asks for, each with its own deadline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

from .campaigns import Campaign

__all__ = ["SpotCheck", "SpotCheckTarget", "Finding", "FindingKind", "RectificationStatus"]


class SpotCheck(models.Model):
    """One draw. What is needed to draw again and get the same list is kept with it: the seed,
    the parameters, and the population in the order it was drawn from with each member's
    weight (the statuses the weights came from change afterwards; the recorded weights do not)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="spot_checks")
    title = models.CharField(_("title"), max_length=200)
    seed = models.BigIntegerField(_("seed"))
    share_percent = models.PositiveSmallIntegerField(_("minimum share (%)"))
    exclude_last_round = models.BooleanField(_("exclude those checked last round"), default=False)
    late_weight = models.PositiveSmallIntegerField(
        _("weight of late organisations"), default=1,
        help_text=_("1 draws everyone alike; 3 makes an organisation with a late deliverable three times as likely."),
    )
    # [[organisation id, weight], …] in drawing order (by path), after any exclusion.
    population = models.JSONField(_("population"), default=list)
    excluded = models.JSONField(_("excluded (checked last round)"), default=list)
    drawn = models.JSONField(_("drawn organisations"), default=list)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SpotCheckTarget(models.Model):
    """An organisation the draw picked, in the order drawn."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="targets")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("order drawn"))
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspected organisation")
        verbose_name_plural = _("inspected organisations")
        ordering = ["spot_check", "position"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "organisation"], name="spot_check_target_once"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class FindingKind(models.TextChoices):
    ORDINARY = "ordinary", _("Shortcoming")
    PERFUNCTORY = "perfunctory", _("Perfunctory work")
    FALSIFIED = "falsified", _("Falsified work")


# Kinds the accountability chapter pursues (§5(四): 弄虚作假、敷衍塞责).
SERIOUS_FINDING_KINDS = (FindingKind.PERFUNCTORY, FindingKind.FALSIFIED)


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Rectification due")
    REPORTED = "reported", _("Reported done, awaiting the office")
    DONE = "done", _("Rectified")


class Finding(models.Model):
    """What the inspection found at one organisation and the rectification asked, with its own
    deadline. Delivered when the office marks it done, or accepts the organisation's report."""

    target = models.ForeignKey(SpotCheckTarget, verbose_name=_("inspected organisation"), on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=16, choices=FindingKind.choices, default=FindingKind.ORDINARY)
    description = models.TextField(_("finding"))
    rectification = models.TextField(_("rectification asked"))
    due_at = models.DateTimeField(_("rectify by"))
    status = models.CharField(_("status"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN)
    report = models.TextField(_("organisation's report"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    done_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["target__spot_check", "target__position", "pk"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.target.organisation} · {self.get_kind_display()}"

    @property
    def is_serious(self) -> bool:
        """Falsified or perfunctory work (弄虚作假、敷衍塞责): the accountability chapter reads it."""
        return self.kind in SERIOUS_FINDING_KINDS
