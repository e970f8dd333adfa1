"""Forms of the campaign pages. The dates' rules live in ``campaigns_services`` (one place for
the page and the API); a form takes the input, and the view puts the service's errors on it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .campaigns_status import State
from .models import FindingKind, PhaseNumber

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhasesForm(forms.Form):
    """Four deadlines and start dates; on a county's campaign an empty deadline means the city's."""

    def __init__(self, *args, inherited: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inherited = inherited
        for number, label in PhaseNumber.choices:
            help_text = ""
            if inherited and inherited.get(number):
                help_text = _("Empty: the city's date, %(date)s. Only an earlier date may be set.") % {
                    "date": timezone.localtime(inherited[number]).strftime("%Y-%m-%d %H:%M")}
            self.fields[f"starts_{number}"] = forms.DateField(
                label=_("Phase %(n)d starts on") % {"n": number}, required=False, widget=_DATE)
            self.fields[f"due_{number}"] = forms.DateTimeField(
                label=_("Phase %(n)d (%(name)s) due at") % {"n": number, "name": label},
                required=False, widget=_DATETIME, help_text=help_text)

    def phase_rows(self):
        return [(n, label, [self[f"due_{n}"], self[f"starts_{n}"]]) for n, label in PhaseNumber.choices]

    def dues(self) -> dict:
        return {n: self.cleaned_data.get(f"due_{n}") for n in PhaseNumber.values}

    def starts(self) -> dict:
        return {n: self.cleaned_data.get(f"starts_{n}") for n in PhaseNumber.values}


class CampaignForm(PhasesForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "year": forms.IntegerField(label=_("year"), min_value=2000, max_value=2100,
                                       initial=timezone.localdate().year),
            "title": forms.CharField(label=_("title"), max_length=200),
            **self.fields,
        }


class DashboardFilter(forms.Form):
    phase = forms.TypedChoiceField(label=_("phase"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("All phases")), *PhaseNumber.choices])
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All statuses")), *State.choices])
    q = forms.CharField(label=_("organisation"), required=False, max_length=100)


class SpotCheckForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    share_percent = forms.IntegerField(label=_("minimum share (%)"), initial=10, min_value=1, max_value=100)
    exclude_last_round = forms.BooleanField(label=_("exclude those checked last round"), required=False)
    late_weight = forms.IntegerField(
        label=_("weight of late organisations"), initial=1, min_value=1, max_value=10,
        help_text=_("1 draws everyone alike; 3 makes an organisation with a late deliverable three times as likely."))
    seed = forms.IntegerField(label=_("seed"), required=False, min_value=0, max_value=2**62,
                              help_text=_("Leave empty for a fresh random seed; it is recorded with the draw."))


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=FindingKind.choices)
    description = forms.CharField(label=_("finding"), widget=forms.Textarea(attrs={"rows": 3}))
    rectification = forms.CharField(label=_("rectification asked"), widget=forms.Textarea(attrs={"rows": 3}))
    due_at = forms.DateTimeField(label=_("rectify by"), widget=_DATETIME)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
