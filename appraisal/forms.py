import json
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from authority.models import PowerKind

from .indicators import source_choices
from .models import HUNDRED, Outcome, Proceeding, Scheme, Target


class SchemeCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    title = forms.CharField(label=_("Title"), max_length=200)


class SchemeSettingsForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["title", "excellent_from", "good_from", "pass_from", "basic_pass_from", "objection_days", "reversal_rate_threshold"]


class IndicatorForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    target = forms.ChoiceField(label=_("Appraised"), choices=Target.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=source_choices)
    weight = forms.DecimalField(label=_("Weight"), min_value=Decimal("0.01"), max_value=HUNDRED, decimal_places=2)
    rule = forms.CharField(label=_("Scoring rule"), widget=forms.Textarea(attrs={"rows": 2}))
    params = forms.CharField(label=_("Parameters (JSON)"), required=False, widget=forms.TextInput())

    def clean_params(self):
        raw = (self.cleaned_data.get("params") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Write the parameters as JSON, e.g. {\"target\": 20}.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write the parameters as JSON, e.g. {\"target\": 20}."))
        return value


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, can_delete=True)


class RoundStartForm(forms.Form):
    cut_off = forms.DateField(label=_("Cut-off date"), widget=forms.DateInput(attrs={"type": "date"}))


class ManualScoreForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=None)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    score = forms.DecimalField(label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Evidence (PDF, Word or WPS)"))

    def __init__(self, *args, indicators, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["department"].queryset = departments


class ObjectionForm(forms.Form):
    score = forms.ModelChoiceField(label=_("Indicator"), queryset=None, required=False, empty_label=_("The result as a whole"))
    text = forms.CharField(label=_("Objection and its grounds"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].queryset = scores
        self.fields["score"].label_from_instance = lambda s: s.indicator.name


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer (the reason of any adjustment)"), widget=forms.Textarea(attrs={"rows": 3}))
    adjusted = forms.DecimalField(label=_("Adjusted score of the indicator (blank: no change)"), required=False, min_value=0, max_value=100, decimal_places=2)


class DrawForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    per_department = forms.IntegerField(label=_("Files per department (minimum)"), min_value=1, max_value=50, initial=3)
    seed = forms.CharField(label=_("Seed (blank: a random one, recorded)"), required=False, max_length=64)


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class ReviewAnswerForm(forms.Form):
    answer = forms.CharField(label=_("The department's answer to the findings"), widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    proceeding = forms.ChoiceField(label=_("Proceeding"), choices=Proceeding.choices)
    case_number = forms.CharField(label=_("Case number"), max_length=64)
    decided_on = forms.DateField(label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    power_code = forms.CharField(label=_("Power code (if known)"), required=False, max_length=64)
    power_kind = forms.ModelChoiceField(label=_("Power kind (if known)"), queryset=PowerKind.objects.all(), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean_decided_on(self):
        value = self.cleaned_data["decided_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The decision date cannot be in the future."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class ComplaintForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=None)
    decided_on = forms.DateField(label=_("Upheld on"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary"), max_length=300)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)
    departments = forms.ModelMultipleChoiceField(label=_("Departments"), queryset=None,
                                                 widget=forms.SelectMultiple(attrs={"data-searchable": ""}))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
