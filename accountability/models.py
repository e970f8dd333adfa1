"""Fault accountability and commendation (§3(六) of the city plan): cases from registration
(立案) to closure, the persons concerned with their part and responsibility, the measures decided
and the effects they have on certificates and posts, referrals to other organs, appeals, and
commendations. A case's source can be any record (a spot-check finding, an appraisal
suggestion) through a generic reference, besides its kind and a text.

Cases are never public; only the decisions the office chooses to publish (通报) and
commendations reach the portal."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from authority.models import Certificate, Officer, OfficerPost, PowerItem
from basis.models import Provision
from organisations.models import Organisation
from toolkit.files import RandomName

# A decision is due within one month of registration, extendable once by 30 days.
DECISION_MONTHS = 1
EXTENSION_DAYS = 30
# A third accountable fault within this many days is a ground for heavier handling (从重).
HISTORY_DAYS = 365
REPEAT_THRESHOLD = 3


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


class SourceKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint or report")
    SPOT_CHECK = "spot_check", _("Spot-check or case-file review finding")
    REVERSAL = "reversal", _("Reversed on reconsideration or litigation")
    APPRAISAL = "appraisal", _("Appraisal suggestion")
    REFERRAL = "referral", _("Referral by a supervisor")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    REGISTERED = "registered", _("Registered")
    INVESTIGATING = "investigating", _("Under investigation")
    PROPOSED = "proposed", _("Decision proposed")
    DECIDED = "decided", _("Decided")
    NOTIFIED = "notified", _("Notified")
    APPEALED = "appealed", _("Under appeal")
    CLOSED = "closed", _("Closed")
    NOT_REGISTERED = "not_registered", _("Not registered")
    DISMISSED = "dismissed", _("Dismissed")


OPEN_CASE_STATUSES = (
    CaseStatus.RECEIVED, CaseStatus.REGISTERED, CaseStatus.INVESTIGATING, CaseStatus.PROPOSED,
)
# States whose decision deadline runs (registered, not yet decided).
DEADLINE_STATUSES = (CaseStatus.REGISTERED, CaseStatus.INVESTIGATING, CaseStatus.PROPOSED)
DECIDED_STATUSES = (CaseStatus.DECIDED, CaseStatus.NOTIFIED, CaseStatus.APPEALED, CaseStatus.CLOSED)


class MitigatingGround(models.TextChoices):
    """The recognised grounds for lighter handling or exemption."""

    SELF_CORRECTED = "self_corrected", _("Corrected on own initiative without harm")
    SUPERIOR_ORDER = "superior_order", _("Acted on a superior's order")
    COUNTERPART_FAULT = "counterpart_fault", _("The counterpart's fault")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    NEGLIGIBLE_HARM = "negligible_harm", _("Negligible harm")


class Case(models.Model):
    """A fault-accountability case (过错责任追究案件)."""

    number = models.CharField(_("case number"), max_length=40, unique=True)
    government = models.ForeignKey(
        Organisation, verbose_name=_("government"), on_delete=models.PROTECT, related_name="+",
    )
    department = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="accountability_cases",
    )
    act = models.TextField(_("act concerned"))
    act_date = models.DateField(_("date of the act"), null=True, blank=True)
    power = models.ForeignKey(
        PowerItem, verbose_name=_("power item"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    provisions = models.ManyToManyField(Provision, verbose_name=_("provisions concerned"), blank=True, related_name="+")
    # The source: its kind, the record it came from when there is one, and what it says.
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_text = models.TextField(_("source details"))

    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.RECEIVED, db_index=True)
    reason = models.TextField(_("reason"), blank=True)  # why not registered, dismissed, returned
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True, db_index=True)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extension_approved_by = models.CharField(_("extension approved by"), max_length=100, blank=True)
    extended_on = models.DateField(_("extended on"), null=True, blank=True)

    decision_grounds = models.TextField(_("grounds of the decision"), blank=True)
    mitigating = models.JSONField(_("mitigating or exempting grounds"), default=list, blank=True)
    mitigating_note = models.TextField(_("note on the circumstances"), blank=True)
    heavier = models.BooleanField(_("heavier handling (从重)"), default=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    appeal_until = models.DateField(_("appeal period ends"), null=True, blank=True)
    remedy_text = models.TextField(_("remedy channel"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # An appeal that revoked every measure clears the case: it counts as no fault.
    cleared = models.BooleanField(_("cleared on appeal"), default=False)
    published = models.BooleanField(_("published (通报)"), default=False)
    published_summary = models.TextField(_("published summary"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["government", "-created_at"]),
            models.Index(fields=["-created_at", "-id"], name="accountability_case_newest"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def deadline_running(self) -> bool:
        return self.status in DEADLINE_STATUSES and self.decision_due is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in DEADLINE_STATUSES and self.decision_due is not None and self.decision_due < today

    @property
    def mitigating_labels(self) -> list[str]:
        return [str(MitigatingGround(code).label) for code in self.mitigating if code in MitigatingGround.values]


class CaseEvent(models.Model):
    """One transition of a case: who moved it from what to what, when, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    comment = models.TextField(blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]


