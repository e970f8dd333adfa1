"""Forms of the accountability pages. They parse and check the input's shape; the services
decide (a refusal comes back as a message on the form, nothing saved)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from authority.models import Officer
from organisations.models import Organisation

from .models import AppealKind, AppealOutcome, MeasureKind, MitigatingGround, OrganKind, Part, Responsibility, SourceKind

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


class CaseOpenForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Organisation.objects.none())
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices)
    source_text = forms.CharField(label=_("Source details"), widget=TEXT, max_length=5000,
                                  help_text=_("The complaint, finding or referral: who, when, what it says."))
    act = forms.CharField(label=_("Act concerned"), widget=TEXT, max_length=5000)
    act_date = forms.DateField(label=_("Date of the act"), required=False, widget=DATE)
    power_code = forms.CharField(label=_("Power item code"), required=False, max_length=64,
                                 help_text=_("The code of the power item in the department's published breakdown; its provisions are cited."))
    register = forms.BooleanField(label=_("Register the case at once (立案)"), required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Organisation.objects.none()

    def clean_act_date(self):
        value = self.cleaned_data.get("act_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The act cannot lie in the future."))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=TEXT, max_length=5000)


class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("Why the deadline is extended"), widget=TEXT, max_length=2000)
    approved_by = forms.CharField(label=_("Approved by"), max_length=100,
                                  help_text=_("Who approved the extension (name and office)."))


class PersonForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=Officer.objects.none(), required=False,
                                     help_text=_("Choose the officer, or write the name of a person who is not one."))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    part = forms.ChoiceField(label=_("Part"), choices=Part.choices)
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=Responsibility.choices)
    grounds = forms.CharField(label=_("Grounds"), widget=TEXT, max_length=5000)

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers if officers is not None else Officer.objects.none()

    def clean(self):
        data = super().clean()
        if not data.get("officer") and not (data.get("name") or "").strip():
            self.add_error("name", _("Choose the officer or write the person's name."))
        return data


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=MeasureKind.choices)
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False,
                                    help_text=_("For a measure on a person; leave empty for a measure on the department."))
    until = forms.DateField(label=_("Until / deadline"), required=False, widget=DATE,
                            help_text=_("Last day of a certificate suspension, or the rectification deadline."))
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT, max_length=2000)

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, JPEG or PNG, up to 20 MB."))


class ReferralForm(forms.Form):
    organ_kind = forms.ChoiceField(label=_("Organ"), choices=OrganKind.choices)
    organ_name = forms.CharField(label=_("Organ name"), max_length=200)
    recommendation = forms.CharField(label=_("Recommendation"), widget=TEXT, max_length=5000)


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), widget=TEXT, max_length=5000)
    replied_on = forms.DateField(label=_("Replied on"), required=False, widget=DATE)


class RectificationForm(forms.Form):
    report = forms.CharField(label=_("Rectification report"), widget=TEXT, max_length=5000)


class DecisionForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds of the decision"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)
    mitigating = forms.MultipleChoiceField(label=_("Mitigating or exempting grounds"), choices=MitigatingGround.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    mitigating_note = forms.CharField(label=_("Note on the circumstances"), widget=TEXT, required=False, max_length=5000)
    publish = forms.BooleanField(label=_("Publish the decision on the portal (通报)"), required=False)
    published_summary = forms.CharField(label=_("Summary to publish"), widget=TEXT, required=False, max_length=2000,
                                        help_text=_("What the public reads: no ID numbers, no private details."))

    def clean(self):
        data = super().clean()
        if data.get("mitigating") and not (data.get("mitigating_note") or "").strip():
            self.add_error("mitigating_note", _("Explain the mitigating or exempting circumstances in the note."))
        if data.get("publish") and not (data.get("published_summary") or "").strip():
            self.add_error("published_summary", _("Write the summary to be published."))
        return data


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppealKind.choices)
    appellant = forms.CharField(label=_("Appellant"), max_length=100)
    grounds = forms.CharField(label=_("Grounds"), widget=TEXT, max_length=5000)
    filed_on = forms.DateField(label=_("Filed on"), required=False, widget=DATE, help_text=_("Today if left empty."))

    def clean_filed_on(self):
        value = self.cleaned_data.get("filed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("An appeal cannot be filed in the future."))
        return value


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AppealOutcome.choices)
    note = forms.CharField(label=_("Reasons"), widget=TEXT, max_length=5000)
    revoke = forms.ModelMultipleChoiceField(label=_("Measures set aside (decision changed)"), queryset=None, required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, measures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoke"].queryset = measures


class CommendationForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Organisation.objects.none())
    officer_name = forms.CharField(label=_("Officer (optional)"), required=False, max_length=50,
                                   help_text=_("Leave empty to commend the department; otherwise the name of one of its officers."))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    citation = forms.CharField(label=_("Citation"), widget=TEXT, max_length=5000)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Organisation.objects.none()
        self.fields["year"].initial = datetime.date.today().year

    def clean(self):
        data = super().clean()
        name = (data.get("officer_name") or "").strip()
        data["officer"] = None
        if name and data.get("department"):
            matches = list(Officer.objects.filter(department=data["department"], name=name, is_active=True)[:2])
            if len(matches) != 1:
                self.add_error("officer_name", _("No single active officer of this department has that name."))
            else:
                data["officer"] = matches[0]
        return data


class RemedySettingForm(forms.Form):
    appeal_body = forms.CharField(label=_("Body deciding appeals"), max_length=200)
    period_days = forms.IntegerField(label=_("Appeal period (days)"), min_value=1, max_value=365)
    channel = forms.CharField(label=_("How to appeal"), widget=TEXT, required=False, max_length=2000)
