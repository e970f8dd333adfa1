import re

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^a-zA-Z0-9]"),
)


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's rule with our own message: Django 5.2 changed its msgid (``%d`` for
    ``%(min_length)d``) and its zh_Hans catalogue still has only the old one, so the refusal
    came out in English."""

    def get_error_message(self):
        return ngettext(
            "The password is too short: it must have at least %(min)d character.",
            "The password is too short: it must have at least %(min)d characters.",
            self.min_length,
        ) % {"min": self.min_length}


class CharacterClassValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, symbols.

    Written by hand: Django ships length and common-password rules but no character classes, and
    the libraries that add them bring more policy than MLPS asks for."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for pattern in _CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(
                ngettext(
                    "The password must mix at least %(min)d kind of character.",
                    "The password must mix at least %(min)d of: lower-case letters, upper-case "
                    "letters, digits and symbols.",
                    self.min_classes,
                )
                % {"min": self.min_classes},
                code="password_too_uniform",
            )

    def get_help_text(self):
        return _(
            "Use at least %(min)d of: lower-case letters, upper-case letters, digits and symbols."
        ) % {"min": self.min_classes}


class PasswordHistoryValidator:
    """The new password may not be any of the user's last ``remember`` passwords.

    Written by hand: django-password-history has seen no release since 2022, and Django's
    validator protocol already has both halves — ``validate`` before a password is set and
    ``password_changed``, which ``AbstractBaseUser.save`` calls after every ``set_password``
    wherever it happens (own change, account creation, the administrator command)."""

    def __init__(self, remember: int = 5):
        self.remember = remember

    def _previous(self, user) -> list[str]:
        from .models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.remember]
        )
        # The current password counts even if it was set before the history was kept.
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)
        return hashes[: self.remember]

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in self._previous(user)):
            raise ValidationError(
                ngettext(
                    "The new password must differ from your last password.",
                    "The new password must differ from your last %(count)d passwords.",
                    self.remember,
                )
                % {"count": self.remember},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        from .models import PasswordHistory

        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.remember :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return ngettext(
            "The new password must differ from your last password.",
            "The new password must differ from your last %(count)d passwords.",
            self.remember,
        ) % {"count": self.remember}