class Part(models.TextChoices):
    HANDLER = "handler", _("Handler (承办人)")
    REVIEWER = "reviewer", _("Reviewer (审核人)")
    APPROVER = "approver", _("Approver (批准人)")
    COLLECTIVE = "collective", _("Collective decision (集体决定)")


class Responsibility(models.TextChoices):
    DIRECT = "direct", _("Direct responsibility")
    MAIN_LEADERSHIP = "main_leadership", _("Main leadership responsibility")
    IMPORTANT_LEADERSHIP = "important_leadership", _("Important leadership responsibility")
    NONE = "none", _("No responsibility")


class CasePerson(models.Model):
    """A person involved in the act, with the part he played and the responsibility he bears."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, null=True, blank=True, related_name="accountability_entries")
    name = models.CharField(_("name"), max_length=100)
    part = models.CharField(_("part"), max_length=16, choices=Part.choices)
    responsibility = models.CharField(_("responsibility"), max_length=24, choices=Responsibility.choices, default=Responsibility.DIRECT)
    grounds = models.TextField(_("grounds"))

    class Meta:
        verbose_name = _("person concerned")
        verbose_name_plural = _("persons concerned")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=RandomName("accountability/%Y/%m"))
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class MeasureKind(models.TextChoices):
    # On officers
    ADMONITION = "admonition", _("Admonishing talk (诫勉谈话)")
    WRITTEN_SELF_CRITICISM = "self_criticism", _("Written self-criticism (责令书面检查)")
    CRITICISM = "criticism", _("Criticism and education (批评教育)")
    CIRCULATED_CRITICISM = "circulated", _("Circulated criticism (通报批评)")
    SUSPEND_CERTIFICATE = "suspend", _("Certificate suspended (暂扣执法证件)")
    OFF_POST_TRAINING = "training", _("Off-post training (离岗培训)")
    TRANSFER = "transfer", _("Transfer from enforcement post (调离执法岗位)")
    REVOKE = "revoke", _("Enforcement qualification revoked (取消执法资格)")
    # On departments
    RECTIFY = "rectify", _("Rectification within a deadline (限期整改)")
    DEPARTMENT_CIRCULATED = "dept_circulated", _("Circulated criticism of the department (通报批评)")
    BAR_COMMENDATION = "bar_commendation", _("Barred from commendation (取消评先资格)")


OFFICER_MEASURES = (
    MeasureKind.ADMONITION, MeasureKind.WRITTEN_SELF_CRITICISM, MeasureKind.CRITICISM,
    MeasureKind.CIRCULATED_CRITICISM, MeasureKind.SUSPEND_CERTIFICATE, MeasureKind.OFF_POST_TRAINING,
    MeasureKind.TRANSFER, MeasureKind.REVOKE,
)
DEPARTMENT_MEASURES = (MeasureKind.RECTIFY, MeasureKind.DEPARTMENT_CIRCULATED, MeasureKind.BAR_COMMENDATION)
CERTIFICATE_MEASURES = (MeasureKind.SUSPEND_CERTIFICATE, MeasureKind.OFF_POST_TRAINING, MeasureKind.REVOKE)


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    IN_FORCE = "in_force", _("In force")
    REVOKED = "revoked", _("Revoked on appeal")


class Measure(models.Model):
    """A measure decided on a person of the case or on its department, and the records its
    effect touched (to undo it the same way)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    person = models.ForeignKey(CasePerson, verbose_name=_("person"), on_delete=models.CASCADE, null=True, blank=True, related_name="measures")
    kind = models.CharField(_("measure"), max_length=20, choices=MeasureKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PROPOSED)
    note = models.TextField(_("note"), blank=True)
    # 暂扣执法证件: the suspension's last day. 限期整改: the rectification's deadline.
    until = models.DateField(_("until"), null=True, blank=True)
    # The effect: the certificate or placement touched, what it was, what the case saw of it.
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    certificate_seen_at = models.DateTimeField(null=True, blank=True)
    certificate_status_before = models.CharField(max_length=16, blank=True)
    placement = models.ForeignKey(OfficerPost, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    placement_ended_on = models.DateField(null=True, blank=True)
    # 离岗培训: the certificate is reinstated once a training completed after the decision is
    # on record.
    reinstated_on = models.DateField(_("reinstated on"), null=True, blank=True)
    # 限期整改: the department's report.
    completed_on = models.DateField(_("rectified on"), null=True, blank=True)
    completion_note = models.TextField(_("rectification report"), blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def on_department(self) -> bool:
        return self.kind in DEPARTMENT_MEASURES


class OrganKind(models.TextChoices):
    APPOINTING = "appointing", _("Appointing organ")
    SUPERVISORY = "supervisory", _("Supervisory organ (监察机关)")
    JUDICIAL = "judicial", _("Judicial organ")


class Referral(models.Model):
    """A recommendation outside the office's power, sent to the organ that holds it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    organ_kind = models.CharField(_("organ"), max_length=16, choices=OrganKind.choices)
    organ_name = models.CharField(_("organ name"), max_length=200)
    recommendation = models.TextField(_("recommendation"))
    sent_on = models.DateField(_("sent on"))
    reply = models.TextField(_("reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)

    class Meta:
        ordering = ["sent_on", "id"]


class RemedySetting(models.Model):
    """Who decides appeals against a government's accountability decisions, within what period."""

    government = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="+")
    appeal_body = models.CharField(_("body deciding appeals"), max_length=200)
    period_days = models.PositiveIntegerField(_("appeal period (days)"), default=30)
    channel = models.TextField(_("how to appeal"), blank=True)


class AppealKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (申诉)")
    REVIEW = "review", _("Request for review (复核)")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Decision upheld")
    CHANGED = "changed", _("Decision changed")
    REVOKED = "revoked", _("Decision revoked")


class Appeal(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appeals")
    kind = models.CharField(_("kind"), max_length=16, choices=AppealKind.choices)
    appellant = models.CharField(_("appellant"), max_length=100)
    filed_on = models.DateField(_("filed on"))
    grounds = models.TextField(_("grounds"))
    body = models.CharField(_("deciding body"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=AppealOutcome.choices, blank=True)
    outcome_note = models.TextField(_("reasons of the outcome"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["filed_on", "id"]


class CommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")


class Commendation(models.Model):
    """A commendation (表彰奖励) of a department or an officer, proposed by the office or from
    an appraisal round's results (``appraisal_round``: a department graded excellent)."""

    government = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    department = models.ForeignKey(Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="commendations")
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, null=True, blank=True, related_name="commendations")
    title = models.CharField(_("title"), max_length=200)
    citation = models.TextField(_("citation"))
    status = models.CharField(_("status"), max_length=16, choices=CommendationStatus.choices, default=CommendationStatus.PROPOSED)
    decision_note = models.TextField(_("decision note"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    appraisal_round = models.ForeignKey(
        "appraisal.Round", verbose_name=_("proposed from the appraisal round"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    from_appraisal = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-year", "-id"]
        constraints = [
            # A department's appraisal results propose it once a year, however often the run goes.
            models.UniqueConstraint(
                fields=["department", "year"], condition=models.Q(from_appraisal=True), name="accountability_commendation_from_appraisal_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SuggestionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class SuggestionRule(models.TextChoices):
    OFFICER_FAILED_TWO_YEARS = "officer_failed_two_years", _("Officer graded fail two years running")
    REVERSAL_RATE = "reversal_rate_above_threshold", _("Reversal rate above the scheme's threshold")
    SPOT_CHECK_FINDING = "spot_check_finding", _("Falsified or perfunctory work found in a spot check")
    FILE_REVIEW_VETOED = "file_review_vetoed", _("Case file failed on a veto item in case-file review")


class Suggestion(models.Model):
    """A case the system proposes (from appraisal results, a spot check), with the rule that
    fired and the figures behind it. Nothing is applied: the office accepts (a registered case
    opens) or dismisses it with a reason."""

    government = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rule = models.CharField(_("rule"), max_length=64, choices=SuggestionRule.choices)
    explanation = models.TextField(_("explanation"))
    figures = models.JSONField(_("figures"), default=dict)
    suggested_measure = models.CharField(_("suggested measure"), max_length=20, choices=MeasureKind.choices, blank=True)
    # Measures the office chooses among when accepting (empty: ``suggested_measure`` as it is).
    measure_options = models.JSONField(_("measures to choose from"), default=list, blank=True)
    # What makes a proposal the same one again: rule, subject and (for the rules that read a
    # round's figures) the round. A second run proposes nothing twice.
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    appraisal_round = models.ForeignKey(
        "appraisal.Round", verbose_name=_("appraisal round"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices, default=SourceKind.APPRAISAL)
    status = models.CharField(_("status"), max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.PROPOSED)
    reason = models.TextField(_("reason"), blank=True)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="suggestion")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suggested case")
        verbose_name_plural = _("suggested cases")
        ordering = ["-created_at", "-id"]


class SuggestionRun(models.Model):
    """The suggestion run after an appraisal round was finalised: when it ran, what it
    proposed, and the departments graded excellent that were not proposed for commendation
    (``skipped``: [{"department", "name", "reason", "case"}])."""

    appraisal_round = models.OneToOneField("appraisal.Round", on_delete=models.CASCADE, related_name="+")
    government = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    ran_at = models.DateTimeField(_("ran at"))
    runs = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(_("suggestions proposed"), default=0)
    commendations = models.PositiveIntegerField(_("commendations proposed"), default=0)
    skipped = models.JSONField(_("not proposed for commendation"), default=list, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
