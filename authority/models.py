"""The authority breakdown (§3(二)(三) of the city plan): each department turns its catalogue
into concrete powers (职权事项) resting on provisions, assigns them to posts of its internal
agencies, writes each power's internal procedure, and lets only trained, examined and certified
officers exercise them.

Power kinds and procedure stages are reference data with stable codes, loaded from a versioned
file (``manage.py load_authority_reference``). Powers, their assignments and procedures are
versioned with the department's breakdown, which goes through the review workflow of
``workflow.review``; posts, officers and certificates are standing records of the department.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from basis.models import Provision
from organisations.models import Organisation
from workflow.models import ReviewedVersion, ReviewEvent
from workflow.review import OPEN_STATUSES

# -- Reference data ---------------------------------------------------------------------------


class ReferenceEntry(models.Model):
    """Reference data with a stable code, loaded from authority/data/reference.json."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveIntegerField(_("order"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class PowerKind(ReferenceEntry):
    """A kind of power (职权类型): the provincial ten plus those the plan itself names."""

    history = HistoricalRecords()

    class Meta(ReferenceEntry.Meta):
        verbose_name = _("power kind")
        verbose_name_plural = _("power kinds")


class ProcedureStage(ReferenceEntry):
    """A stage of an internal procedure (立案, 调查取证, 审理 …)."""

    history = HistoricalRecords()

    class Meta(ReferenceEntry.Meta):
        verbose_name = _("procedure stage")
        verbose_name_plural = _("procedure stages")


# -- The breakdown ----------------------------------------------------------------------------


class Breakdown(ReviewedVersion):
    """One version of one department's breakdown of powers. Like a basis catalogue, a published
    version is never edited; the next version is made from it and supersedes it."""

    department = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="breakdowns"
    )
    # Set when a change outside it (an amended instrument, a reformed department) asks for a new
    # version; cleared by publishing the next version.
    needs_revision = models.BooleanField(_("needs revision"), default=False)
    revision_reason = models.TextField(_("why a revision is needed"), blank=True)

    history = HistoricalRecords()

    class Meta(ReviewedVersion.Meta):
        verbose_name = _("authority breakdown")
        verbose_name_plural = _("authority breakdowns")
        # The portal's "data as of" reads the newest publication on every page.
        indexes = [models.Index(fields=["published_at"], condition=Q(status="published"), name="breakdown_published_at")]
        constraints = [
            models.UniqueConstraint(fields=["department", "version"], name="breakdown_unique_version"),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="breakdown_one_open_version",
            ),
        ]


class BreakdownEvent(ReviewEvent):
    """One workflow transition of a breakdown."""

    breakdown = models.ForeignKey(Breakdown, on_delete=models.CASCADE, related_name="events")

    class Meta(ReviewEvent.Meta):
        pass


