"""Building blocks for signing tests: a sent agreement, signature images, links from emails."""

from __future__ import annotations

import base64
import io
import re

from django.core import mail
from django.test import TestCase
from PIL import Image, ImageDraw

from agreements.lifecycle import transition
from tests.factories import ContactFactory, StaffFactory, agreement_with_clauses

LINK = re.compile(r"https?://[^\s\"<>]+/sign/([A-Za-z0-9_\-]+)/")


def signature_data_url(width: int = 600, height: int = 200, strokes: bool = True) -> str:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if strokes:
        draw = ImageDraw.Draw(image)
        draw.line(
            [(40, 150), (120, 40), (200, 160), (300, 60), (420, 140), (540, 70)], fill=(26, 61, 143, 255), width=5
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def sent_agreement(*, chairman=None, clauses: int = 2):
    """An agreement sent to two signatories: the charity's chairman and a partner contact."""
    agreement = agreement_with_clauses(clauses=clauses)
    contact = ContactFactory(partner=agreement.partner, name_ar="ممثل الشريك", email="rep@partner.example")
    chairman = chairman or StaffFactory(email="chair@charity.example", first_name="أسامة الزاير")
    with TestCase.captureOnCommitCallbacks(execute=True):
        agreement = transition(
            agreement,
            "send_for_signature",
            by=StaffFactory(),
            signatories=[
                {
                    "party": "charity",
                    "name": "أسامة الزاير",
                    "title": "رئيس مجلس الإدارة",
                    "email": chairman.email,
                    "user": chairman,
                },
                {
                    "party": "partner",
                    "contact": contact,
                    "name": contact.name_ar,
                    "title": "المدير",
                    "email": contact.email,
                },
            ],
        )
    return agreement, contact, chairman


def token_sent_to(email: str) -> str:
    """The token of the newest signing link emailed to `email`."""
    for message in reversed(mail.outbox):
        if email in message.to and (link := LINK.search(message.body)):
            return link.group(1)
    raise AssertionError(f"no signing email to {email}")


def sign_post(content_hash: str, **overrides) -> dict:
    data = {
        "action": "sign",
        "name": "ممثل الشريك",
        "title": "المدير",
        "consent": "on",
        "method": "drawn",
        "drawn": signature_data_url(),
        "typed": "",
        "content_hash": content_hash,
    }
    data.update(overrides)
    return data


CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def code_sent_to(email: str) -> str:
    """The newest one-time signing code e-mailed to `email`."""
    for message in reversed(mail.outbox):
        if email in message.to and CODE.search(message.body):
            return CODE.search(message.body).group(1)
    raise AssertionError(f"no signing code e-mailed to {email}")


def confirm_identity(client, email: str):
    """On the code page a link opened: ask for the code, read it from the e-mail, type it."""
    from django.urls import reverse

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("signing:page"), {"action": "send_code"})
    return client.post(reverse("signing:page"), {"action": "check_code", "code": code_sent_to(email)})


def open_link(client, token: str, *, confirm: bool = True):
    """Open a signing link as its signatory: the redirect to the page, then (where the agreement
    asks for it and the link works) the e-mailed code typed in. Returns the link's response."""
    from django.urls import reverse

    from agreements.models import SigningRequest
    from common.tokens import hash_token

    response = client.get(reverse("signing:link", args=[token]))
    request = SigningRequest.objects.filter(token_hash=hash_token(token)).select_related("agreement").first()
    if confirm and response.status_code == 302 and request is not None and request.agreement.signer_code_required:
        confirm_identity(client, request.email)
    return response


class triggers_off:
    """Raw SQL as a database superuser who switches triggers off for the session (the audit
    table's append-only trigger with them): what an insider with full access can do."""

    def __init__(self, cursor):
        self.cursor = cursor

    def __enter__(self):
        self.cursor.execute("SET session_replication_role = replica")
        return self.cursor

    def __exit__(self, *exc):
        self.cursor.execute("SET session_replication_role = DEFAULT")
        return False
