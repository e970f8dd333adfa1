from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, OrganisationKind

from .models import Role, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong user name or password. After 5 failed attempts the account is locked for 30 minutes."
        ),
        "inactive": _("This account is disabled."),
    }


class OwnPasswordChangeForm(PasswordChangeForm):
    pass


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "role", "organisation", "is_active"]

    def __init__(self, *args, assignable_roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_active"].help_text = _("Untick to disable the account instead of deleting it.")
        self.fields["organisation"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.DEPARTMENT
        ).order_by("path")
        # Which roles the administrator may hand out is accounts.permissions' decision; whether a
        # role fits the organisation is User.clean()'s, which the ModelForm runs.
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in assignable_roles]


class UserCreateForm(UserForm):
    username = forms.CharField(label=_("user name"), max_length=150)
    password = forms.CharField(
        label=_("initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=password_validation.password_validators_help_text_html(),
    )

    class Meta(UserForm.Meta):
        fields = ["username", "password", *UserForm.Meta.fields]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(username=cleaned.get("username", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
