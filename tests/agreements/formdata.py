"""POST bodies for the agreement editor (header + clause formset + nested commitments)."""

from __future__ import annotations

from typing import Any


def agreement_post(
    *,
    partner_id: int,
    title_ar: str = "اتفاقية اختبار",
    starts_on: str = "2026-12-01",
    ends_on: str = "2027-11-30",
    clauses: list[dict[str, Any]] | None = None,
    initial_clauses: int = 0,
    **header: Any,
) -> dict[str, str]:
    """Each clause dict: order, kind, text_ar, responsible_party, id?, DELETE?, commitments: [dict]."""
    data = {
        "title_ar": title_ar,
        "title_en": header.pop("title_en", ""),
        "partner": str(partner_id),
        "owner": header.pop("owner", ""),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "term_calendar": header.pop("term_calendar", "gregorian"),
        "renewal_notice_days": str(header.pop("renewal_notice_days", 90)),
        "summary_ar": header.pop("summary_ar", ""),
        "summary_en": header.pop("summary_en", ""),
    }
    clauses = clauses or []
    data.update(
        {
            "clauses-TOTAL_FORMS": str(len(clauses)),
            "clauses-INITIAL_FORMS": str(initial_clauses),
            "clauses-MIN_NUM_FORMS": "0",
            "clauses-MAX_NUM_FORMS": "1000",
        }
    )
    for i, clause in enumerate(clauses):
        prefix = f"clauses-{i}"
        commitments = clause.get("commitments", [])
        data.update(
            {
                f"{prefix}-id": str(clause.get("id", "")),
                f"{prefix}-order": str(clause.get("order", i + 1)),
                f"{prefix}-kind": clause.get("kind", "training"),
                f"{prefix}-responsible_party": clause.get("responsible_party", "both"),
                f"{prefix}-text_ar": clause.get("text_ar", f"نص البند {i + 1}"),
                f"{prefix}-text_en": clause.get("text_en", ""),
                f"{prefix}-commitments-TOTAL_FORMS": str(len(commitments)),
                f"{prefix}-commitments-INITIAL_FORMS": str(clause.get("initial_commitments", 0)),
                f"{prefix}-commitments-MIN_NUM_FORMS": "0",
                f"{prefix}-commitments-MAX_NUM_FORMS": "1000",
            }
        )
        if clause.get("DELETE"):
            data[f"{prefix}-DELETE"] = "on"
        for j, commitment in enumerate(commitments):
            cprefix = f"{prefix}-commitments-{j}"
            data.update(
                {
                    f"{cprefix}-id": str(commitment.get("id", "")),
                    f"{cprefix}-party": commitment.get("party", "partner"),
                    f"{cprefix}-description_ar": commitment.get("description_ar", "تدريب المستفيدين"),
                    f"{cprefix}-description_en": commitment.get("description_en", ""),
                    f"{cprefix}-target_quantity": str(commitment.get("target_quantity", 20)),
                    f"{cprefix}-unit": commitment.get("unit", "trainees"),
                    f"{cprefix}-due_on": commitment.get("due_on", "2027-06-30"),
                }
            )
            if commitment.get("DELETE"):
                data[f"{cprefix}-DELETE"] = "on"
    return data
