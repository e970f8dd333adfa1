"""The enforcement basis (执法依据): the registry of legal instruments and their provisions, and
each department's versioned catalogue of the instruments it enforces (§3(二) of the city plan).

The registry is reference data with stable codes and provenance, loaded from a versioned file
(``manage.py load_instruments``); catalogues are the departments' records that cite it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import Organisation, SubjectKind
from toolkit.files import RandomName
from workflow.models import ReviewedVersion, ReviewEvent
from workflow.review import OPEN_STATUSES


class InstrumentLevel(models.TextChoices):
    LAW = "law", _("Law")
    ADMINISTRATIVE_REGULATION = "administrative_regulation", _("Administrative regulation")
    LOCAL_REGULATION = "local_regulation", _("Local regulation")
    MINISTRY_RULE = "ministry_rule", _("Ministry rule")
    LOCAL_GOVERNMENT_RULE = "local_government_rule", _("Local government rule")


class InstrumentStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    REPEALED = "repealed", _("Repealed")


class LegalInstrument(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    level = models.CharField(_("level"), max_length=32, choices=InstrumentLevel.choices)
    issuing_organ = models.CharField(_("issuing organ"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    promulgated_on = models.DateField(_("promulgated on"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=InstrumentStatus.choices, default=InstrumentStatus.IN_FORCE
    )
    # A general law of administration (行政处罚法, 行政许可法 …) binds every department: listing it
    # claims no field of enforcement, so it never raises 多头执法 between departments.
    binds_all_departments = models.BooleanField(
        _("binds every department"),
        default=False,
        help_text=_("A general law of administrative procedure that every department applies."),
    )
    full_text = models.TextField(_("full text"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=RandomName("instruments/"), blank=True)
    # The name the file was uploaded with, given back on download; it is stored under a random one.
    attachment_name = models.CharField(_("attachment file name"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where this record was taken from.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal instrument")
        verbose_name_plural = _("legal instruments")
        ordering = ["level", "name"]
        # The checks' cache stamp reads MAX(updated_at) on every page that shows findings.
        indexes = [models.Index(fields=["updated_at"], name="instrument_updated_at")]

    def __str__(self) -> str:
        return self.name


class InstrumentStatusChange(models.Model):
    """The status history of an instrument: each amendment or repeal the office records."""

    instrument = models.ForeignKey(
        LegalInstrument, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=InstrumentStatus.choices)
    to_status = models.CharField(max_length=16, choices=InstrumentStatus.choices)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    note = models.TextField(_("what changed"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]


class Provision(models.Model):
    """An article, paragraph or item (条、款、项) of an instrument; powers and entries cite these."""

    instrument = models.ForeignKey(LegalInstrument, on_delete=models.PROTECT, related_name="provisions")
    article = models.PositiveIntegerField(_("article"))
    # 0 means "the whole article" (or the whole paragraph): a real value rather than NULL, so
    # that the uniqueness below holds on every database.
    paragraph = models.PositiveIntegerField(_("paragraph"), default=0, blank=True)
    item = models.PositiveIntegerField(_("item"), default=0, blank=True)
    text = models.TextField(_("text"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        ordering = ["instrument", "article", "paragraph", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "article", "paragraph", "item"],
                name="provision_unique_position",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name}{self.label}"

    @property
    def label(self) -> str:
        from .numbering import provision_label

        return provision_label(self.article, self.paragraph, self.item)


class SubmissionDeadline(models.Model):
    """The office's deadline for catalogues of one jurisdiction (the plan's 12月15日)."""

    jurisdiction = models.ForeignKey(
        Organisation, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("submission deadline")
        verbose_name_plural = _("submission deadlines")
        ordering = ["-due_at"]


class BasisCatalogue(ReviewedVersion):
    """One version of one department's catalogue. A published version is never edited: the
    next version is a new row, made from it, that supersedes it when published."""

    department = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="catalogues"
    )
    is_late = models.BooleanField(_("submitted late"), default=False)
    needs_revision = models.BooleanField(_("needs revision"), default=False)
    revision_reason = models.TextField(_("why a revision is needed"), blank=True)

    history = HistoricalRecords()

    class Meta(ReviewedVersion.Meta):
        verbose_name = _("basis catalogue")
        verbose_name_plural = _("basis catalogues")
        # The checks' cache stamp reads MAX(updated_at) on every page that shows findings.
        indexes = [
            models.Index(fields=["updated_at"], name="catalogue_updated_at"),
            # The portal's "data as of" reads the newest publication on every page.
            models.Index(fields=["published_at"], condition=Q(status="published"), name="catalogue_published_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["department", "version"], name="catalogue_unique_version"),
            # At most one version in the works per department.
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="catalogue_one_open_version",
            ),
        ]


class ManagementCategory(models.TextChoices):
    SOLE = "sole", _("Sole management")
    JOINT = "joint", _("Joint management")
    COORDINATED = "coordinated", _("Coordinated management")


class CatalogueEntry(models.Model):
    catalogue = models.ForeignKey(BasisCatalogue, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField(_("number"), default=0)
    instrument = models.ForeignKey(
        LegalInstrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="entries"
    )
    provisions = models.ManyToManyField(Provision, verbose_name=_("provisions"), blank=True, related_name="entries")
    category = models.CharField(_("management category"), max_length=16, choices=ManagementCategory.choices)
    lead_department = models.ForeignKey(
        Organisation, verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="+"
    )
    joint_departments = models.ManyToManyField(
        Organisation, verbose_name=_("joint departments"), blank=True, related_name="+"
    )
    assisting_departments = models.ManyToManyField(
        Organisation, verbose_name=_("assisting departments"), blank=True, related_name="+"
    )
    rights_and_duties = models.TextField(_("statutory rights and duties"), blank=True)
    subject_kind = models.CharField(
        _("enforcement subject kind"), max_length=16, choices=SubjectKind.choices, default=SubjectKind.STATUTORY_ORGAN
    )
    principal = models.ForeignKey(
        Organisation,
        verbose_name=_("entrusting principal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attachment = models.FileField(_("electronic text"), upload_to=RandomName("catalogue-entries/"), blank=True)
    attachment_name = models.CharField(_("electronic text file name"), max_length=255, blank=True)

    history = HistoricalRecords(m2m_fields=[provisions, joint_departments, assisting_departments])

    class Meta:
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        ordering = ["catalogue", "position", "id"]
        indexes = [
            models.Index(fields=["instrument", "category"]),
            # Entries in catalogue order: the editor, the portal and the search walk this.
            models.Index(fields=["catalogue", "position"]),
            # A department's entries on one instrument: what the checks ask of every partner.
            models.Index(fields=["catalogue", "instrument"], name="entry_catalogue_instrument"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.instrument.name}"

    def clean(self):
        if self.subject_kind == SubjectKind.ENTRUSTED and not self.principal_id:
            raise ValidationError({"principal": _("An entrusted organisation must name its principal.")})


class ReviewComment(models.Model):
    """A reviewer's comment on a catalogue, or on one entry of it."""

    catalogue = models.ForeignKey(BasisCatalogue, on_delete=models.CASCADE, related_name="comments")
    entry = models.ForeignKey(CatalogueEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class CatalogueEvent(ReviewEvent):
    """One workflow transition of a catalogue."""

    catalogue = models.ForeignKey(BasisCatalogue, on_delete=models.CASCADE, related_name="events")

    class Meta(ReviewEvent.Meta):
        pass


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    MERGED = "merged", _("Merged with an existing instrument")
    REFUSED = "refused", _("Refused")


class ProposalTransition(models.TextChoices):
    CONFIRM = "confirm", _("confirm")
    MERGE = "merge", _("merge")
    REFUSE = "refuse", _("refuse")


class InstrumentProposal(models.Model):
    """An instrument a department cites that the registry lacks, proposed by its editor (often
    from an import's error). The legal-affairs office confirms it (a new instrument), merges it
    with one the registry has under another spelling, or refuses it with a reason."""

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=32, choices=InstrumentLevel.choices)
    issuing_organ = models.CharField(_("issuing organ"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    promulgated_on = models.DateField(_("promulgated on"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    note = models.TextField(_("note to the office"), blank=True, help_text=_("Where the department cites it, or where its text can be found."))
    department = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    # Where the proposer came from (their import), so the decision can send them back there.
    return_to = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_index=True
    )
    instrument = models.ForeignKey(
        LegalInstrument, verbose_name=_("instrument"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="proposals",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # When the proposer was told of the decision (a message on their next visit).
    announced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("instrument proposal")
        verbose_name_plural = _("instrument proposals")
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class InstrumentProposalEvent(ReviewEvent):
    proposal = models.ForeignKey(InstrumentProposal, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ProposalStatus.choices)

    class Meta(ReviewEvent.Meta):
        pass


class PendingImportRow(models.Model):
    """A row an import rejected while the valid rows went in: the department's to-fix list (待处理行),
    with the row's cells as the file wrote them. Re-importing or adding the entry clears it."""

    catalogue = models.ForeignKey(BasisCatalogue, on_delete=models.CASCADE, related_name="pending_rows")
    row = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(_("cells"), default=dict)  # header as written → cell text
    messages = models.JSONField(_("problems"), default=list)
    instrument_name = models.CharField(_("instrument"), max_length=200, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["catalogue", "row"]

    def __str__(self):
        return f"{self.catalogue} #{self.row}"


class DateDisagreement(models.Model):
    """A date in a department's sheet that is not the registry's: for the office to check the
    registry against (recorded when the import is confirmed)."""

    instrument = models.ForeignKey(LegalInstrument, on_delete=models.CASCADE, related_name="date_disagreements")
    department = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    catalogue = models.ForeignKey(BasisCatalogue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    field = models.CharField(_("date"), max_length=32)  # effective_on or promulgated_on
    sheet_date = models.DateField(_("date in the sheet"))
    registry_date = models.DateField(_("date in the registry"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "instrument"]

    def __str__(self):
        return f"{self.instrument} {self.field}: {self.sheet_date} ≠ {self.registry_date}"


# -- Joint review with the establishment office (会同, §3(二), §5(三)) ---------------------------


class OpinionVerdict(models.TextChoices):
    AGREE = "agree", _("Agree")
    AGREE_WITH_REMARKS = "agree_with_remarks", _("Agree with remarks")
    DISAGREE = "disagree", _("Disagree")


class EstablishmentOpinion(models.Model):
    """The establishment office's (编办) opinion on a catalogue submitted for review, or on one
    entry of it. The office reviews catalogues together with the legal-affairs office, on the
    departments' functions and mandates; the one on the catalogue (no entry) is the one the
    approval may require."""

    catalogue = models.ForeignKey(BasisCatalogue, on_delete=models.CASCADE, related_name="establishment_opinions")
    entry = models.ForeignKey(
        CatalogueEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="establishment_opinions"
    )
    verdict = models.CharField(_("verdict"), max_length=24, choices=OpinionVerdict.choices)
    text = models.TextField(_("opinion"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("establishment office opinion")
        verbose_name_plural = _("establishment office opinions")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["catalogue", "created_at"])]


class JurisdictionReviewSetting(models.Model):
    """How one government's legal-affairs office runs the review of its departments' catalogues.
    No row means the defaults (the establishment office's opinion is asked for, not required)."""

    jurisdiction = models.OneToOneField(
        Organisation, verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="review_setting"
    )
    establishment_opinion_required = models.BooleanField(
        _("establishment office's opinion required before approval"),
        default=False,
        help_text=_("The catalogue cannot be approved before the establishment office has given its opinion on it."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review setting")
        verbose_name_plural = _("review settings")
