import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from basis.models import LegalInstrument, Provision
from basis.numbering import parse_provisions, provision_label
from organisations.models import Organisation, OrganisationKind

from .models import AssignmentRole, Gender, PowerItem, PowerKind, ProcedureStage, TimeUnit
from .services import PowerData, StepData

# One basis line: an instrument (by name, with or without 《》, or by code) and its provisions.
_BASIS_LINE = re.compile(r"^《?(?P<instrument>.+?)》?\s*(?P<provisions>第.+)$")


def parse_basis(text: str) -> tuple[list[Provision], list[str]]:
    """Provisions from lines such as "《中华人民共和国行政许可法》第十条、第十二条第二款"."""
    found, errors = [], []
    for number, line in enumerate(filter(None, (ln.strip() for ln in text.splitlines())), start=1):
        match = _BASIS_LINE.match(line)
        if not match:
            errors.append(_("Line %(n)d: write an instrument and its provisions, e.g. 《某某法》第十条.") % {"n": number})
            continue
        name = match["instrument"].strip()
        instrument = LegalInstrument.objects.filter(Q(name=name) | Q(code=name)).first()
        if instrument is None:
            errors.append(_("Line %(n)d: no instrument named %(name)s in the registry.") % {"n": number, "name": name})
            continue
        try:
            refs = parse_provisions(match["provisions"])
        except ValueError:
            errors.append(_("Line %(n)d: write provisions as 第十条 or 第十二条第二款, separated by 、.") % {"n": number})
            continue
        for article, paragraph, item in refs:
            provision = Provision.objects.filter(
                instrument=instrument, article=article, paragraph=paragraph or 0, item=item or 0
            ).first()
            if provision is None:
                errors.append(
                    _("Line %(n)d: %(instrument)s has no %(label)s in the registry.")
                    % {"n": number, "instrument": instrument.name, "label": provision_label(article, paragraph, item)}
                )
            else:
                found.append(provision)
    return found, errors


def basis_text(power: PowerItem) -> str:
    by_instrument: dict = {}
    for provision in power.provisions.select_related("instrument"):
        by_instrument.setdefault(provision.instrument.name, []).append(provision.label)
    return "\n".join(f"《{name}》{'、'.join(labels)}" for name, labels in by_instrument.items())


class PowerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=300)
    code = forms.CharField(label=_("code"), max_length=64)
    kind = forms.ModelChoiceField(label=_("kind"), queryset=PowerKind.objects.all())
    enforcing_organ = forms.ModelChoiceField(
        label=_("enforcing organ"), queryset=Organisation.objects.none(), widget=forms.Select(attrs={"data-searchable": ""})
    )
    basis = forms.CharField(
        label=_("basis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One instrument per line with its provisions, e.g. 《中华人民共和国行政许可法》第十条、第十二条第二款."),
    )
    handling_agency = forms.ModelChoiceField(
        label=_("handling agency"), queryset=Organisation.objects.none(), required=False
    )
    forwards_only = forms.BooleanField(label=_("forwards to a higher organ only"), required=False)
    accountability_grounds = forms.CharField(
        label=_("accountability grounds"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, department: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        subtree = Organisation.objects.filter(path__startswith=department.path, is_active=True).order_by("path")
        self.fields["enforcing_organ"].queryset = subtree.exclude(kind=OrganisationKind.AGENCY)
        self.fields["enforcing_organ"].initial = department.pk
        self.fields["handling_agency"].queryset = subtree.filter(kind=OrganisationKind.AGENCY)

    @classmethod
    def initial_for(cls, power: PowerItem) -> dict:
        return {
            "name": power.name, "code": power.code, "kind": power.kind_id,
            "enforcing_organ": power.enforcing_organ_id, "basis": basis_text(power),
            "handling_agency": power.handling_agency_id, "forwards_only": power.forwards_only,
            "accountability_grounds": power.accountability_grounds,
        }

    def clean_basis(self):
        provisions, errors = parse_basis(self.cleaned_data["basis"])
        if errors:
            raise forms.ValidationError(errors)
        self.provisions = provisions
        return self.cleaned_data["basis"]

    def power_data(self) -> PowerData:
        data = self.cleaned_data
        return PowerData(
            name=data["name"], code=data["code"], kind=data["kind"], enforcing_organ=data["enforcing_organ"],
            provisions=self.provisions, handling_agency=data["handling_agency"],
            forwards_only=data["forwards_only"], accountability_grounds=data["accountability_grounds"],
        )


class AssignmentForm(forms.Form):
    post = forms.ModelChoiceField(label=_("post"), queryset=None)
    role = forms.ChoiceField(label=_("role"), choices=AssignmentRole.choices)

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts


class StepForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("stage"), queryset=ProcedureStage.objects.all())
    post = forms.ModelChoiceField(label=_("post"), queryset=None, required=False)
    duty = forms.CharField(label=_("duty"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    time_limit = forms.IntegerField(label=_("time limit"), min_value=0, required=False)
    time_unit = forms.ChoiceField(label=_("time unit"), choices=TimeUnit.choices, initial=TimeUnit.WORKING_DAYS)

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts

    def step_data(self) -> StepData:
        data = self.cleaned_data
        return StepData(stage=data["stage"], post=data["post"], duty=data["duty"],
                        time_limit=data["time_limit"], time_unit=data["time_unit"])


StepFormSet = forms.formset_factory(StepForm, extra=2, can_delete=True, max_num=50)


class PostForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("agency"), queryset=None)
    name = forms.CharField(label=_("name"), max_length=100)
    positions = forms.IntegerField(label=_("positions"), min_value=1, initial=1)

    def __init__(self, *args, department: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Organisation.objects.filter(
            path__startswith=department.path, kind=OrganisationKind.AGENCY, is_active=True
        ).order_by("path")


class OfficerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    gender = forms.ChoiceField(label=_("gender"), choices=[("", "—"), *Gender.choices], required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)


class PlacementForm(forms.Form):
    post = forms.ModelChoiceField(label=_("post"), queryset=None)
    since = forms.DateField(label=_("since"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[])
    hours = forms.DecimalField(label=_("hours"), min_value=0.5, max_digits=6, decimal_places=1)
    completed_on = forms.DateField(label=_("completed on"), widget=forms.DateInput(attrs={"type": "date"}))
    posts = forms.ModelMultipleChoiceField(
        label=_("posts covered"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The training covers the kinds of enforcement these posts hold."),
    )
    kinds = forms.ModelMultipleChoiceField(
        label=_("kinds of enforcement covered"), queryset=PowerKind.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, posts, **kwargs):
        from .models import TrainingKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = TrainingKind.choices
        self.fields["posts"].queryset = posts

    def clean(self):
        data = super().clean()
        if not data.get("posts") and not data.get("kinds"):
            raise forms.ValidationError(_("Name the posts or the kinds of enforcement the training covers."))
        return data


class ExamForm(forms.Form):
    taken_on = forms.DateField(label=_("taken on"), widget=forms.DateInput(attrs={"type": "date"}))
    score = forms.DecimalField(label=_("score"), min_value=0, max_digits=5, decimal_places=1)
    pass_mark = forms.DecimalField(label=_("pass mark"), min_value=0, max_digits=5, decimal_places=1, initial=60)


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("certificate number"), max_length=32)
    area = forms.CharField(label=_("area of enforcement"), max_length=200)
    kinds = forms.ModelMultipleChoiceField(
        label=_("kinds of enforcement"), queryset=PowerKind.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("certificate number"), max_length=32)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("spreadsheet (.xlsx or .csv)"))
    ignore_unread = forms.BooleanField(
        label=_("Import without the columns listed as not read"), required=False
    )


class AccountLinkForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Own account"), queryset=None, required=False,
                                     help_text=_("The officer's own login, to read the accountability cases he is named in."))

    def __init__(self, *args, department=None, **kwargs):
        from accounts.models import DEPARTMENT_ROLES, User

        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = User.objects.filter(organisation=department, role__in=DEPARTMENT_ROLES, is_active=True).order_by("username")
