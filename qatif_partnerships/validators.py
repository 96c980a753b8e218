"""Validators shared by the portal's models."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
