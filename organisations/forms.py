from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, SuccessionKind


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "office_function",
            "subject_kind",
            "principal",
            "stationed_provincial",
            "vertically_managed",
            "dual_managed",
            "complaint_phone",
            "supervision_phone",
            "is_active",
        ]

    def __init__(self, *args, principal_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if principal_choices is not None:
            self.fields["principal"].queryset = principal_choices
        self.fields["principal"].help_text = _("Only for an entrusted organisation.")


class OrganisationCreateForm(OrganisationForm):
    class Meta(OrganisationForm.Meta):
        fields = ["code", "kind", *OrganisationForm.Meta.fields]


class ReformForm(forms.Form):
    """An institutional reform (机构改革) of one organisation, as the establishment office records
    it from the reform plan."""

    kind = forms.ChoiceField(label=_("What happened"), choices=SuccessionKind.choices)
    successors = forms.ModelMultipleChoiceField(
        label=_("Successor organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("The organisations that take over its functions; one for a rename or a merger."),
    )
    effective_on = forms.DateField(label=_("Effective on"), widget=forms.DateInput(attrs={"type": "date"}))
    reform = forms.CharField(
        label=_("Reform and document"),
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("e.g. 2018年机构改革 陇南市机构改革方案"),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, successor_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successors"].queryset = successor_choices
