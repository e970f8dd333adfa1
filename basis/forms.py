import datetime
import posixpath
import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, OrganisationKind, SubjectKind

from .models import (
    CatalogueEntry,
    InstrumentProposal,
    LegalInstrument,
    ManagementCategory,
    OpinionVerdict,
)
from .selectors import ProvisionTextError, provisions_from_text
from .services import EntryData


SEARCHABLE = {"data-searchable": ""}


class EntryForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("instrument"), queryset=LegalInstrument.objects.all(), help_text=_("From the registry of legal instruments."),
        widget=forms.Select(attrs=SEARCHABLE),
    )
    provisions = forms.CharField(
        label=_("provisions"),
        required=False,
        help_text=_("For example: 第十条、第十二条第二款. Leave empty for the whole instrument."),
    )
    category = forms.ChoiceField(label=_("management category"), choices=ManagementCategory.choices)
    # Department lists run to a hundred names: searchable (static/js/app.js), a plain select
    # without JavaScript.
    lead_department = forms.ModelChoiceField(
        label=_("lead department"), queryset=Organisation.objects.none(), widget=forms.Select(attrs=SEARCHABLE)
    )
    joint_departments = forms.ModelMultipleChoiceField(
        label=_("joint departments"), queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs=SEARCHABLE),
    )
    assisting_departments = forms.ModelMultipleChoiceField(
        label=_("assisting departments"), queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs=SEARCHABLE),
    )
    rights_and_duties = forms.CharField(
        label=_("statutory rights and duties"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    subject_kind = forms.ChoiceField(label=_("enforcement subject kind"), choices=SubjectKind.choices)
    principal = forms.ModelChoiceField(
        label=_("entrusting principal"), queryset=Organisation.objects.none(), required=False,
        widget=forms.Select(attrs=SEARCHABLE),
    )
    attachment = forms.FileField(
        label=_("electronic text"),
        required=False,
        help_text=_("The instrument's text as a PDF, Word or plain-text file, up to 20 MB."),
    )

    def __init__(self, *args, department: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        government = department.jurisdiction
        departments = Organisation.objects.filter(
            kind=OrganisationKind.DEPARTMENT,
            office_function="",
            is_active=True,  # an organisation a reform ended is never offered for new records
            path__startswith=government.path if government else "",
        ).order_by("path")
        for name in ("lead_department", "joint_departments", "assisting_departments", "principal"):
            self.fields[name].queryset = departments
        self.fields["lead_department"].initial = department.pk

    @classmethod
    def initial_for(cls, entry: CatalogueEntry) -> dict:
        return {
            "instrument": entry.instrument_id,
            "provisions": "、".join(p.label for p in entry.provisions.all()),
            "category": entry.category,
            "lead_department": entry.lead_department_id,
            "joint_departments": [d.pk for d in entry.joint_departments.all()],
            "assisting_departments": [d.pk for d in entry.assisting_departments.all()],
            "rights_and_duties": entry.rights_and_duties,
            "subject_kind": entry.subject_kind,
            "principal": entry.principal_id,
        }

    def clean(self):
        cleaned = super().clean()
        instrument = cleaned.get("instrument")
        cleaned["provision_objects"] = []
        if instrument:
            try:
                cleaned["provision_objects"] = provisions_from_text(instrument, cleaned.get("provisions", ""))
            except ProvisionTextError as error:
                for message in error.messages:
                    self.add_error("provisions", message)
        attachment = cleaned.get("attachment")
        if attachment:
            problem = attachment_problem(attachment)
            if problem:
                self.add_error("attachment", problem)
        if cleaned.get("subject_kind") == SubjectKind.ENTRUSTED and not cleaned.get("principal"):
            self.add_error("principal", _("An entrusted organisation must name its principal."))
        return cleaned

    def entry_data(self) -> EntryData:
        return EntryData.from_cleaned(self.cleaned_data)


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# What an electronic text may be, told by its first bytes rather than its name.
_SIGNATURES = (
    (b"%PDF-", ".pdf"),
    (b"PK\x03\x04", ".docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"),
)


def attachment_problem(upload) -> str | None:
    """Why an uploaded electronic text is refused, or None."""
    if upload.size > ATTACHMENT_MAX_BYTES:
        return _("The file is larger than 20 MB.")
    head = upload.read(2048)
    upload.seek(0)
    name = upload.name.lower()
    for signature, extension in _SIGNATURES:
        if head.startswith(signature):
            return None if name.endswith(extension) else _("The file's content does not match its name.")
    if name.endswith(".txt") and b"\x00" not in head:
        return None
    return _("Attach a PDF, Word (.doc, .docx) or plain-text file.")


class CommentForm(forms.Form):
    body = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}))
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("why it is returned"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class EstablishmentOpinionForm(forms.Form):
    verdict = forms.ChoiceField(label=_("verdict"), choices=OpinionVerdict.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required with remarks or a disagreement."),
    )
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewSettingForm(forms.Form):
    establishment_opinion_required = forms.BooleanField(
        label=_("The establishment office's opinion is required before a catalogue is approved"), required=False,
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("spreadsheet (.xlsx or .csv)"))


class AmendmentForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("new status"), choices=[("amended", _("Amended")), ("repealed", _("Repealed"))]
    )
    effective_on = forms.DateField(label=_("effective on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("what changed"), widget=forms.Textarea(attrs={"rows": 3}))


class DeadlineForm(forms.Form):
    due_at = forms.DateTimeField(
        label=_("due at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    note = forms.CharField(label=_("note"), required=False)


class _CurrentAttachment:
    """What the file input shows for the file already there: its original name, linked to the
    scoped download (a stored file has no public URL)."""

    def __init__(self, instrument: LegalInstrument):
        self.url = reverse("basis:instrument_attachment", args=[instrument.pk])
        self.name = instrument.attachment_name or posixpath.basename(instrument.attachment.name)

    def __str__(self) -> str:
        return self.name


class AttachmentInput(forms.ClearableFileInput):
    instrument: LegalInstrument | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.instrument is not None:
            context["widget"]["value"] = _CurrentAttachment(self.instrument)
        return context


class InstrumentForm(forms.ModelForm):
    articles = forms.IntegerField(
        label=_("number of articles"),
        min_value=0,
        max_value=2000,
        required=False,
        help_text=_("Articles 1 to this number are added as provisions that entries and powers can cite."),
    )

    class Meta:
        model = LegalInstrument
        fields = [
            "code", "name", "level", "issuing_organ", "document_number", "promulgated_on", "effective_on",
            "binds_all_departments", "full_text", "attachment", "source",
        ]
        widgets = {
            "promulgated_on": forms.DateInput(attrs={"type": "date"}),
            "effective_on": forms.DateInput(attrs={"type": "date"}),
            "attachment": AttachmentInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.attachment:
            self.fields["attachment"].widget.instrument = self.instance

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment and hasattr(attachment, "size") and not getattr(attachment, "_committed", False):
            problem = attachment_problem(attachment)
            if problem:
                raise forms.ValidationError(problem)
        return attachment


_DATE = re.compile(r"^\s*(\d{4})\s*[年./\-－／．]\s*(\d{1,2})\s*[月./\-－／．]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text) -> datetime.date | None:
    """A date as departments write it: 2021-04-29, 2021年4月29日, 2021/4/29, 2021.4.29 (half or
    full width). None for empty or unreadable text; ValueError for an impossible date."""
    match = _DATE.match(str(text or "").translate(_FULL_WIDTH_DIGITS))
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class LenientDateField(forms.DateField):
    """A date field that also reads the Chinese forms (2021年4月29日) a clerk pastes in."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                parsed = parse_date(value)
            except ValueError:
                raise forms.ValidationError(_("%(value)s is not a date that exists.") % {"value": value}, code="invalid")
            if parsed is not None:
                return parsed
        return super().to_python(value)


class ProposalForm(forms.ModelForm):
    promulgated_on = LenientDateField(label=_("promulgated on"), required=False)
    effective_on = LenientDateField(label=_("effective on"), required=False)

    class Meta:
        model = InstrumentProposal
        fields = ["name", "level", "issuing_organ", "document_number", "promulgated_on", "effective_on", "note"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "wide"}),
            "issuing_organ": forms.TextInput(attrs={"class": "wide"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class _InstrumentChoice(forms.ModelChoiceField):
    """An instrument told apart from its namesakes: name, number, date in force, status."""

    def label_from_instance(self, obj):
        parts = [obj.name, obj.document_number, obj.effective_on.isoformat() if obj.effective_on else "", obj.get_status_display()]
        return " · ".join(part for part in parts if part)


class ConfirmProposalForm(forms.Form):
    articles = forms.IntegerField(
        label=_("number of articles"),
        min_value=0,
        max_value=2000,
        required=False,
        help_text=_("Articles 1 to this number are added as provisions; leave empty to register the whole instrument only."),
    )


class MergeProposalForm(forms.Form):
    instrument = _InstrumentChoice(
        label=_("the instrument in the registry"), queryset=LegalInstrument.objects.all(), widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("note to the department"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["instrument"].queryset = candidates


class RefuseProposalForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The department reads it: say what to cite instead, or what is missing."),
    )