class PowerItem(models.Model):
    """A power item (职权事项): one row of the 权责清单."""

    breakdown = models.ForeignKey(Breakdown, on_delete=models.CASCADE, related_name="powers")
    position = models.PositiveIntegerField(_("number"), default=0)
    name = models.CharField(_("name"), max_length=300)
    code = models.CharField(_("code"), max_length=64)
    kind = models.ForeignKey(PowerKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    enforcing_organ = models.ForeignKey(
        Organisation, verbose_name=_("enforcing organ"), on_delete=models.PROTECT, related_name="+"
    )
    provisions = models.ManyToManyField(Provision, verbose_name=_("basis"), related_name="powers")
    handling_agency = models.ForeignKey(
        Organisation,
        verbose_name=_("handling agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    forwards_only = models.BooleanField(
        _("forwards to a higher organ only"), default=False, help_text=_("Examined here and forwarded to a higher organ, which decides.")
    )
    accountability_grounds = models.TextField(_("accountability grounds"), blank=True)

    history = HistoricalRecords(m2m_fields=[provisions])

    class Meta:
        verbose_name = _("power item")
        verbose_name_plural = _("power items")
        ordering = ["breakdown", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["breakdown", "code"], name="power_unique_code")]
        indexes = [models.Index(fields=["breakdown", "position"])]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """An enforcement post (执法岗位) of an internal agency, with its number of positions."""

    agency = models.ForeignKey(Organisation, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="posts")
    name = models.CharField(_("name"), max_length=100)
    positions = models.PositiveIntegerField(_("positions"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["agency__path", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="post_unique_name")]

    def __str__(self) -> str:
        return f"{self.agency.name} · {self.name}"


class AssignmentRole(models.TextChoices):
    HANDLING = "handling", _("Handling")
    REVIEW = "review", _("Review")
    DECISION = "decision", _("Decision")


class PostAssignment(models.Model):
    power = models.ForeignKey(PowerItem, on_delete=models.CASCADE, related_name="assignments")
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post assignment")
        verbose_name_plural = _("post assignments")
        ordering = ["power", "role", "post"]
        constraints = [models.UniqueConstraint(fields=["power", "post", "role"], name="assignment_unique")]


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class ProcedureStep(models.Model):
    power = models.ForeignKey(PowerItem, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    stage = models.ForeignKey(ProcedureStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, null=True, blank=True, related_name="steps"
    )
    duty = models.TextField(_("duty"), blank=True)
    time_limit = models.PositiveIntegerField(_("time limit"), null=True, blank=True)
    time_unit = models.CharField(
        _("time unit"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")
        ordering = ["power", "order"]
        constraints = [models.UniqueConstraint(fields=["power", "order"], name="step_unique_order")]

    @property
    def time_limit_label(self) -> str:
        if self.time_limit is None:
            return ""
        labels = {
            TimeUnit.WORKING_DAYS: _("%(n)d working days"),
            TimeUnit.CALENDAR_DAYS: _("%(n)d calendar days"),
        }
        return str(labels[self.time_unit]) % {"n": self.time_limit}


# -- Officers and certificates ----------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Officer(models.Model):
    department = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="officers"
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    # Kept for identification by the office; never shown on a public page or in a public API.
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The officer's own login, when he has one (a department account): lets him read the
    # accountability cases he is named in, and nothing more than his account otherwise may.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("own account"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="officer_record",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["department__path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class OfficerPost(models.Model):
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="placements")
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="placements")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("officer's post")
        verbose_name_plural = _("officers' posts")
        ordering = ["-since", "id"]


class TrainingKind(models.TextChoices):
    PRE_POST = "pre_post", _("Pre-post training")
    REFRESHER = "refresher", _("Refresher training")


class TrainingRecord(models.Model):
    """A training the officer completed. §3(三) wants it tied to the post and the powers held
    (结合任职岗位和具体职权): it names the posts it prepared for, whose powers' kinds it then
    covers, and kinds of enforcement besides. A record from before this was asked names neither
    and covers no kind."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="trainings")
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    completed_on = models.DateField(_("completed on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    posts = models.ManyToManyField(Post, verbose_name=_("posts covered"), blank=True, related_name="trainings")
    kinds = models.ManyToManyField(PowerKind, verbose_name=_("kinds of enforcement covered"), blank=True, related_name="+")

    history = HistoricalRecords(m2m_fields=[posts, kinds])

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on", "id"]


class ExamResult(models.Model):
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="exams")
    taken_on = models.DateField(_("taken on"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=1, default=60)
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    passed = models.BooleanField(_("passed"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        ordering = ["-taken_on", "-attempt"]


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Certificate(models.Model):
    """An enforcement certificate (行政执法证). ``status`` is what was decided; the status that
    counts is ``current_status``, which reads a certificate past its validity as expired even
    before the daily job has marked it."""

    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="certificates")
    issuing_government = models.ForeignKey(
        Organisation, verbose_name=_("issuing government"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.CharField(_("area of enforcement"), max_length=200)
    kinds = models.ManyToManyField(PowerKind, verbose_name=_("kinds of enforcement"), related_name="+")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    # A suspension for a period (暂扣执法证件) ends on this day; blank for a suspension without
    # an end (one that waits for training, 离岗培训) and for every other status.
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[kinds])

    class Meta:
        verbose_name = _("enforcement certificate")
        verbose_name_plural = _("enforcement certificates")
        ordering = ["-valid_until", "number"]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return self.number

    def current_status(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.status == CertificateStatus.VALID and self.valid_until < today:
            return CertificateStatus.EXPIRED
        return self.status

    def get_current_status_display(self) -> str:
        return CertificateStatus(self.current_status()).label

    # The decisions a certificate admits, by its status. The services refuse the others and the
    # pages offer only these buttons: one rule for both.
    def can_renew(self, today: datetime.date | None = None) -> bool:
        return self.current_status(today) in (CertificateStatus.VALID, CertificateStatus.EXPIRED)

    def can_suspend(self, today: datetime.date | None = None) -> bool:
        return self.current_status(today) == CertificateStatus.VALID

    def can_reinstate(self, today: datetime.date | None = None) -> bool:
        return self.status == CertificateStatus.SUSPENDED

    def can_revoke(self, today: datetime.date | None = None) -> bool:
        return self.status != CertificateStatus.REVOKED

    def allowed_actions(self, today: datetime.date | None = None) -> list[str]:
        """The names of the certificate actions that apply now, in the order the page lists them."""
        checks = {"renew": self.can_renew, "suspend": self.can_suspend, "reinstate": self.can_reinstate, "revoke": self.can_revoke}
        return [action for action, allowed in checks.items() if allowed(today)]

    def holds_officer(self, today: datetime.date | None = None) -> bool:
        """Whether this certificate stands in the way of issuing another to its officer."""
        today = today or timezone.localdate()
        return self.status in (CertificateStatus.VALID, CertificateStatus.SUSPENDED) and self.valid_until >= today


def valid_certificates(today: datetime.date | None = None):
    """Certificates that let their holder act today."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(
        status=CertificateStatus.VALID, valid_from__lte=today, valid_until__gte=today
    )


class CertificateEvent(models.Model):
    """One decision on a certificate: issue, renewal, suspension, revocation, expiry."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=16)
    ACTION_LABELS = {
        "issue": _("Issue"),
        "renew": _("Renew"),
        "suspend": _("Suspend"),
        "reinstate": _("Reinstate"),
        "revoke": _("Revoke"),
        "expire": _("Expired"),
    }
    from_status = models.CharField(max_length=16, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CertificateStatus.choices)
    reason = models.TextField(blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))
