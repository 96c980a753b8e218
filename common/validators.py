"""Validators shared by the portal's models and forms."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .text import has_bidi_controls


def reject_bidi_controls(value: str) -> None:
    """Refuse text that carries invisible direction-control characters."""
    # Explicit direction controls (embeddings, overrides, isolates and marks) let a name
    # display as something other than what it is, e.g. a reversed party name on a contract.
    if has_bidi_controls(value):
        raise ValidationError(
            _("Remove the invisible text-direction characters from this field."),
            code="bidi_control",
        )


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum password length, with a message the Arabic catalogue translates.

    Django 5.2 changed its message to `%d`, which its Arabic catalogue does not translate
    yet: an Arabic page showed the refusal in English.
    """

    def get_error_message(self):
        return ngettext(
            "The password is too short: it needs at least %(min_length)d character.",
            "The password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
