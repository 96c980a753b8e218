"""A link signer proves their mailbox with an e-mailed code; signatories sign in the chosen order;
each signatory with an account finds what awaits them.

Every path goes through the pages a signer uses (the link, the code page, the signing page),
with the codes read from the e-mails they receive.
"""

from __future__ import annotations

import datetime
import socket

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from freezegun import freeze_time

from agreements.lifecycle import transition
from agreements.models import AuditEvent, SigningRequest, SigningStatus
from agreements.signing import services as signing_services
from tests.agreements.signing_helpers import (
    code_sent_to,
    open_link,
    sent_agreement,
    sign_post,
    token_sent_to,
)
from tests.factories import ContactFactory, PartnerUserFactory, StaffFactory, agreement_with_clauses

pytestmark = pytest.mark.django_db

PARTNER = "rep@partner.example"
PAGE = "signing:page"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ask_for_code(client):
    return client.post(reverse(PAGE), {"action": "send_code"}, follow=True)


def type_code(client, code: str):
    return client.post(reverse(PAGE), {"action": "check_code", "code": code}, follow=True)


def page_text(response) -> str:
    return response.content.decode()


def signed_identity(request: SigningRequest) -> str:
    """How the signer was checked, as the audit trail's signature event records it."""
    return AuditEvent.objects.get(signing_request=request, kind="signed").details["identity"]


def test_a_link_shows_the_code_page_not_the_agreement_until_the_emailed_code_is_typed():
    agreement, _contact, _chairman = sent_agreement()
    clause_text = agreement.clauses.first().text_ar
    agreement_client = Client()
    open_link(agreement_client, token_sent_to(PARTNER), confirm=False)
    page = agreement_client.get(reverse(PAGE))
    assert 'data-testid="code-page"' in page_text(page)
    assert clause_text not in page_text(page)
    assert "r•••@partner.example" in page_text(page)
    # Posting a signature straight away, past the code page, signs nothing.
    agreement_client.post(reverse(PAGE), sign_post(agreement.content_hash))
    assert not SigningRequest.objects.filter(email=PARTNER, status=SigningStatus.SIGNED).exists()

    mail.outbox.clear()
    after = ask_for_code(agreement_client)
    # The code was e-mailed before the page came back: the input is on it at once.
    assert 'data-testid="code-input"' in page_text(after)
    assert [m.to for m in mail.outbox] == [[PARTNER]]
    code = code_sent_to(PARTNER)
    assert code not in page_text(after)
    confirmed = type_code(agreement_client, code)
    assert clause_text in page_text(confirmed)
    assert 'data-testid="code-page"' not in page_text(confirmed)
    request = SigningRequest.objects.get(email=PARTNER)
    assert request.identity_checked_at is not None and request.code_hash == ""
    assert AuditEvent.objects.filter(agreement=agreement, kind="identity_checked").count() == 1

    agreement_client.post(reverse(PAGE), sign_post(agreement.content_hash))
    request.refresh_from_db()
    assert request.status == SigningStatus.SIGNED
    assert signed_identity(request) == "email_code"


def test_the_code_is_stored_only_as_a_keyed_hash_and_works_once(client):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to(PARTNER), confirm=False)
    ask_for_code(client)
    code = code_sent_to(PARTNER)
    request = SigningRequest.objects.get(email=PARTNER)
    assert request.code_hash and code not in request.code_hash
    type_code(client, code)
    # A second browser with the same link (forwarded) must ask for its own code: the first
    # browser's confirmation does not travel with the link, and the used code is spent.
    other = Client()
    open_link(other, token_sent_to(PARTNER), confirm=False)
    again = type_code(other, code)
    assert 'data-testid="code-page"' in page_text(again)
    assert "انتهت صلاحية الرمز" in page_text(again)
    assert agreement.clauses.first().text_ar not in page_text(again)


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # Arabic keyboard
        lambda code: code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),  # Persian digits
        lambda code: f" {code[:3]} {code[3:]} ",  # spaced as in the e-mail
    ],
    ids=["arabic-indic", "extended-arabic-indic", "spaced"],
)
def test_the_code_is_accepted_as_arabic_keyboards_and_people_type_it(client, typed):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to(PARTNER), confirm=False)
    ask_for_code(client)
    confirmed = type_code(client, typed(code_sent_to(PARTNER)))
    assert agreement.clauses.first().text_ar in page_text(confirmed)


