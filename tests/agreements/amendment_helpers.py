"""What a browser would post from the amendment editor: its fields read from the page, then edited."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

from django.urls import reverse

from agreements.amendments.content import changes_between, content_of
from agreements.amendments.services import amendment_create, amendment_send
from agreements.models import Amendment, SignatureChannel, SignatureMethod
from agreements.signing.services import Visitor, signature_record


class _Fields(HTMLParser):
    """The named fields of `<form id=...>` with their current values, as the browser submits them.

    Rows inside `<template>` (the empty clause and commitment the page's script copies) are
    not submitted, so they are skipped.
    """

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.in_form = self.in_template = False
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "template":
            self.in_template = True
        if self.in_template or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button"):
                return
            if kind == "checkbox":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "on")
                return
            self.values[a["name"]] = a.get("value", "") or ""
        elif tag == "select":
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
                self.values.setdefault(self._select, self._select_first)
            if "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = False
        elif tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and not self.in_template:
            self.values[self._textarea] += data


def form_fields(html: str, form_id: str = "agreement-form") -> dict[str, str]:
    parser = _Fields(form_id)
    parser.feed(html)
    values = parser.values
    # A textarea's first newline is not part of its value.
    return {k: v.removeprefix("\n") if k.endswith(("text_ar", "text_en")) else v for k, v in values.items()}


def editor_fields(client, agreement, number: int | None = None) -> dict[str, str]:
    url = (
        reverse("agreements:amendment_edit", args=[agreement.reference, number])
        if number
        else reverse("agreements:amendment_create", args=[agreement.reference])
    )
    response = client.get(url)
    assert response.status_code == 200, response
    return form_fields(response.content.decode())


def clause_prefix(fields: dict[str, str], clause_id: int) -> str:
    """The formset prefix (`clauses-1`) of the row showing the clause with this id."""
    return next(
        name.removesuffix("-key")
        for name, value in fields.items()
        if name.endswith("-key") and "commitments" not in name and value == str(clause_id)
    )


def commitment_prefix(fields: dict[str, str], commitment_id: int) -> str:
    return next(
        name.removesuffix("-key")
        for name, value in fields.items()
        if "-commitments-" in name and name.endswith("-key") and value == str(commitment_id)
    )


def add_clause(
    fields: dict[str, str], *, order: int, kind: str, text_ar: str, text_en: str = "", commitments=()
) -> str:
    index = int(fields["clauses-TOTAL_FORMS"])
    prefix = f"clauses-{index}"
    fields["clauses-TOTAL_FORMS"] = str(index + 1)
    fields.update(
        {
            f"{prefix}-key": "",
            f"{prefix}-order": str(order),
            f"{prefix}-kind": kind,
            f"{prefix}-responsible_party": "both",
            f"{prefix}-text_ar": text_ar,
            f"{prefix}-text_en": text_en,
            f"{prefix}-commitments-TOTAL_FORMS": "0",
            f"{prefix}-commitments-INITIAL_FORMS": "0",
            f"{prefix}-commitments-MIN_NUM_FORMS": "0",
            f"{prefix}-commitments-MAX_NUM_FORMS": "50",
        }
    )
    for commitment in commitments:
        add_commitment(fields, prefix, **commitment)
    return prefix


def add_commitment(fields: dict[str, str], clause: str, **values) -> str:
    index = int(fields[f"{clause}-commitments-TOTAL_FORMS"])
    prefix = f"{clause}-commitments-{index}"
    fields[f"{clause}-commitments-TOTAL_FORMS"] = str(index + 1)
    fields.update(
        {
            f"{prefix}-key": "",
            f"{prefix}-party": values.get("party", "partner"),
            f"{prefix}-description_ar": values.get("description_ar", "التزام جديد"),
            f"{prefix}-description_en": values.get("description_en", ""),
            f"{prefix}-target_quantity": str(values.get("target_quantity", 5)),
            f"{prefix}-unit": values.get("unit", "workshops"),
            f"{prefix}-due_on": values.get("due_on", "2027-06-30"),
        }
    )
    return prefix


# --- amendments through the real services: recorded, sent, signed by both parties ---------


def change_target(content, commitment_id: int, target: int):
    """`content` with one commitment's target changed."""
    return replace(
        content,
        clauses=tuple(
            replace(
                clause,
                commitments=tuple(
                    replace(m, target_quantity=target) if m.key == commitment_id else m for m in clause.commitments
                ),
            )
            for clause in content.clauses
        ),
    )


def drop_commitment(content, commitment_id: int):
    """`content` without one commitment."""
    return replace(
        content,
        clauses=tuple(
            replace(clause, commitments=tuple(m for m in clause.commitments if m.key != commitment_id))
            for clause in content.clauses
        ),
    )


def change_end(content, ends_on):
    return replace(content, ends_on=ends_on)


def signed_amendment(agreement, *, edit, effective_on, by, chairman, contact, sign=True, text_ar="تعديل الأهداف"):
    """Amendment to `agreement` whose content is `edit(current content)`, made through the real
    services: recorded, sent to the chairman and the partner's contact, and (with `sign`)
    signed by both, which makes it signed, and in force when `effective_on` has come.

    On-commit work (invitations, the addendum PDF) is not run: the tests' transaction never commits.
    """
    base = content_of(agreement)
    amendment = amendment_create(
        agreement=agreement,
        by=by,
        changes=changes_between(base, edit(base)),
        effective_on=effective_on,
        text_ar=text_ar,
        text_en="Targets amended",
    )
    amendment_send(
        amendment=amendment,
        by=by,
        signatories=[
            {"party": "charity", "name": "أسامة الزاير", "email": chairman.email, "user": chairman},
            {"party": "partner", "contact": contact, "name": contact.name_ar, "email": contact.email},
        ],
    )
    amendment.refresh_from_db()
    if sign:
        for request in amendment.signing_requests.order_by("party"):
            account = request.user_id is not None
            signature_record(
                signing_request=request,
                visitor=Visitor(user=request.user if account else None, ip="127.0.0.1"),
                channel=SignatureChannel.ACCOUNT if account else SignatureChannel.LINK,
                # A service-level shortcut: the link signer's e-mail code counts as typed.
                identity="" if account else "email_code",
                name=request.name,
                title="",
                content_hash_seen=amendment.content_hash,
                method=SignatureMethod.TYPED,
                typed_text=request.name,
            )
    return Amendment.objects.get(pk=amendment.pk)
