from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from accounts.models import User

    from .forms import ContactFormSet, PartnerForm
    from .models import Partner


@transaction.atomic
def partner_save(*, form: PartnerForm, contacts: ContactFormSet, by: User) -> Partner:
    """Save a partner and its contacts together; the history records `by` as the author."""
    form.instance._history_user = by
    partner = form.save()
    contacts.instance = partner
    for contact in contacts.save(commit=False):
        contact._history_user = by
        contact.save()
    for contact in contacts.deleted_objects:
        contact._history_user = by
        contact.delete()
    return partner
