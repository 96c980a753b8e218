"""Redis goes away for a minute while agreements are signed: people can still sign, and every
PDF and email queued meanwhile is made once Redis is back — nothing lost, nothing twice.

The Redis is the test's own and comes back empty (no persistence), so even the message that
was already in its queue is lost with it and must be published again from the outbox.
"""

from __future__ import annotations

import os
import time

import pytest

from agreements.models import Agreement, AgreementStatus, AuditEvent, PdfStatus, SignedPdf
from outbox.models import OutboxMessage
from tests.agreements.signing_helpers import sent_agreement, sign_post, token_sent_to
from tests.browser.fixtures import newest_code
from tests.factories import StaffFactory
from tests.stack import Stack

from .conftest import Browser


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = int(os.environ.get("FAULT_REDIS_OUTAGE_SECONDS", "60"))


def opened(stack: Stack, link: tuple[str, str]) -> Browser:
    """The signatory opens their link and types the code e-mailed to them: the code is sent by
    the web process itself, so it arrives while Redis is down too."""
    token, address = link
    person = Browser(stack.url, stack.tls())
    status, _page = person.get(f"/sign/{token}/")  # follows the redirect to /sign/
    assert status == 200, stack.logs()
    before = {m["Message-ID"] for m in stack.emails()}
    status, page = person.post("/sign/", {"action": "send_code"})
    assert status == 200 and 'data-testid="code-input"' in page, page[:3000]
    # The partners of all four agreements share one address: the code is in the new message.
    (sent,) = [m for m in stack.emails() if m["Message-ID"] not in before and m["To"] == address]
    code = newest_code([body(sent)])
    assert code, f"no code e-mailed to {address}"
    status, page = person.post("/sign/", {"action": "check_code", "code": code})
    assert status == 200 and 'data-testid="code-page"' not in page, page[:3000]
    return person


def sign(stack: Stack, link: tuple[str, str], agreement: Agreement, name: str) -> int:
    person = opened(stack, link)
    status, page = person.post("/sign/", sign_post(agreement.content_hash, name=name, method="typed", typed=name))
    assert "سُجّل توقيعك" in page, page[:3000]
    return status


def decline(stack: Stack, link: tuple[str, str]) -> int:
    person = opened(stack, link)
    status, _page = person.post("/sign/", {"action": "decline", "reason": "نحتاج إلى مراجعة البند الثالث"})
    return status


def test_signing_while_redis_is_down_then_every_pdf_and_email_once(stack_on_test_db, own_redis, settings, mailoutbox):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    # Hashed so that the web process (default hashers) can check it.
    StaffFactory(username="staff-outage", password="outage-pass-2026")
    # Four agreements sent for signature; each one's two links, from the invitations.
    agreements, tokens = [], {}
    for number in range(4):
        mailoutbox.clear()
        agreement, _contact, chairman = sent_agreement(chairman=StaffFactory(email=f"chair{number}@charity.example"))
        agreements.append(agreement)
        tokens[agreement.pk] = {
            "partner": (token_sent_to("rep@partner.example"), "rep@partner.example"),
            "charity": (token_sent_to(chairman.email), chairman.email),
        }
    first, during_a, during_b, declined = agreements

    stack = stack_on_test_db(own_redis.url, OUTBOX_DRAIN_INTERVAL="2", OUTBOX_REDELIVER_AFTER="15")
    stack.start("web")
    stack.start("beat")
    stack.wait_ready()

    # 1. Before the outage, with no worker yet: the first agreement's PDF job reaches Redis...
    for party in ("partner", "charity"):
        sign(stack, tokens[first.pk][party], first, name=party)
    stack.wait_for(
        lambda: (
            OutboxMessage.objects.filter(task="agreements.render_signed_pdf", published_at__isnull=False).count() == 1
        ),
        timeout=20,
        what="the first PDF job published",
    )

    # 2. ...and is lost with it: Redis goes away, its memory with it.
    own_redis.stop()
    outage_started = time.monotonic()
    stack.start("worker")  # a worker that starts while Redis is down waits for it

    # 3. During the outage people sign and decline; staff work in the portal.
    for agreement in (during_a, during_b):
        for party in ("partner", "charity"):
            assert sign(stack, tokens[agreement.pk][party], agreement, name=party) == 200
    assert decline(stack, tokens[declined.pk]["partner"]) == 200
    staff_member = Browser(stack.url, stack.tls())
    staff_member.login("staff-outage", "outage-pass-2026")
    for path in ("/", "/agreements/", f"/agreements/{during_a.reference}/"):
        status, _page = staff_member.get(path)
        assert status == 200, path

    for agreement in (first, during_a, during_b):
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.ACTIVE
        assert agreement.pdf_status == PdfStatus.PENDING
    waiting = OutboxMessage.objects.filter(published_at__isnull=True, done_at__isnull=True)
    assert sorted(waiting.values_list("task", flat=True)) == sorted(
        ["agreements.render_signed_pdf"] * 2 + ["agreements.tasks.notify_decline"]
    )
    assert all("publish" in m.error for m in waiting)

    time.sleep(max(0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
    own_redis.start()  # back, empty

    # 4. Everything queued is made: three agreements' PDFs, their emails, the decline notice.
    signed = [first, during_a, during_b]

    def all_done():
        return (
            all(Agreement.objects.get(pk=a.pk).pdf_status == PdfStatus.READY for a in signed)
            and not OutboxMessage.objects.filter(done_at__isnull=True).exists()
        )

    stack.wait_for(all_done, timeout=180, what="every PDF and email after Redis came back")
    time.sleep(6)  # a few more drains: a copy published twice would run now

    for agreement in signed:
        assert sorted(SignedPdf.objects.filter(agreement=agreement).values_list("language", flat=True)) == ["ar", "en"]
        assert AuditEvent.objects.filter(agreement=agreement, kind="pdf_issued").count() == 1
    every = stack.emails()
    # Seven signatories opened their links during or around the outage: each had a code at once.
    codes = [m for m in every if "Your signing code" in m["Subject"]]
    assert len(codes) == 7, [m["Subject"] for m in every]
    emails = [m for m in every if m not in codes]
    for agreement in signed:
        # One message to each of the two signatories, with the two PDFs.
        with_pdf = [m for m in emails if f"{agreement.reference}-ar.pdf" in _attachments(m)]
        assert len(with_pdf) == 2, [m["Subject"] for m in emails]
        for message in with_pdf:
            assert sorted(_attachments(message)) == [f"{agreement.reference}-ar.pdf", f"{agreement.reference}-en.pdf"]
    assert len([m for m in emails if declined.reference in m["Subject"]]) == 1
    assert len(emails) == 7
    assert not OutboxMessage.objects.filter(runs__gt=1).exists()


def _attachments(message) -> list[str]:
    return [part.get_filename() for part in message.iter_attachments()]
