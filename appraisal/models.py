"""Appraisal (评议考核, §3(五) of the plan): yearly schemes of weighted indicators, the rounds that
score every department and officer against them, case-file review (案卷评查) with its rubrics,
reconsideration and litigation outcomes, and the public's ratings.

A round stores every number it computed, with the records behind it (``IndicatorScore.detail``),
so that a finalised round never changes when the records change afterwards."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from authority.models import Officer, PowerKind
from organisations.models import Organisation
from toolkit.files import RandomName

HUNDRED = Decimal("100")
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(HUNDRED)]


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    BASIC_PASS = "basic_pass", _("Basic pass")
    FAIL = "fail", _("Fail")


class Target(models.TextChoices):
    DEPARTMENT = "department", _("Departments")
    OFFICER = "officer", _("Officers")


# -- Schemes ----------------------------------------------------------------------------------


class ReferenceIndicator(models.Model):
    """The plan's indicators (reference data, loaded by a data migration from
    ``appraisal/data/reference_indicators.json``): a new scheme starts from them and the office
    adjusts its copy."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    target = models.CharField(_("appraised"), max_length=16, choices=Target.choices)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=PERCENT)
    rule = models.TextField(_("scoring rule"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("reference indicator")
        verbose_name_plural = _("reference indicators")
        ordering = ["target", "position", "code"]

    def __str__(self) -> str:
        return self.name


class Scheme(models.Model):
    """One version of a jurisdiction's yearly appraisal scheme. Its indicators and thresholds
    are frozen once a round has started on it; a change then needs the next version."""

    jurisdiction = models.ForeignKey(
        Organisation, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="appraisal_schemes"
    )
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    # Grade thresholds: a total at or above the threshold earns the grade (scores 0–100).
    excellent_from = models.DecimalField(_("excellent from"), max_digits=5, decimal_places=2, default=Decimal("90"), validators=PERCENT)
    good_from = models.DecimalField(_("good from"), max_digits=5, decimal_places=2, default=Decimal("80"), validators=PERCENT)
    pass_from = models.DecimalField(_("pass from"), max_digits=5, decimal_places=2, default=Decimal("70"), validators=PERCENT)
    basic_pass_from = models.DecimalField(_("basic pass from"), max_digits=5, decimal_places=2, default=Decimal("60"), validators=PERCENT)
    objection_days = models.PositiveIntegerField(
        _("objection period (days)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Days after a round's results are computed during which a department may object."),
    )
    # Read by accountability: a department whose reversal rate exceeds it is to be looked at.
    reversal_rate_threshold = models.DecimalField(
        _("reversal rate threshold (%)"), max_digits=5, decimal_places=2, default=Decimal("15"), validators=PERCENT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appraisal scheme")
        verbose_name_plural = _("appraisal schemes")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year", "version"], name="appraisal_scheme_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.pk is not None and self.rounds.exists()

    def thresholds(self) -> list[tuple[Decimal, str]]:
        return [
            (self.excellent_from, Grade.EXCELLENT),
            (self.good_from, Grade.GOOD),
            (self.pass_from, Grade.PASS),
            (self.basic_pass_from, Grade.BASIC_PASS),
        ]

    def grade_for(self, total: Decimal) -> str:
        for threshold, grade in self.thresholds():
            if total >= threshold:
                return grade
        return Grade.FAIL

    def clean(self):
        order = [self.excellent_from, self.good_from, self.pass_from, self.basic_pass_from]
        if any(value is None for value in order):
            return
        if not (order[0] > order[1] > order[2] > order[3]):
            raise ValidationError(
                {"excellent_from": _("Thresholds must fall strictly: excellent > good > pass > basic pass.")}
            )


class SchemeIndicator(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    target = models.CharField(_("appraised"), max_length=16, choices=Target.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=PERCENT)
    rule = models.TextField(_("scoring rule"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "target", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="appraisal_indicator_code_unique")]

    def __str__(self) -> str:
        return self.name


class SchemeGroup(models.Model):
    """A group of comparable departments ranked among themselves (e.g. 综合执法类)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    departments = models.ManyToManyField(Organisation, verbose_name=_("departments"), related_name="+")

    class Meta:
        verbose_name = _("department group")
        ordering = ["scheme", "name"]

    def __str__(self) -> str:
        return self.name


class ManualScore(models.Model):
    """A score the office enters for a manual indicator (target assessment, post-responsibility
    assessment), with its reason and evidence. Every change is on the audit trail."""

    indicator = models.ForeignKey(SchemeIndicator, on_delete=models.CASCADE, related_name="manual_scores")
    department = models.ForeignKey(Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=PERCENT)
    reason = models.TextField(_("reason"))
    attachment = models.FileField(_("evidence"), upload_to=RandomName("appraisal/evidence/%Y/"))
    attachment_name = models.CharField(max_length=255, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("manual score")
        ordering = ["department__path"]
        constraints = [models.UniqueConstraint(fields=["indicator", "department"], name="appraisal_manual_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.department}"


# -- Rounds -----------------------------------------------------------------------------------


class RoundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    COMPUTING = "computing", _("Computing")
    COMPUTED = "computed", _("Draft results")
    FAILED = "failed", _("Failed")
    FINALISED = "finalised", _("Finalised and published")


class Round(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    cut_off = models.DateField(_("cut-off date"), help_text=_("Records as of the end of this day count."))
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.QUEUED)
    progress = models.PositiveIntegerField(_("progress (%)"), default=0)
    error = models.TextField(blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    objections_until = models.DateField(_("objections until"), null=True, blank=True)
    # {grade: number of officers}, written with the officers' results.
    officer_grades = models.JSONField(default=dict, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appraisal round")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scheme.title} · {self.cut_off:%Y-%m-%d}"


class DepartmentResult(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="department_results")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=6, decimal_places=2)
    grade = models.CharField(max_length=16, choices=Grade.choices)
    rank = models.PositiveIntegerField()
    group = models.ForeignKey(SchemeGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    group_rank = models.PositiveIntegerField(null=True, blank=True)
    reversal_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["round", "rank", "department__path"]
        constraints = [models.UniqueConstraint(fields=["round", "department"], name="appraisal_result_unique")]


class OfficerResult(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="officer_results")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=6, decimal_places=2)
    grade = models.CharField(max_length=16, choices=Grade.choices)
    # The officer's indicators, in one row per officer (40,000 officers × 4 indicators as rows
    # would be most of a round's writing): [{"indicator", "value", "score", "detail"}].
    scores = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["round", "department_id", "-total", "officer_id"]
        constraints = [models.UniqueConstraint(fields=["round", "officer"], name="appraisal_officer_result_unique")]
        indexes = [models.Index(fields=["round", "department"])]


class IndicatorScore(models.Model):
    """One indicator's number for one department in a round, with the records behind it in
    ``detail`` ([{"model", "id", "label", "ok", "note"}]) and the office's adjustment. (An
    officer's are in ``OfficerResult.scores``.)"""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(SchemeIndicator, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # 0–100; None: no data, the indicator's weight goes to the others (the rule says so).
    computed = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    adjusted = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True, validators=PERCENT)
    adjust_reason = models.TextField(blank=True)
    detail = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["round", "indicator__position", "department__path"]
        indexes = [models.Index(fields=["round", "department"])]

    @property
    def score(self):
        return self.adjusted if self.adjusted is not None else self.computed


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the office's answer")
    ANSWERED = "answered", _("Answered")


class Objection(models.Model):
    """A department's objection (异议) to its draft result, and the office's answer."""

    result = models.ForeignKey(DepartmentResult, on_delete=models.CASCADE, related_name="objections")
    score = models.ForeignKey(IndicatorScore, verbose_name=_("indicator"), on_delete=models.CASCADE, null=True, blank=True, related_name="objections")
    text = models.TextField(_("objection"))
    status = models.CharField(max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]


class ResultDocument(models.Model):
    """The results PDF of a round, rendered by the worker."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="document")
    status = models.CharField(max_length=16, default="queued")
    file = models.FileField(upload_to=RandomName("appraisal/results/%Y/"), blank=True)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)


# -- Case-file review (案卷评查) ----------------------------------------------------------------


class CaseKind(models.TextChoices):
    PENALTY = "penalty", _("Administrative penalty")
    LICENSING = "licensing", _("Administrative licensing")
    COMPULSION = "compulsion", _("Administrative compulsion")
    INSPECTION = "inspection", _("Administrative inspection")
    OTHER = "other", _("Other enforcement")


class Rubric(models.Model):
    """A versioned review rubric per case kind: sections with their maximum points (summing to
    100), items deducting per fault within their section, and veto items that fail the file."""

    case_kind = models.CharField(_("case kind"), max_length=16, choices=CaseKind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    provenance = models.CharField(_("provenance"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("review rubric")
        ordering = ["case_kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["case_kind", "version"], name="appraisal_rubric_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class RubricSection(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(_("section"), max_length=100)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=2, validators=PERCENT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["rubric", "position", "id"]

    def __str__(self) -> str:
        return self.name


class RubricItem(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(RubricSection, on_delete=models.CASCADE, null=True, blank=True, related_name="items")
    text = models.CharField(_("item"), max_length=300)
    deduction = models.DecimalField(_("deduction per fault"), max_digits=5, decimal_places=2, default=Decimal("0"))
    is_veto = models.BooleanField(_("veto item"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["rubric", "-is_veto", "section__position", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="appraisal_item_veto_or_section", condition=Q(is_veto=True) | Q(section__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return self.text


class CaseFile(models.Model):
    """A closed enforcement case of a department (its register of files), from which the office
    draws files to review. ``officers`` handled it."""

    department = models.ForeignKey(Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("file number"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    case_kind = models.CharField(_("case kind"), max_length=16, choices=CaseKind.choices)
    decided_on = models.DateField(_("decided on"))
    officers = models.ManyToManyField(Officer, verbose_name=_("handled by"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("case file")
        ordering = ["department__path", "-decided_on", "number"]
        constraints = [models.UniqueConstraint(fields=["department", "number"], name="appraisal_case_file_unique")]
        indexes = [models.Index(fields=["department", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ReviewDraw(models.Model):
    """The office's draw of files to review for a year: reproducible from ``seed``."""

    jurisdiction = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    seed = models.CharField(_("seed"), max_length=64)
    per_department = models.PositiveIntegerField(_("files per department"), validators=[MinValueValidator(1), MaxValueValidator(50)])
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review draw")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} · {self.seed}"


class ReviewStatus(models.TextChoices):
    DRAWN = "drawn", _("Drawn")
    SCORED = "scored", _("Scored, awaiting the department")
    FINAL = "final", _("Final")


class FileReview(models.Model):
    draw = models.ForeignKey(ReviewDraw, on_delete=models.CASCADE, related_name="reviews")
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="reviews")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAWN)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField(default=False)
    department_answer = models.TextField(_("department's answer"), blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("file review")
        ordering = ["draw", "department__path", "case_file__number"]
        constraints = [models.UniqueConstraint(fields=["draw", "case_file"], name="appraisal_review_unique")]
        indexes = [models.Index(fields=["department", "status"])]


class ItemScore(models.Model):
    review = models.ForeignKey(FileReview, on_delete=models.CASCADE, related_name="item_scores")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    faults = models.PositiveIntegerField(_("faults"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["review", "item__position"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="appraisal_item_score_unique")]


# -- Reconsideration and litigation outcomes --------------------------------------------------


class Proceeding(models.TextChoices):
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
    LITIGATION = "litigation", _("Administrative litigation")


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    ANNULLED = "annulled", _("Annulled")
    CHANGED = "changed", _("Changed")
    CONFIRMED_UNLAWFUL = "confirmed_unlawful", _("Confirmed unlawful")
    ORDERED_TO_ACT = "ordered_to_act", _("Ordered to act")
    WITHDRAWN = "withdrawn", _("Withdrawn or settled")


REVERSED_OUTCOMES = (Outcome.ANNULLED, Outcome.CHANGED, Outcome.CONFIRMED_UNLAWFUL, Outcome.ORDERED_TO_ACT)


class CaseOutcome(models.Model):
    department = models.ForeignKey(Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    proceeding = models.CharField(_("proceeding"), max_length=16, choices=Proceeding.choices)
    case_number = models.CharField(_("case number"), max_length=64)
    decided_on = models.DateField(_("decided on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    power_code = models.CharField(_("power code"), max_length=64, blank=True)
    power_kind = models.ForeignKey(PowerKind, verbose_name=_("power kind"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reconsideration or litigation outcome")
        ordering = ["-decided_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "proceeding", "case_number"], name="appraisal_outcome_unique")
        ]
        indexes = [models.Index(fields=["department", "decided_on"])]


# -- Public satisfaction ----------------------------------------------------------------------


class RatingStatus(models.TextChoices):
    COUNTED = "counted", _("Counted")
    HELD = "held", _("Held for review (burst)")
    REJECTED = "rejected", _("Rejected")


class Rating(models.Model):
    """A citizen's rating of a department. No personal data: no address, no account."""

    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    status = models.CharField(max_length=16, choices=RatingStatus.choices, default=RatingStatus.COUNTED)
    created_on = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "status", "created_on"])]


class RatingTokenUse(models.Model):
    """The nonce of every form token used: a second use is refused."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)


class RatingAddressDay(models.Model):
    """How many ratings came from one address on one day, keyed by a salted hash (the salt
    changes daily, so days cannot be linked; the address itself is never stored)."""

    day = models.DateField()
    address_hash = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "address_hash"], name="appraisal_address_day_unique")]


class RatingDepartmentDay(models.Model):
    department = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "day"], name="appraisal_department_day_unique")]


# -- Officer complaints -----------------------------------------------------------------------


class UpheldComplaint(models.Model):
    """A complaint against an officer found to be well-founded (an officer indicator)."""

    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"))
    summary = models.CharField(_("summary"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "id"]