def test_wrong_codes_count_down_then_lock_the_link_and_the_right_code_no_longer_works(client, settings):
    settings.SIGNER_CODE_TRIES = 3
    settings.SIGNER_CODE_LOCK_MINUTES = 15
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to(PARTNER), confirm=False)
    ask_for_code(client)
    right = code_sent_to(PARTNER)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    first = type_code(client, wrong)
    assert "رمز خاطئ. بقيت محاولتان." in page_text(first)  # two tries left: the dual
    second = type_code(client, wrong)
    assert "بقيت محاولة واحدة" in page_text(second)
    locked = type_code(client, wrong)
    assert 'data-testid="code-locked"' in page_text(locked)
    assert "15 دقيقة" in page_text(locked)  # 11 and more: singular accusative
    assert AuditEvent.objects.filter(agreement=agreement, kind="code_locked").count() == 1
    # Locked: the right code is refused and no new code can be asked for.
    assert agreement.clauses.first().text_ar not in page_text(type_code(client, right))
    mail.outbox.clear()
    ask_for_code(client)
    assert mail.outbox == []

    # Sixteen minutes later the lock is over; a new code (not the old one) opens the agreement.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=16)
    with freeze_time(later):
        assert 'data-testid="code-locked"' not in page_text(client.get(reverse(PAGE)))
        assert agreement.clauses.first().text_ar not in page_text(type_code(client, right))
        ask_for_code(client)
        fresh = code_sent_to(PARTNER)
        assert agreement.clauses.first().text_ar in page_text(type_code(client, fresh))


def test_a_code_expires_after_its_minutes(client, settings):
    settings.SIGNER_CODE_MINUTES = 10
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to(PARTNER), confirm=False)
    ask_for_code(client)
    code = code_sent_to(PARTNER)
    with freeze_time(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=11)):
        late = type_code(client, code)
    assert agreement.clauses.first().text_ar not in page_text(late)
    assert "انتهت صلاحية الرمز" in page_text(late)
    request = SigningRequest.objects.get(email=PARTNER)
    assert request.code_failures == 0  # an expired code is not a wrong guess


def test_codes_are_throttled_and_limited_per_link(client, settings):
    settings.SIGNER_CODE_RESEND_SECONDS = 60
    settings.SIGNER_CODE_MAX_SENT = 2
    sent_agreement()
    open_link(client, token_sent_to(PARTNER), confirm=False)
    mail.outbox.clear()
    ask_for_code(client)
    again = ask_for_code(client)
    assert len(mail.outbox) == 1
    assert "ثانية" in page_text(again)  # "ask for another in N seconds"
    start = datetime.datetime.now(datetime.UTC)
    with freeze_time(start + datetime.timedelta(seconds=61)):
        ask_for_code(client)
        assert len(mail.outbox) == 2
    with freeze_time(start + datetime.timedelta(seconds=200)):
        refused = ask_for_code(client)
        assert len(mail.outbox) == 2
        assert "لا يمكن إرسال رموز أخرى" in page_text(refused)
        assert 'data-testid="code-send"' not in page_text(refused)


