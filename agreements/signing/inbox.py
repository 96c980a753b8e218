"""What awaits a user's signature: the requests addressed to their account (or, for a partner's
authorised officer, to their e-mail at their own partner) whose turn has come, newest first."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ..amendments.services import AMENDABLE
from ..models import AgreementStatus, AmendmentStatus, Party, SigningRequest, SigningStatus


def awaiting_signature(user: Any) -> QuerySet[SigningRequest]:
    if user is None or not user.is_authenticated or not user.may_sign_from_account:
        return SigningRequest.objects.none()
    mine = Q(user_id=user.pk)
    if user.partner_id and user.email:
        mine |= Q(party=Party.PARTNER, agreement__partner_id=user.partner_id, email__iexact=user.email)
    waiting = Q(amendment__isnull=True, agreement__status=AgreementStatus.AWAITING_SIGNATURES) | Q(
        amendment__status=AmendmentStatus.AWAITING_SIGNATURES, agreement__status__in=AMENDABLE
    )
    # Invited (sent or opened): in order, a request waiting for its turn is not theirs yet.
    return (
        SigningRequest.objects.filter(mine, waiting, status__in=(SigningStatus.SENT, SigningStatus.OPENED))
        .select_related("agreement__partner", "amendment", "sent_by", "agreement__owner")
        .order_by("-sent_at", "-id")
    )
