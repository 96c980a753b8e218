"""Where a reminder, notification or calendar event about an agreement leads its reader.

Partner users cannot open the staff pages (they are a 404 for them, see
`accounts.permissions`), and staff do not use the portal: every link is made for the
person who will follow it, here, and nowhere else.
"""

from __future__ import annotations

from django.urls import reverse

from partners.models import Contact


def agreement_path(reference: str, *, partner: bool, commitment_id: int | None = None) -> str:
    """The agreement's page for a partner user (portal) or for staff; `#commitment-<id>` opens at a commitment.

    Both pages give each commitment that id, so the link shows it whatever the agreement's
    status (the progress form may be closed; the commitment is still there to read).
    """
    path = reverse("portal:agreement" if partner else "agreements:detail", args=[reference])
    return f"{path}#commitment-{commitment_id}" if commitment_id else path


def period_report_path(report_id: int, *, partner: bool) -> str:
    """A period report's form, in the portal for a partner reader, on the staff side otherwise."""
    return reverse("portal:period_report" if partner else "agreements:period_report", args=[report_id])


def is_partner_reader(*, user, email: str, partner_id: int) -> bool:
    """True when the portal, not the staff pages, is where `user` (or `email`) reads about the partner's agreements.

    A recipient with an account is a partner user or staff by the account. Without one
    (a partner's contact not invited yet, or whose account was deactivated), an address
    among the partner's contacts gets the portal page, which asks them to log in;
    any other address gets the staff page.
    """
    if user is not None:
        return user.is_partner_user
    return Contact.objects.filter(partner_id=partner_id, email__iexact=email).exists()
