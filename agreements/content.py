"""The canonical form of an agreement's content and its SHA-256.

The hash is what signatories see and sign: it is computed when the agreement is sent
for signature and checked again at every signature. The canonical form is JSON with
sorted keys and no insignificant whitespace, built only from content (never from ids,
timestamps or status), so the same content always gives the same hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from partners.models import CharityProfile

from .models import Agreement, Amendment, SigningRequest


def canonical_content(agreement: Agreement, signatories: list[SigningRequest] | None = None) -> dict[str, Any]:
    charity = CharityProfile.load()
    clauses = agreement.clauses.order_by("order").prefetch_related("commitments")
    return {
        "reference": agreement.reference,
        "title": {"ar": agreement.title_ar, "en": agreement.title_en},
        "summary": {"ar": agreement.summary_ar, "en": agreement.summary_en},
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "renewal_notice_days": agreement.renewal_notice_days,
        "renews": agreement.renews.reference if agreement.renews_id else None,
        "parties": {
            "charity": {"ar": charity.name_ar, "en": charity.name_en},
            "partner": {"ar": agreement.partner.name_ar, "en": agreement.partner.name_en},
        },
        "signatories": sorted(
            [{"party": s.party, "name": s.name, "title": s.title, "email": s.email.lower()} for s in signatories or []],
            key=lambda s: (s["party"], s["email"], s["name"]),
        ),
        "clauses": [
            {
                "order": clause.order,
                "kind": clause.kind,
                "responsible": clause.responsible_party,
                "text": {"ar": clause.text_ar, "en": clause.text_en},
                "commitments": sorted(
                    [
                        {
                            "party": c.party,
                            "description": {"ar": c.description_ar, "en": c.description_en},
                            "target": c.target_quantity,
                            "unit": c.unit,
                            "due_on": c.due_on.isoformat(),
                        }
                        for c in clause.commitments.all()
                    ],
                    key=lambda c: json.dumps(c, sort_keys=True, ensure_ascii=False),
                ),
            }
            for clause in clauses
        ],
    }


def amendment_content(amendment: Amendment, signatories: list[SigningRequest] | None = None) -> dict[str, Any]:
    return {
        "agreement": amendment.agreement.reference,
        "agreement_hash": amendment.agreement.content_hash,
        "number": amendment.number,
        "title": {"ar": amendment.title_ar, "en": amendment.title_en},
        "text": {"ar": amendment.text_ar, "en": amendment.text_en},
        # The change set, with the old values it changes: what the parties sign.
        "changes": amendment.changes,
        "effective_on": amendment.effective_on.isoformat(),
        "signatories": sorted(
            [{"party": s.party, "name": s.name, "title": s.title, "email": s.email.lower()} for s in signatories or []],
            key=lambda s: (s["party"], s["email"], s["name"]),
        ),
    }


def sha256_of(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
