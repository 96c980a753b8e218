"""The audit trail: append events to an agreement's hash chain, and verify the chain."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit_keys import current
from .models import Agreement, AuditEvent, SigningRequest
from .models.signing import GENESIS


def audit_record(
    *,
    agreement: Agreement,
    kind: str,
    actor: Any = None,
    actor_label: str = "",
    signing_request: SigningRequest | None = None,
    ip: str | None = None,
    user_agent: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the agreement's chain.

    The agreement row is locked while the event is numbered and chained, so events
    written at the same instant (two signatures) get consecutive numbers and each
    chains onto the other, never onto the same predecessor.
    """
    with transaction.atomic():
        head = Agreement.objects.select_for_update().only("id", "audit_head", "audit_count").get(pk=agreement.pk)
        if actor is not None and not actor_label:
            actor_label = actor.display_name
        event = AuditEvent(
            agreement_id=head.pk,
            sequence=head.audit_count + 1,
            kind=kind,
            signing_request=signing_request,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_label=actor_label[:300],
            at=timezone.now(),
            ip=ip,
            user_agent=(user_agent or "")[:500],
            details=details or {},
            prev_hash=head.audit_head,
            key_id=current()[0],
        )
        event.hash = event.compute_hash()
        event.save()
        Agreement.objects.filter(pk=head.pk).update(audit_head=event.hash, audit_count=event.sequence)
    return event


@dataclass
class ChainCheck:
    ok: bool
    count: int
    problems: list[str] = field(default_factory=list)


def audit_verify(agreement: Agreement) -> ChainCheck:
    """Recompute the chain; report any edited, deleted, inserted or reordered event."""
    stored = Agreement.objects.only("audit_head", "audit_count").get(pk=agreement.pk)
    events = list(AuditEvent.objects.filter(agreement_id=agreement.pk).order_by("sequence", "id"))
    problems: list[str] = []
    previous = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.sequence != expected:
            problems.append(f"event #{event.sequence}: expected number {expected} (an event is missing or moved)")
        if event.prev_hash != previous:
            problems.append(f"event #{event.sequence}: does not follow the event before it")
        recomputed = event.compute_hash()
        if recomputed is None:
            problems.append(
                f"event #{event.sequence}: made with key {event.key_id or '(none)'}, which this server lacks"
            )
        elif not hmac.compare_digest(recomputed, event.hash):
            problems.append(f"event #{event.sequence}: its content was changed after it was written")
        previous = event.hash
    if len(events) != stored.audit_count:
        problems.append(f"the trail has {len(events)} events, the agreement recorded {stored.audit_count}")
    if previous != stored.audit_head:
        problems.append("the last event is not the one the agreement recorded (events removed at the end?)")
    return ChainCheck(ok=not problems, count=len(events), problems=problems)


def _hashes_in(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_hashes_in(v) for v in value.values())) if value else set()
    return {value} if isinstance(value, str) else set()


def sealed_pdfs_verify(agreement: Agreement) -> list[str]:
    """Each stored sealed PDF against the trail: the event that issued it names its SHA-256,
    and the stored bytes still have it. Returns the problems found."""
    from .models import AuditKind, SignedPdf

    issued = set()
    for details in AuditEvent.objects.filter(
        agreement_id=agreement.pk, kind__in=[AuditKind.PDF_ISSUED, AuditKind.ADDENDUM_ISSUED]
    ).values_list("details", flat=True):
        issued |= _hashes_in(details.get("sha256", {}))
    problems = []
    for pdf in SignedPdf.objects.filter(agreement_id=agreement.pk).order_by("pk"):
        name = pdf.file.name
        if pdf.sha256 not in issued:
            problems.append(f"{name}: no event of the trail issued a PDF with its recorded SHA-256")
        try:
            with pdf.file.open("rb") as handle:
                found = hashlib.sha256(handle.read()).hexdigest()
        except FileNotFoundError:
            problems.append(f"{name}: the stored file is missing")
            continue
        if found != pdf.sha256:
            problems.append(f"{name}: the stored file was changed after it was sealed")
    return problems
