from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, OrganisationKind

from .models import Role, User
from .services import user_set_initial_password


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong user name or password. After 5 failed attempts the account is locked for 30 minutes."
        ),
        "inactive": _("This account is disabled."),
        "no_role": _("This account has no approved role yet."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # A role waits for the security administrator's approval (三员分立); until then the
        # account has nothing to do here.
        if not user.role:
            raise forms.ValidationError(self.error_messages["no_role"], code="no_role")


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
        self.fields["organisation"].widget.attrs["data-searchable"] = ""  # a searchable select (app.js)
        # Which roles the administrator may hand out is accounts.permissions' decision; whether a
        # role fits the organisation is User.clean()'s, which the ModelForm runs.
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in assignable_roles]


class UserCreateForm(UserForm):
    """No password field: the holder chooses it through a one-time link mailed to the e-mail
    address, so the system administrator never knows it (三员分立)."""

    username = forms.CharField(label=_("user name"), max_length=150)

    class Meta(UserForm.Meta):
        fields = ["username", *UserForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The holder receives the link to choose a password at this address.")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username


class InitialPasswordForm(SetPasswordForm):
    """The holder's first password, through the one-time link (policy checked by the parent)."""

    def save(self, commit=True):
        self.user = user_set_initial_password(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user
