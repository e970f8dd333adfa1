"""Responsibilities and their disclosure (§3(四), §4 phase 3 and §5(二) of the city plan).

A department states, for itself, its internal agencies and its posts, what each answers for
(responsibilities, written per power and procedure stage as the real 责任事项 are), and the
enforcement standards (裁量基准) that quantify its powers. Both are versioned in a
``ResponsibilitySet`` that goes through the review workflow of ``workflow.review``, like the
catalogue and the breakdown. Powers are cited by their stable code in the department's
breakdown, so a set outlives the breakdown version it was written against.

The eight supporting rules (配套制度) are a standing register of the department, not versioned.

Disclosure documents are the PDFs the worker renders from published data: a department's
booklet and bulletin-board sheet, and a government's compilation of its departments' catalogues.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from authority.models import Post, ProcedureStage, ReferenceEntry
from organisations.models import Organisation
from toolkit.files import RandomName
from workflow.models import ReviewedVersion, ReviewEvent
from workflow.review import OPEN_STATUSES

# -- Reference data ---------------------------------------------------------------------------


class ResponsibilityKind(ReferenceEntry):
    """A kind of responsibility (责任种类): handling, review, decision, supervision …; loaded from
    responsibility/data/reference.json."""

    history = HistoricalRecords()

    class Meta(ReferenceEntry.Meta):
        verbose_name = _("kind of responsibility")
        verbose_name_plural = _("kinds of responsibility")


# -- The responsibility set -------------------------------------------------------------------


class ResponsibilitySet(ReviewedVersion):
    """One version of one department's responsibilities and enforcement standards."""

    department = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="responsibility_sets"
    )
    # Set when a change outside it (an amended instrument, a reformed department) asks for a new
    # version; cleared by publishing the next version.
    needs_revision = models.BooleanField(_("needs revision"), default=False)
    revision_reason = models.TextField(_("why a revision is needed"), blank=True)

    history = HistoricalRecords()

    class Meta(ReviewedVersion.Meta):
        verbose_name = _("responsibility set")
        verbose_name_plural = _("responsibility sets")
        # The portal's "data as of" reads the newest publication on every page.
        indexes = [
            models.Index(fields=["published_at"], condition=Q(status="published"), name="resp_set_published_at")
        ]
        constraints = [
            models.UniqueConstraint(fields=["department", "version"], name="responsibility_set_unique_version"),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="responsibility_set_one_open_version",
            ),
        ]


class ResponsibilitySetEvent(ReviewEvent):
    """One workflow transition of a responsibility set."""

    responsibility_set = models.ForeignKey(ResponsibilitySet, on_delete=models.CASCADE, related_name="events")

    class Meta(ReviewEvent.Meta):
        pass


