import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^a-zA-Z0-9]"),
)


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
