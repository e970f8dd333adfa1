"""Forms for plans, team members, summaries and the office's decisions. They parse; the
services decide (their ``ValidationError`` lands on the fields through ``add_error``)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import PLAN_PARTS, PlanForm, PlanKind, TeamBody, TeamRole
from .services_filings import MemberData, PlanData, SummaryData

_TEXTAREA = forms.Textarea(attrs={"rows": 4})
_PART_HELP = {
    "guiding_ideas": _("The principles the organisation follows in running the system."),
    "goals_and_tasks": _("What is to be achieved, and the tasks that achieve it."),
    "organisation_and_leadership": _("The leading group, the working body and who answers for what."),
    "steps": _("The steps, in the order of the campaign's phases."),
    "measures": _("The concrete measures for each task."),
    "time_requirements": _("When each step is to be done."),
}


class PlanEditForm(forms.Form):
    """The plan's form for its kind and form: the six parts for an own plan (with what is
    revised for a revised one), the superior's arrangement for a stationed or vertically
    managed organisation, both for a dual-managed one; the organisations covered for a
    department with authorised or entrusted bodies under it."""

    def __init__(self, *args, plan, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan.form in (PlanForm.OWN, PlanForm.BOTH):
            if plan.kind == PlanKind.REVISED:
                self.fields["revision_notes"] = forms.CharField(
                    label=_("What is revised"), widget=_TEXTAREA, required=True,
                    error_messages={"required": gettext("A revised plan says what it changes in the plan already in force.")},
                    help_text=_("This organisation already runs the system: say what this plan changes in the one in force, and why."),
                )
            for name, label in PLAN_PARTS:
                self.fields[name] = forms.CharField(
                    label=label, widget=_TEXTAREA, required=True, help_text=_PART_HELP[name],
                    error_messages={"required": gettext("Write the plan's part “%(part)s”.") % {"part": label}},
                )
            self.fields["document"] = forms.FileField(
                label=_("Plan document"), required=False,
                help_text=_("The signed plan as PDF, Word (.docx), OpenDocument or OFD, at most 20 MB; required before filing."),
            )
        if plan.form in (PlanForm.SUPERIOR, PlanForm.BOTH):
            self.fields["superior_title"] = forms.CharField(label=_("Superior's arrangement"), max_length=300, required=True,
                                                            error_messages={"required": gettext("Name the superior's arrangement this organisation follows.")},
                                                            help_text=_("The title of the superior department's arrangement."))
            self.fields["superior_issuer"] = forms.CharField(label=_("Issued by"), max_length=200, required=False)
            self.fields["superior_document"] = forms.FileField(
                label=_("Superior's arrangement document"), required=False,
                help_text=_("PDF, Word (.docx), OpenDocument or OFD, at most 20 MB."),
            )
        if candidates:
            self.fields["covered"] = forms.MultipleChoiceField(
                label=_("Authorised and entrusted organisations covered"), required=False,
                choices=[(str(o.pk), o.name) for o in candidates], widget=forms.CheckboxSelectMultiple,
                help_text=_("The department's plan includes the organisations it manages (§3(一))."),
            )
        for name in ("document", "superior_document"):
            if name in self.fields:
                self.fields[name].widget.attrs["accept"] = ".pdf,.docx,.odt,.ofd"

    @staticmethod
    def initial_for(revision) -> dict:
        if revision is None:
            return {}
        initial = {name: getattr(revision, name) for name, _label in PLAN_PARTS}
        initial.update(revision_notes=revision.revision_notes, superior_title=revision.superior_title,
                       superior_issuer=revision.superior_issuer,
                       covered=[str(pk) for pk in revision.covered.values_list("pk", flat=True)])
        return initial

    def plan_data(self) -> PlanData:
        data = self.cleaned_data
        return PlanData(
            **{name: data.get(name, "") for name, _label in PLAN_PARTS},
            revision_notes=data.get("revision_notes", ""), superior_title=data.get("superior_title", ""),
            superior_issuer=data.get("superior_issuer", ""), document=data.get("document"),
            superior_document=data.get("superior_document"), covered=[int(pk) for pk in data.get("covered", [])],
        )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, error_messages={"required": _("Give the member's name.")})
    body = forms.ChoiceField(label=_("Body"), choices=TeamBody.choices)
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)
    position = forms.CharField(label=_("Position"), max_length=100, required=False,
                               help_text=_("E.g. deputy director of the bureau."))
    phone = forms.CharField(label=_("Contact"), max_length=64, required=False, help_text=_("Telephone number."))
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, required=False, initial=0)

    @staticmethod
    def initial_for(member) -> dict:
        return {name: getattr(member, name) for name in ("name", "body", "role", "position", "phone", "order")}

    def member_data(self) -> MemberData:
        data = self.cleaned_data
        return MemberData(name=data["name"], body=data["body"], role=data["role"], position=data.get("position", ""),
                          phone=data.get("phone", ""), order=data.get("order") or 0)


class SummaryForm(forms.Form):
    text = forms.CharField(label=_("Summary of the phase's work"), widget=forms.Textarea(attrs={"rows": 10}),
                           error_messages={"required": _("Write the summary of the phase's work.")})
    problems = forms.CharField(
        label=_("Problems to report to the office"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("One problem per line; the office must answer each."),
    )
    document = forms.FileField(label=_("Attachment"), required=False,
                               help_text=_("Optional: PDF, Word (.docx), OpenDocument or OFD, at most 20 MB."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.attrs["accept"] = ".pdf,.docx,.odt,.ofd"

    def summary_data(self) -> SummaryData:
        data = self.cleaned_data
        return SummaryData(text=data["text"], document=data.get("document"),
                           problems=[line for line in data.get("problems", "").splitlines() if line.strip()])


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
