from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation


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
