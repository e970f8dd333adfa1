"""What each organisation files with its competent office during the campaign: its
implementation plan (with every revision kept), its leading group and working body, its phase
summaries and the problems they raise."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import Organisation
from toolkit.files import RandomName

from .campaigns import Campaign, Phase

__all__ = [
    "FilingStatus", "PlanKind", "PlanForm", "PLAN_PARTS", "ImplementationPlan", "PlanRevision", "PlanEvent",
    "TeamBody", "TeamRole", "WorkingTeam", "TeamMember", "PhaseSummary", "SummaryEvent", "SummaryProblem",
]


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RETURNED = "returned", _("Returned with comments")


class PlanKind(models.TextChoices):
    """§3(一): an organisation that already runs the system revises its earlier plan; one that
    does not yet drafts a new one."""

    NEW = "new", _("New plan")
    REVISED = "revised", _("Revised plan")


class PlanForm(models.TextChoices):
    """Which form the organisation files, decided by its management flags (§3(一)):
    provincial-stationed and vertically managed organisations follow their superior's
    arrangement, dual-managed ones answer to both the superior and the local government."""

    OWN = "own", _("Own plan in six parts")
    SUPERIOR = "superior", _("Superior's arrangement")
    BOTH = "both", _("Own plan and the superior's arrangement")


# The six parts of a plan (§3(一)), in the plan's order: field name and label.
PLAN_PARTS = (
    ("guiding_ideas", _("Guiding ideas")),
    ("goals_and_tasks", _("Goals and tasks")),
    ("organisation_and_leadership", _("Organisation and leadership")),
    ("steps", _("Implementation steps")),
    ("measures", _("Concrete measures")),
    ("time_requirements", _("Time requirements")),
)


class ImplementationPlan(models.Model):
    """An organisation's implementation plan (实施方案) for a campaign. ``status`` and ``filed_at``
    are those of its current revision; the revisions themselves keep the six parts.

    ``kind`` and ``form`` are decided when the plan is opened (``plan_open``) from the records
    and the organisation's flags, and kept so that a later change of flags does not rewrite
    what was filed."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="implementation_plans"
    )
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(_("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    kind = models.CharField(_("kind of plan"), max_length=16, choices=PlanKind.choices, default=PlanKind.NEW)
    form = models.CharField(_("form of plan"), max_length=16, choices=PlanForm.choices, default=PlanForm.OWN)
    comment = models.TextField(_("office's comment"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        ordering = ["organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "campaign"], name="plan_one_per_organisation_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.campaign}"


class PlanRevision(models.Model):
    """One revision of a plan. The working revision is edited while the plan is a draft or
    returned; filing freezes it (``filed_at``), and the next edit opens a new revision copied
    from it, so every filed text stays as the office read it."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    guiding_ideas = models.TextField(_("guiding ideas"), blank=True)
    goals_and_tasks = models.TextField(_("goals and tasks"), blank=True)
    organisation_and_leadership = models.TextField(_("organisation and leadership"), blank=True)
    steps = models.TextField(_("implementation steps"), blank=True)
    measures = models.TextField(_("concrete measures"), blank=True)
    time_requirements = models.TextField(_("time requirements"), blank=True)
    revision_notes = models.TextField(
        _("what is revised"), blank=True,
        help_text=_("For a revised plan: what changes from the plan already in force, and why."),
    )
    document = models.FileField(_("plan document"), upload_to=RandomName("rollout/plans/%Y/"), blank=True)
    document_name = models.CharField(_("plan document file name"), max_length=255, blank=True)
    superior_title = models.CharField(_("superior's arrangement"), max_length=300, blank=True)
    superior_issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    superior_document = models.FileField(
        _("superior's arrangement document"), upload_to=RandomName("rollout/plans/%Y/"), blank=True
    )
    superior_document_name = models.CharField(max_length=255, blank=True)
    covered = models.ManyToManyField(
        Organisation, verbose_name=_("authorised and entrusted organisations covered"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} r{self.number}"


class _FilingEvent(models.Model):
    """One transition of a filing (the rows ``workflow.engine.record`` appends)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    from_status = models.CharField(max_length=16, choices=FilingStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=FilingStatus.choices)
    comment = models.TextField(blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "id"]


class PlanEvent(_FilingEvent):
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="events")


# -- Leading group and working body (§5(一)) ----------------------------------------------------


class TeamBody(models.TextChoices):
    LEADING_GROUP = "leading_group", _("Leading group")
    WORKING_BODY = "working_body", _("Working body")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY_LEADER = "deputy_leader", _("Deputy leader")
    DIRECTOR = "director", _("Director")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
    MEMBER = "member", _("Member")
    LIAISON = "liaison", _("Liaison officer")


class WorkingTeam(models.Model):
    """An organisation's leading group and working body (§5(一)); recorded once it has a member."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="working_team"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("leadership and working team")
        verbose_name_plural = _("leadership and working teams")

    def __str__(self) -> str:
        return str(self.organisation)


class TeamMember(models.Model):
    """A member of the leading group or the working body. Every change (added, changed,
    removed) stays in ``history``, shown on the team's page."""

    team = models.ForeignKey(WorkingTeam, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    body = models.CharField(_("body"), max_length=16, choices=TeamBody.choices, default=TeamBody.LEADING_GROUP)
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("contact"), max_length=64, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "body", "order", "id"]

    def __str__(self) -> str:
        return self.name


# -- Phase summaries ----------------------------------------------------------------------------


class PhaseSummary(models.Model):
    """An organisation's summary (工作总结) at the end of a phase."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="phase_summaries"
    )
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="summaries")
    status = models.CharField(_("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("summary"), blank=True)
    document = models.FileField(_("attachment"), upload_to=RandomName("rollout/summaries/%Y/"), blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    comment = models.TextField(_("office's comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        verbose_name = _("phase summary")
        verbose_name_plural = _("phase summaries")
        ordering = ["phase__campaign", "phase__number", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phase"], name="summary_one_per_organisation_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.phase}"


class SummaryEvent(_FilingEvent):
    summary = models.ForeignKey(PhaseSummary, on_delete=models.CASCADE, related_name="events")


class SummaryProblem(models.Model):
    """A problem (问题) a summary raises; open until the office answers it. ``raised_at`` is set
    when the summary is submitted (the office sees it from then on)."""

    summary = models.ForeignKey(PhaseSummary, on_delete=models.CASCADE, related_name="problems")
    text = models.TextField(_("problem"))
    raised_at = models.DateTimeField(_("raised at"), null=True, blank=True, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("problem raised")
        verbose_name_plural = _("problems raised")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