class HolderLevel(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    AGENCY = "agency", _("Agency")
    POST = "post", _("Post")


class Responsibility(models.Model):
    """What a department, one of its agencies or one of its posts answers for: a kind and its
    content, tied where it applies to a power (by code) and a stage of its procedure."""

    responsibility_set = models.ForeignKey(ResponsibilitySet, on_delete=models.CASCADE, related_name="responsibilities")
    position = models.PositiveIntegerField(_("number"), default=0)
    level = models.CharField(_("held by"), max_length=16, choices=HolderLevel.choices, default=HolderLevel.DEPARTMENT)
    agency = models.ForeignKey(
        Organisation, verbose_name=_("agency"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, null=True, blank=True, related_name="responsibilities"
    )
    kind = models.ForeignKey(
        ResponsibilityKind, verbose_name=_("kind of responsibility"), on_delete=models.PROTECT, related_name="+"
    )
    power_code = models.CharField(_("power code"), max_length=64, blank=True, db_index=True)
    stage = models.ForeignKey(
        ProcedureStage, verbose_name=_("stage"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content = models.TextField(_("content"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["responsibility_set", "position", "id"]
        indexes = [models.Index(fields=["responsibility_set", "position"])]

    def __str__(self) -> str:
        return self.content[:40]


class EnforcementStandard(models.Model):
    """An enforcement standard (裁量基准) quantifying one power: ranges of facts, each with the
    range of measures it calls for."""

    responsibility_set = models.ForeignKey(ResponsibilitySet, on_delete=models.CASCADE, related_name="standards")
    position = models.PositiveIntegerField(_("number"), default=0)
    power_code = models.CharField(_("power code"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enforcement standard")
        verbose_name_plural = _("enforcement standards")
        ordering = ["responsibility_set", "position", "id"]

    def __str__(self) -> str:
        return self.title


class StandardBand(models.Model):
    """One row of a standard: a range of facts (情节) and the range of measures for it."""

    standard = models.ForeignKey(EnforcementStandard, on_delete=models.CASCADE, related_name="bands")
    order = models.PositiveIntegerField(_("order"))
    label = models.CharField(_("degree"), max_length=30, blank=True, help_text=_("轻微, 一般, 较重, 严重 …"))
    circumstances = models.TextField(_("circumstances"))
    measure = models.TextField(_("measure"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("standard band")
        verbose_name_plural = _("standard bands")
        ordering = ["standard", "order"]
        constraints = [models.UniqueConstraint(fields=["standard", "order"], name="band_unique_order")]


# -- Supporting rules -------------------------------------------------------------------------


class SupportingRuleKind(models.TextChoices):
    """The eight supporting rules §5(二) of the plan asks every department to have."""

    POST_RESPONSIBILITY = "post_responsibility", _("Post responsibility rules")
    ENFORCEMENT_PROCEDURE = "enforcement_procedure", _("Enforcement procedure rules")
    AGENCY_MANAGEMENT = "agency_management", _("Enforcement agency management rules")
    PERSONNEL_MANAGEMENT = "personnel_management", _("Enforcement personnel management rules")
    APPRAISAL = "appraisal", _("Enforcement appraisal rules")
    CASE_FILE_REVIEW = "case_file_review", _("Case-file review rules")
    FAULT_ACCOUNTABILITY = "fault_accountability", _("Fault accountability rules")
    REWARDS = "rewards", _("Rewards rules")


class SupportingRuleStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    UNDER_REVISION = "under_revision", _("Under revision")
    REPEALED = "repealed", _("Repealed")


class SupportingRule(models.Model):
    """One document of a department's register of supporting rules."""

    department = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="supporting_rules"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=SupportingRuleKind.choices)
    title = models.CharField(_("title"), max_length=300)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    adopted_on = models.DateField(_("adopted on"))
    status = models.CharField(
        _("status"), max_length=16, choices=SupportingRuleStatus.choices, default=SupportingRuleStatus.IN_FORCE
    )
    document = models.FileField(_("document"), upload_to=RandomName("supporting-rules/%Y/"), blank=True)
    # The name the file was uploaded with, given back on download; it is stored under a random one.
    document_name = models.CharField(_("document file name"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supporting rule")
        verbose_name_plural = _("supporting rules")
        ordering = ["department__path", "kind", "-adopted_on", "id"]
        indexes = [models.Index(fields=["department", "kind", "status"])]

    def __str__(self) -> str:
        return self.title


# -- Disclosure documents ---------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    BOOKLET = "booklet", _("Disclosure booklet")
    BULLETIN = "bulletin", _("Bulletin-board sheet")
    COMPILATION = "compilation", _("Compilation of catalogues")


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class DisclosureDocument(models.Model):
    """A PDF rendered from published data. One row per (organisation, kind, content hash): the
    same content is never rendered twice, and a redelivered task finds the row it made. Each new
    content gets the next version number; old versions stay available."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="disclosure_documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED, db_index=True
    )
    error = models.TextField(_("reason of failure"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to=RandomName("disclosure/%Y/"), blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    data_as_of = models.DateTimeField(_("data as of"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("disclosure document")
        verbose_name_plural = _("disclosure documents")
        ordering = ["organisation__path", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "content_hash"], name="document_unique_content"),
            models.UniqueConstraint(fields=["organisation", "kind", "version"], name="document_unique_version"),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "status", "-version"])]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.get_kind_display()} v{self.version}"
