"""The one-time link by which an account's holder chooses the first password.

Django's password-reset token: it hashes the account's password hash, last login and e-mail with
a timestamp, so it dies once used (the password changes), expires after PASSWORD_RESET_TIMEOUT,
and cannot be forged without SECRET_KEY. Its own salt keeps it apart from any other reset link."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class InitialPasswordTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.InitialPasswordTokenGenerator"


initial_password_token = InitialPasswordTokenGenerator()


def initial_password_path(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password_set", kwargs={"uidb64": uidb64, "token": initial_password_token.make_token(user)})
