"""Signing order: everyone at once, or one after another (the partner first, or the charity).

Each signing request has a position: all 1 when everyone signs at once, 1, 2, 3… in order.
Only the requests at the lowest position still open are invited; the next is invited when
the one before has signed (`invite_due`, in the signature's transaction). Reminders go
only to requests already invited, so they follow the order too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from outbox.services import outbox_enqueue

from ..models import Party, SigningOrder, SigningRequest, SigningStatus
from ..models.signing import OPEN_SIGNING_STATUSES


def positions(signatories: list[dict[str, Any]], order: str) -> list[int]:
    """The position of each signatory (in the order given) under `order`."""
    if order == SigningOrder.PARALLEL:
        return [1] * len(signatories)
    first = Party.PARTNER if order == SigningOrder.PARTNER_FIRST else Party.CHARITY
    ranked = sorted(range(len(signatories)), key=lambda i: (signatories[i]["party"] != first, i))
    result = [0] * len(signatories)
    for place, index in enumerate(ranked, start=1):
        result[index] = place
    return result


def _open(agreement_id: int, amendment_id: int | None):
    return SigningRequest.objects.filter(
        agreement_id=agreement_id, amendment_id=amendment_id, status__in=OPEN_SIGNING_STATUSES
    )


def invite_due(agreement_id: int, amendment_id: int | None = None) -> list[int]:
    """Invite the requests whose turn it is and who were never invited; returns their ids."""
    from ..tasks import invite_signatory

    open_requests = list(_open(agreement_id, amendment_id).order_by("position", "pk"))
    if not open_requests:
        return []
    turn = open_requests[0].position
    due = [r.pk for r in open_requests if r.position == turn and r.status == SigningStatus.PENDING and not r.sent_at]
    for pk in due:
        outbox_enqueue(task=invite_signatory, args=[pk])
    return due


def waiting_for(request: SigningRequest) -> list[SigningRequest]:
    """The open requests that must be signed before this one (empty: its turn)."""
    return list(
        _open(request.agreement_id, request.amendment_id).filter(position__lt=request.position).order_by("position")
    )


def turn_refusal(request: SigningRequest) -> str:
    """Why this signatory cannot sign yet (in order), or ""."""
    before = waiting_for(request)
    if not before:
        return ""
    return _("It is not your turn yet: %(names)s must sign first. You will receive an e-mail when it is.") % {
        "names": "، ".join(r.name for r in before)
    }
