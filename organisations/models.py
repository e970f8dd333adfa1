"""The organisation tree: city government → county/district governments → township governments
and street offices; departments under a government (and authorised or entrusted organisations
under a department); internal enforcement agencies under a department.

The tree is a materialised path (django-treebeard), so "everything under this government" is one
indexed prefix query, which every scoping rule uses.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node


class OrganisationKind(models.TextChoices):
    CITY = "city", _("City government")
    COUNTY = "county", _("County or district government")
    TOWNSHIP = "township", _("Township government")
    STREET = "street", _("Street office")
    DEPARTMENT = "department", _("Department")
    AGENCY = "agency", _("Internal enforcement agency")


GOVERNMENT_KINDS = frozenset(
    {OrganisationKind.CITY, OrganisationKind.COUNTY, OrganisationKind.TOWNSHIP, OrganisationKind.STREET}
)
# Governments that have a legal-affairs office of their own and so review their departments.
REVIEWING_GOVERNMENT_KINDS = frozenset({OrganisationKind.CITY, OrganisationKind.COUNTY})

# Which kinds may hang under which: the parent's kind → the children's kinds.
ALLOWED_CHILDREN = {
    None: {OrganisationKind.CITY},
    OrganisationKind.CITY: {OrganisationKind.COUNTY, OrganisationKind.DEPARTMENT},
    OrganisationKind.COUNTY: {
        OrganisationKind.TOWNSHIP,
        OrganisationKind.STREET,
        OrganisationKind.DEPARTMENT,
    },
    OrganisationKind.TOWNSHIP: {OrganisationKind.DEPARTMENT},
    OrganisationKind.STREET: {OrganisationKind.DEPARTMENT},
    # A department may have statutorily authorised or entrusted organisations under it.
    OrganisationKind.DEPARTMENT: {OrganisationKind.DEPARTMENT, OrganisationKind.AGENCY},
    OrganisationKind.AGENCY: set(),
}


class OfficeFunction(models.TextChoices):
    NONE = "", _("Enforcement department")
    LEGAL_AFFAIRS = "legal_affairs", _("Legal-affairs office")
    ESTABLISHMENT = "establishment", _("Establishment office")


class SubjectKind(models.TextChoices):
    STATUTORY_ORGAN = "statutory_organ", _("Statutory administrative organ")
    AUTHORISED = "authorised", _("Statutorily authorised organisation")
    ENTRUSTED = "entrusted", _("Entrusted organisation")


# Digits with the separators a telephone number is written with (hyphens, spaces, brackets, an
# extension after 转, several numbers joined by 、 or a comma).
PHONE_VALIDATOR = RegexValidator(
    r"^[0-9+()（） \-－、，,/转]+$",
    _("Enter a telephone number: digits, hyphens, brackets; several numbers separated by 、."),
)


class Organisation(MP_Node):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Stable code, e.g. the administrative division code or credit code."),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    office_function = models.CharField(
        _("office function"), max_length=16, choices=OfficeFunction.choices, blank=True, default=""
    )
    subject_kind = models.CharField(
        _("enforcement subject kind"),
        max_length=16,
        choices=SubjectKind.choices,
        blank=True,
        default="",
    )
    principal = models.ForeignKey(
        "self",
        verbose_name=_("entrusting principal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entrusted_organisations",
        help_text=_("The organ that entrusted this organisation with enforcement."),
    )
    stationed_provincial = models.BooleanField(
        _("provincial agency stationed in the city"), default=False
    )
    vertically_managed = models.BooleanField(_("vertically managed"), default=False)
    dual_managed = models.BooleanField(_("dual-managed"), default=False)
    # The city or county government whose legal-affairs office reviews this organisation;
    # derived from the tree by the services and stored so that scoping is one indexed filter.
    jurisdiction = models.ForeignKey(
        "self",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Printed on the department's disclosure bulletin sheet and shown on its portal page: where
    # a citizen complains about an enforcement act, and the supervising body's line.
    complaint_phone = models.CharField(
        _("complaint telephone"), max_length=64, blank=True, default="", validators=[PHONE_VALIDATOR],
        help_text=_("Printed on the disclosure bulletin sheet, e.g. 0571-87654321 or 12345."),
    )
    supervision_phone = models.CharField(
        _("supervision telephone"), max_length=64, blank=True, default="", validators=[PHONE_VALIDATOR],
        help_text=_("The supervising body's telephone, printed on the disclosure bulletin sheet."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("The day a reform abolished or merged it.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        # The basis checks' cache stamp reads MAX(updated_at) on every page that shows findings.
        indexes = [models.Index(fields=["updated_at"], name="organisation_updated_at")]
        constraints = [
            models.CheckConstraint(
                name="organisation_entrusted_has_principal",
                condition=~Q(subject_kind="entrusted") | Q(principal__isnull=False),
                violation_error_message=_("An entrusted organisation must name its principal."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT_KINDS

    @property
    def is_department(self) -> bool:
        return self.kind == OrganisationKind.DEPARTMENT

    def clean(self):
        errors = {}
        if self.subject_kind == SubjectKind.ENTRUSTED and not self.principal_id:
            errors["principal"] = _("An entrusted organisation must name its principal.")
        if self.subject_kind != SubjectKind.ENTRUSTED and self.principal_id:
            errors["principal"] = _("Only an entrusted organisation has a principal.")
        if self.kind != OrganisationKind.DEPARTMENT:
            if self.subject_kind:
                errors["subject_kind"] = _("Only departments are enforcement subjects.")
            if self.office_function:
                errors["office_function"] = _("Only a department can be an office.")
            if self.stationed_provincial or self.vertically_managed or self.dual_managed:
                errors["kind"] = _("Management flags apply to departments only.")
        if self.vertically_managed and self.dual_managed:
            errors["dual_managed"] = _("A department is either vertically managed or dual-managed.")
        if errors:
            raise ValidationError(errors)


class SuccessionKind(models.TextChoices):
    RENAMED = "renamed", _("Renamed to")
    MERGED = "merged", _("Merged into")
    SPLIT = "split", _("Split off into")
    ABOLISHED = "abolished", _("Abolished, functions transferred to")
    FUNCTIONS_CHANGED = "functions_changed", _("Functions changed, transferred in part to")


# After these the predecessor no longer exists: it is made inactive, with its end date.
ENDING_KINDS = frozenset({SuccessionKind.RENAMED, SuccessionKind.MERGED, SuccessionKind.ABOLISHED})
# These move functions between organisations: the records resting on them are to be reviewed
# again (§3(二): "机构改革之后部门职能变化"). A rename moves none.
FUNCTION_MOVING_KINDS = frozenset(
    {SuccessionKind.MERGED, SuccessionKind.SPLIT, SuccessionKind.ABOLISHED, SuccessionKind.FUNCTIONS_CHANGED}
)


class OrganisationSuccession(models.Model):
    """One link of an institutional reform (机构改革): ``predecessor``'s functions, in whole or in
    part, passed to ``successor`` on ``effective_on`` under the reform named. A merger of two
    departments into a third is two rows; a split of one into two is two rows."""

    predecessor = models.ForeignKey(
        Organisation, verbose_name=_("predecessor"), on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        Organisation, verbose_name=_("successor"), on_delete=models.PROTECT, related_name="precursors"
    )
    kind = models.CharField(_("kind of change"), max_length=20, choices=SuccessionKind.choices)
    effective_on = models.DateField(_("effective on"))
    reform = models.CharField(
        _("reform"), max_length=200, help_text=_("The reform and its document, e.g. 2018年机构改革 陇南市机构改革方案.")
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisational succession")
        verbose_name_plural = _("organisational successions")
        ordering = ["-effective_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="succession_not_to_itself", condition=~Q(predecessor=models.F("successor"))
            ),
            models.UniqueConstraint(
                fields=["predecessor", "successor", "kind", "effective_on"], name="succession_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