def test_a_resent_link_ends_the_session_the_old_link_opened(client):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to(PARTNER))  # confirmed by code
    assert agreement.clauses.first().text_ar in page_text(client.get(reverse(PAGE)))
    request = SigningRequest.objects.get(email=PARTNER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        signing_services.signing_resend(signing_request=request, by=StaffFactory())
    gone = client.get(reverse(PAGE))
    assert gone.status_code == 404
    # The new link asks for a new code: the confirmation was for the old link.
    open_link(client, token_sent_to(PARTNER), confirm=False)
    assert 'data-testid="code-page"' in page_text(client.get(reverse(PAGE)))


def test_declining_needs_the_code_too(client):
    sent_agreement()
    open_link(client, token_sent_to(PARTNER), confirm=False)
    decline = {"action": "decline", "reason": "نحتاج إلى مراجعة البند الثالث"}
    client.post(reverse(PAGE), decline)
    assert SigningRequest.objects.get(email=PARTNER).status != SigningStatus.DECLINED
    ask_for_code(client)
    type_code(client, code_sent_to(PARTNER))
    client.post(reverse(PAGE), decline)
    assert SigningRequest.objects.get(email=PARTNER).status == SigningStatus.DECLINED


def test_with_the_code_switched_off_the_link_opens_the_agreement(client):
    agreement = agreement_with_clauses(clauses=1)
    contact = ContactFactory(partner=agreement.partner, email=PARTNER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        agreement = transition(
            agreement,
            "send_for_signature",
            by=StaffFactory(),
            signer_code_required=False,
            signatories=[
                {"party": "charity", "name": "الرئيس", "title": "", "email": "chair@charity.example"},
                {"party": "partner", "contact": contact, "name": "ممثل", "title": "", "email": PARTNER},
            ],
        )
    open_link(client, token_sent_to(PARTNER), confirm=False)
    page = client.get(reverse(PAGE))
    assert agreement.clauses.first().text_ar in page_text(page)
    done = client.post(reverse(PAGE), sign_post(agreement.content_hash, name="ممثل"))
    assert "سُجّل توقيعك" in page_text(done)
    assert signed_identity(SigningRequest.objects.get(email=PARTNER)) == "link"


def test_a_mail_server_that_refuses_leaves_nothing_counted_and_says_so(client, settings):
    sent_agreement()
    open_link(client, token_sent_to(PARTNER), confirm=False)
    # A real SMTP backend pointed at a port where nothing listens.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    failed = ask_for_code(client)
    assert failed.status_code == 200
    assert "تعذّر إرسال الرمز" in page_text(failed)
    request = SigningRequest.objects.get(email=PARTNER)
    assert (request.codes_sent, request.code_hash, request.code_sent_at) == (0, "", None)
    assert not AuditEvent.objects.filter(kind="code_sent").exists()


def _in_order(order: str):
    agreement = agreement_with_clauses(clauses=1)
    contact = ContactFactory(partner=agreement.partner, email=PARTNER)
    chairman = StaffFactory(email="chair@charity.example")
    with TestCase.captureOnCommitCallbacks(execute=True):
        agreement = transition(
            agreement,
            "send_for_signature",
            by=StaffFactory(),
            signing_order=order,
            signer_code_required=False,
            signatories=[
                {"party": "charity", "name": "الرئيس", "title": "", "email": chairman.email, "user": chairman},
                {"party": "partner", "contact": contact, "name": "ممثل", "title": "", "email": PARTNER},
            ],
        )
    return agreement, chairman


def test_in_order_the_second_signatory_is_invited_only_when_the_first_has_signed(client):
    agreement, chairman = _in_order("partner_first")
    assert [m.to for m in mail.outbox] == [[PARTNER]]  # the charity waits its turn
    charity = SigningRequest.objects.get(email=chairman.email)
    assert (charity.status, charity.position) == (SigningStatus.PENDING, 2)
    # The chairman, from his account, is told whose turn it is, and cannot sign yet.
    client.force_login(chairman)
    early = client.get(reverse("agreements:sign", args=[agreement.reference]))
    assert 'data-testid="not-your-turn"' in page_text(early) and "ممثل" in page_text(early)
    assert 'data-testid="sign-button"' not in page_text(early)
    refused = client.post(
        reverse("agreements:sign", args=[agreement.reference]), sign_post(agreement.content_hash, name="الرئيس")
    )
    assert refused.status_code == 302
    charity.refresh_from_db()
    assert (charity.status, charity.opened_at) == (SigningStatus.PENDING, None)  # opening early invites nothing
    partner = Client()
    open_link(partner, token_sent_to(PARTNER))
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        partner.post(reverse(PAGE), sign_post(agreement.content_hash, name="ممثل"))
    assert [m.to for m in mail.outbox] == [[chairman.email]]
    charity.refresh_from_db()
    assert charity.status == SigningStatus.SENT
    # Now it is in the chairman's inbox, with the way to sign it.
    home = page_text(client.get(reverse("home")))
    assert 'data-testid="awaiting-signature"' in home
    assert reverse("agreements:sign", args=[agreement.reference]) in home


def test_the_inbox_lists_what_awaits_a_signatory_whose_turn_has_come(client):
    agreement, chairman = _in_order("charity_first")
    client.force_login(chairman)
    home = client.get(reverse("home"))
    assert agreement.reference in page_text(home)
    assert 'data-testid="awaiting-signature"' in page_text(home)
    # A partner user of the same partner with the signatory's address has nothing to sign yet…
    partner_user = PartnerUserFactory(partner=agreement.partner, email=PARTNER, partner_role="officer")
    other = Client()
    other.force_login(partner_user)
    assert 'data-testid="awaiting-signature"' not in page_text(other.get(reverse("portal:home")))
    # …and once the chairman has signed from his account, it is theirs.
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("agreements:sign", args=[agreement.reference]),
            sign_post(agreement.content_hash, name="الرئيس"),
        )
    assert SigningRequest.objects.get(email=chairman.email).status == SigningStatus.SIGNED
    assert 'data-testid="awaiting-signature"' not in page_text(client.get(reverse("home")))
    portal_home = page_text(other.get(reverse("portal:home")))
    assert 'data-testid="awaiting-signature"' in portal_home
    assert reverse("agreements:sign", args=[agreement.reference]) in portal_home


def _end_by(way: str, agreement, request, other_client):
    """End a signing link the way staff, the signatory or time end it."""
    staff = StaffFactory()
    with TestCase.captureOnCommitCallbacks(execute=True):
        if way == "sign":  # the signatory signs in another tab, then posts again from this one
            other_client.post(reverse(PAGE), sign_post(agreement.content_hash))
        elif way == "decline":
            other_client.post(reverse(PAGE), {"action": "decline", "reason": "لا نوافق على البند الثاني"})
        elif way == "revoke":
            signing_services.signing_revoke(signing_request=request, by=staff)
        elif way == "resend":
            signing_services.signing_resend(signing_request=request, by=staff)
        elif way == "recall":
            transition(agreement, "recall", by=staff)


@pytest.mark.parametrize("way", ["sign", "decline", "revoke", "resend", "recall", "expiry"])
def test_every_way_a_link_ends_ends_the_browser_session_it_opened(way, settings):
    """A browser that opened the link (and typed its code) before the link ended can no longer
    sign from it: the session remembers the token, and the request's current token must match."""
    agreement, _contact, _chairman = sent_agreement()
    token = token_sent_to(PARTNER)
    before = Client()
    open_link(before, token)
    assert agreement.clauses.first().text_ar in page_text(before.get(reverse(PAGE)))
    # Signing or declining happens in another tab of the same browser (the same session).
    other = before
    request = SigningRequest.objects.get(email=PARTNER)
    later = datetime.datetime.now(datetime.UTC)
    if way == "expiry":
        later = request.token_expires_at + datetime.timedelta(minutes=1)
    else:
        _end_by(way, agreement, request, other)
    status_before = SigningRequest.objects.get(pk=request.pk).status
    with freeze_time(later):
        gone = before.get(reverse(PAGE))
        assert gone.status_code == 404
        after = before.post(reverse(PAGE), sign_post(agreement.content_hash, name="ممثل الشريك"))
    assert after.status_code == 404
    assert SigningRequest.objects.get(pk=request.pk).status == status_before
    signatures = AuditEvent.objects.filter(signing_request=request, kind="signed").count()
    assert signatures == (1 if way == "sign" else 0)
