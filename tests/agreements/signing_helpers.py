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
        if email in message.to:
            return LINK.search(message.body).group(1)
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
