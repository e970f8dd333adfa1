"""Forms of the responsibility screens. They parse input into the services' data classes; the
services decide (power codes, holders, stages, bands)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from authority.models import Post, ProcedureStage
from organisations.models import Organisation, OrganisationKind

from .models import HolderLevel, ResponsibilityKind, SupportingRuleKind, SupportingRuleStatus
from .selectors import PowerRef
from .services import BandData, ResponsibilityData, ResponsibilityError, RuleData, StandardData, check_document


def _power_choices(powers: dict[str, PowerRef], current: str = "") -> list[tuple[str, str]]:
    choices = [(code, f"{code} {ref.name}") for code, ref in sorted(powers.items())]
    if current and current not in powers:
        # A code that has left the breakdown stays visible, so that the editor sees what to fix.
        choices.append((current, f"{current} ({_('not in the current breakdown')})"))
    return choices


class ResponsibilityForm(forms.Form):
    level = forms.ChoiceField(label=_("held by"), choices=HolderLevel.choices, initial=HolderLevel.DEPARTMENT)
    agency = forms.ModelChoiceField(label=_("agency"), queryset=Organisation.objects.none(), required=False)
    post = forms.ModelChoiceField(label=_("post"), queryset=Post.objects.none(), required=False)
    kind = forms.ModelChoiceField(label=_("kind of responsibility"), queryset=ResponsibilityKind.objects.all())
    power_code = forms.ChoiceField(label=_("power"), required=False)
    stage = forms.ModelChoiceField(label=_("stage"), queryset=ProcedureStage.objects.all(), required=False)
    content = forms.CharField(
        label=_("content"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the holder answers for at this stage, e.g. 对符合立案条件的，十个工作日内予以立案。"),
    )

    def __init__(self, *args, department: Organisation, powers: dict[str, PowerRef], **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Organisation.objects.filter(
            path__startswith=department.path, kind=OrganisationKind.AGENCY, is_active=True
        ).order_by("path")
        self.fields["agency"].queryset = agencies
        self.fields["post"].queryset = Post.objects.filter(agency__path__startswith=department.path).select_related("agency")
        current = (self.initial or {}).get("power_code", "")
        self.fields["power_code"].choices = [("", "—")] + _power_choices(powers, current)

    @staticmethod
    def initial_for(item) -> dict:
        return {
            "level": item.level, "agency": item.agency_id, "post": item.post_id, "kind": item.kind_id,
            "power_code": item.power_code, "stage": item.stage_id, "content": item.content,
        }

    def responsibility_data(self) -> ResponsibilityData:
        data = self.cleaned_data
        level = data["level"]
        return ResponsibilityData(
            kind=data["kind"], content=data["content"], level=level,
            # A holder of another level chosen before the level was changed is dropped.
            agency=data["agency"] if level == HolderLevel.AGENCY else None,
            post=data["post"] if level == HolderLevel.POST else None,
            power_code=data["power_code"], stage=data["stage"],
        )


class StandardForm(forms.Form):
    power_code = forms.ChoiceField(label=_("power"))
    title = forms.CharField(label=_("title"), max_length=300)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, powers: dict[str, PowerRef], **kwargs):
        super().__init__(*args, **kwargs)
        current = (self.initial or {}).get("power_code", "")
        self.fields["power_code"].choices = [("", "—")] + _power_choices(powers, current)


class BandForm(forms.Form):
    order = forms.IntegerField(label=_("order"), min_value=1)
    label = forms.CharField(label=_("degree"), max_length=30, required=False)
    circumstances = forms.CharField(label=_("circumstances"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    measure = forms.CharField(label=_("measure"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def band_data(self) -> BandData:
        data = self.cleaned_data
        return BandData(order=data["order"], label=data["label"], circumstances=data["circumstances"], measure=data["measure"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The band's fields sit in table cells under column headers; name each for screen readers.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)


BandFormSet = forms.formset_factory(BandForm, extra=2, can_delete=True, max_num=30)


def bands_from(formset) -> list[BandData]:
    """The rows the editor kept: rows left empty and rows ticked for deletion are skipped."""
    return [
        form.band_data()
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("order") is not None
    ]


def standard_data(form: StandardForm, formset) -> StandardData:
    data = form.cleaned_data
    return StandardData(power_code=data["power_code"], title=data["title"], note=data["note"], bands=bands_from(formset))


class SupportingRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SupportingRuleKind.choices)
    title = forms.CharField(label=_("title"), max_length=300)
    document_number = forms.CharField(label=_("document number"), max_length=100, required=False)
    adopted_on = forms.DateField(label=_("adopted on"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("status"), choices=SupportingRuleStatus.choices, initial=SupportingRuleStatus.IN_FORCE)
    document = forms.FileField(
        label=_("document"), required=False,
        help_text=_("PDF, Word (.docx), OpenDocument (.odt) or OFD, at most 20 MB."),
    )
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    @staticmethod
    def initial_for(rule) -> dict:
        return {
            "kind": rule.kind, "title": rule.title, "document_number": rule.document_number,
            "adopted_on": rule.adopted_on, "status": rule.status, "note": rule.note,
        }

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            try:
                check_document(document)
            except ResponsibilityError as error:
                raise forms.ValidationError(str(error)) from None
        return document

    def rule_data(self) -> RuleData:
        return RuleData(**self.cleaned_data)
