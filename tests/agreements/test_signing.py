"""Signing by personal link and from an account; tokens, signature checks, audit trail."""

import base64
import hashlib
import io
import json
import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from agreements.audit import audit_verify
from agreements.lifecycle import transition
from agreements.models import Agreement, AgreementStatus, AuditEvent, Signature, SigningRequest, SigningStatus
from tests.agreements.signing_helpers import (
    code_sent_to,
    open_link,
    sent_agreement,
    sign_post,
    signature_data_url,
    token_sent_to,
    triggers_off,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def partner_signs(client, agreement, **overrides):
    token = token_sent_to("rep@partner.example")
    assert open_link(client, token).status_code == 302
    return client.post(reverse("signing:page"), sign_post(agreement.content_hash, **overrides))


def test_sending_emails_each_signatory_a_personal_link_stored_only_as_a_hash():
    _agreement, _contact, chairman = sent_agreement()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([chairman.email, "rep@partner.example"])
    message = next(m for m in mail.outbox if m.to == ["rep@partner.example"])
    assert "طلب توقيع" in message.subject and "Please sign" in message.subject
    assert "يرجى" in message.body or "عزيزي" in message.body or "ممثل الشريك" in message.body
    assert "Dear" in message.body  # English below the Arabic
    token = token_sent_to("rep@partner.example")
    assert len(base64.urlsafe_b64decode(token + "==")) >= 16  # at least 128 bits
    request = SigningRequest.objects.get(email="rep@partner.example")
    assert request.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(SigningRequest.objects.values()), default=str)
    assert request.status == SigningStatus.SENT


def test_link_opens_the_page_without_the_token_in_the_address(client):
    agreement, _contact, _chairman = sent_agreement()
    token = token_sent_to("rep@partner.example")
    response = open_link(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("signing:page")
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(reverse("signing:page"))
    body = page.content.decode()
    assert page.status_code == 200
    assert agreement.content_hash in body
    assert agreement.title_ar in body
    assert token not in body
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    request = SigningRequest.objects.get(email="rep@partner.example")
    assert request.status == SigningStatus.OPENED
    assert AuditEvent.objects.filter(agreement=agreement, kind="opened").count() == 1


def test_both_sign_and_the_agreement_becomes_active_once(client):
    agreement, _contact, chairman = sent_agreement()
    response = partner_signs(client, agreement)
    assert "سُجّل توقيعك" in response.content.decode()
    signature = Signature.objects.get(request__party="partner")
    assert signature.method == "drawn" and signature.channel == "link"
    assert signature.content_hash == agreement.content_hash
    assert signature.image.read().startswith(b"\x89PNG")
    assert signature.ip == "127.0.0.1"
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.AWAITING_SIGNATURES

    client.force_login(chairman)
    detail = client.get(reverse("agreements:detail", args=[agreement.reference]))
    assert reverse("agreements:sign", args=[agreement.reference]) in detail.content.decode()
    url = reverse("agreements:sign", args=[agreement.reference])
    client.get(url)
    response = client.post(
        url, sign_post(agreement.content_hash, name="أسامة الزاير", method="typed", drawn="", typed="أسامة الزاير")
    )
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    chairman_signature = Signature.objects.get(request__party="charity")
    assert (chairman_signature.method, chairman_signature.channel, chairman_signature.user) == (
        "typed",
        "account",
        chairman,
    )
    check = audit_verify(agreement)
    assert check.ok, check.problems
    kinds = list(AuditEvent.objects.filter(agreement=agreement).order_by("sequence").values_list("kind", flat=True))
    assert kinds[0] == "sent" and kinds[-1] == "activated"
    assert kinds.count("signed") == 2 and kinds.count("activated") == 1


def test_a_used_link_and_a_wrong_token_get_the_same_clear_page(client):
    agreement, _contact, _chairman = sent_agreement()
    token = token_sent_to("rep@partner.example")
    partner_signs(client, agreement)
    reused = open_link(client, token)
    wrong = open_link(client, "x" * 43)
    for response in (reused, wrong):
        assert response.status_code == 404
        assert "رابط التوقيع هذا لا يعمل" in response.content.decode()
    # No hint of whether an agreement is behind the link (only the CSRF mask differs).
    strip_csrf = lambda r: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", r.content)  # noqa: E731
    assert strip_csrf(reused) == strip_csrf(wrong)
    assert token.encode() not in reused.content


def test_expired_link_does_not_work(client):
    _agreement, _contact, _chairman = sent_agreement()
    token = token_sent_to("rep@partner.example")
    SigningRequest.objects.filter(email="rep@partner.example").update(token_expires_at="2000-01-01T00:00:00Z")
    assert open_link(client, token).status_code == 404


def test_resend_kills_the_old_link(client, staff_client):
    agreement, _contact, _chairman = sent_agreement()
    old = token_sent_to("rep@partner.example")
    request = SigningRequest.objects.get(email="rep@partner.example")
    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_client.post(reverse("agreements:signatory_resend", args=[agreement.reference, request.pk]))
    new = token_sent_to("rep@partner.example")
    assert new != old
    assert open_link(client, old).status_code == 404
    assert open_link(client, new).status_code == 302
    assert AuditEvent.objects.filter(agreement=agreement, kind="resent").count() == 1


def test_revoked_link_and_recalled_agreement_links_do_not_work(client, staff_client):
    agreement, _contact, chairman = sent_agreement()
    partner_token = token_sent_to("rep@partner.example")
    chairman_token = token_sent_to(chairman.email)
    request = SigningRequest.objects.get(email="rep@partner.example")
    staff_client.post(reverse("agreements:signatory_revoke", args=[agreement.reference, request.pk]))
    assert SigningRequest.objects.get(pk=request.pk).status == SigningStatus.REVOKED
    assert open_link(client, partner_token).status_code == 404
    transition(agreement, "recall")
    assert open_link(client, chairman_token).status_code == 404


def test_an_open_page_stops_working_when_the_agreement_is_recalled(client):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to("rep@partner.example"))
    transition(agreement, "recall")
    response = client.post(reverse("signing:page"), sign_post(agreement.content_hash))
    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_wrong_tokens_are_rate_limited_per_address(client, settings):
    settings.SIGNING_TOKEN_ATTEMPTS = 3
    sent_agreement()
    good = token_sent_to("rep@partner.example")
    for _ in range(3):
        assert open_link(client, "wrong-token-" + "a" * 30).status_code == 404
    response = open_link(client, good)
    assert response.status_code == 429
    assert "محاولات كثيرة" in response.content.decode()


def test_signing_is_refused_when_the_content_changed_underneath(client):
    agreement, _contact, _chairman = sent_agreement()
    token = token_sent_to("rep@partner.example")
    open_link(client, token)
    # Someone edits the stored clause text directly in the database after sending.
    agreement.clauses.filter(order=1).update(text_ar="نص مختلف عما أُرسل للتوقيع")
    response = client.post(reverse("signing:page"), sign_post(agreement.content_hash), follow=True)
    assert "لا يطابق محتوى الاتفاقية" in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_is_refused_when_the_hash_seen_is_not_the_current_one(client):
    _agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to("rep@partner.example"))
    response = client.post(reverse("signing:page"), sign_post("0" * 64), follow=True)
    assert "تغيّرت الاتفاقية بعد فتحك لها" in response.content.decode()
    assert not Signature.objects.exists()


def _png_bytes_data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode()


def _png_bomb() -> bytes:
    # A 1-bit image declaring 30000 x 30000 pixels: tiny on disk, huge when decoded.
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


BAD_SIGNATURES = [
    ("not a PNG", "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff" + b"0" * 100).decode(), "ارسم توقيعك"),
    ("base64 garbage", "data:image/png;base64,@@@not-base64@@@", "تعذّرت قراءة صورة التوقيع"),
    ("GIF posing as PNG", _png_bytes_data_url(b"GIF89a" + b"0" * 100), "يجب أن يكون التوقيع صورة PNG"),
    ("PNG bomb", _png_bytes_data_url(_png_bomb()), "أبعاد صورة التوقيع غير معقولة"),
    ("empty canvas", signature_data_url(strokes=False), "مربع التوقيع فارغ"),
    # Found writing the fuzz strategies: the header's width and height were unpacked from too few bytes (a 500).
    (
        "PNG cut off in its header",
        _png_bytes_data_url(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"),
        "تعذّرت قراءة صورة التوقيع",
    ),
    ("no drawing at all", "", "ارسم توقيعك"),
]


@pytest.mark.parametrize(("case", "drawn", "message"), BAD_SIGNATURES, ids=[c[0] for c in BAD_SIGNATURES])
def test_bad_signature_images_are_refused_with_a_message(client, case, drawn, message):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to("rep@partner.example"))
    response = client.post(reverse("signing:page"), sign_post(agreement.content_hash, drawn=drawn))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Signature.objects.exists()
    assert SigningRequest.objects.get(email="rep@partner.example").status == SigningStatus.OPENED


def test_a_20_mb_signature_is_refused_without_a_server_error(client):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to("rep@partner.example"))
    huge = "data:image/png;base64," + "A" * (20 * 1024 * 1024)
    response = client.post(reverse("signing:page"), sign_post(agreement.content_hash, drawn=huge))
    assert response.status_code == 400
    assert "كبير" in response.content.decode()
    assert not Signature.objects.exists()


def test_consent_and_a_typed_name_are_required(client):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to("rep@partner.example"))
    data = sign_post(agreement.content_hash, method="typed", drawn="", typed="")
    data.pop("consent")
    body = client.post(reverse("signing:page"), data).content.decode()
    assert "ضع علامة للموافقة على التوقيع الإلكتروني" in body
    assert "اكتب اسمك توقيعًا" in body
    assert not Signature.objects.exists()


def test_declining_needs_a_reason_and_tells_the_owner(client):
    agreement, _contact, _chairman = sent_agreement()
    open_link(client, token_sent_to("rep@partner.example"))
    empty = client.post(reverse("signing:page"), {"action": "decline", "reason": " "})
    assert "هذا الحقل مطلوب" in empty.content.decode()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("signing:page"), {"action": "decline", "reason": "نحتاج إلى تعديل البند الثاني"})
    assert "اعتذرت عن التوقيع" in response.content.decode()
    request = SigningRequest.objects.get(email="rep@partner.example")
    assert request.status == SigningStatus.DECLINED
    assert request.decline_reason == "نحتاج إلى تعديل البند الثاني"
    owner_mail = mail.outbox[-1]
    assert owner_mail.to == [agreement.owner.email]
    assert "نحتاج إلى تعديل البند الثاني" in owner_mail.body


def test_a_partner_user_of_another_partner_cannot_sign_from_an_account(client):
    from tests.factories import PartnerUserFactory

    agreement, _contact, _chairman = sent_agreement()
    outsider = PartnerUserFactory(email="rep@partner.example")  # same email, other partner
    client.force_login(outsider)
    assert client.get(reverse("agreements:sign", args=[agreement.reference])).status_code == 404


def test_audit_trail_detects_an_edited_a_deleted_and_a_reordered_event():
    agreement, _contact, _chairman = sent_agreement()
    assert audit_verify(agreement).ok
    events = list(AuditEvent.objects.filter(agreement=agreement).order_by("sequence"))
    assert len(events) >= 3
    with connection.cursor() as raw, triggers_off(raw) as cursor:
        cursor.execute(
            "UPDATE agreements_auditevent SET actor_label = %s WHERE id = %s", ["someone else", events[1].pk]
        )
    check = audit_verify(agreement)
    assert not check.ok and any("changed" in p for p in check.problems)

    agreement2, _c, _ch = sent_agreement(chairman=_chairman)
    last = AuditEvent.objects.filter(agreement=agreement2).order_by("-sequence").first()
    with connection.cursor() as raw, triggers_off(raw) as cursor:
        cursor.execute("DELETE FROM agreements_auditevent WHERE id = %s", [last.pk])
    assert not audit_verify(agreement2).ok

    agreement3, _c, _ch = sent_agreement(chairman=_chairman)
    first, second = AuditEvent.objects.filter(agreement=agreement3).order_by("sequence")[:2]
    with connection.cursor() as raw, triggers_off(raw) as cursor:
        cursor.execute("UPDATE agreements_auditevent SET sequence = 1000 WHERE id = %s", [first.pk])
        cursor.execute("UPDATE agreements_auditevent SET sequence = %s WHERE id = %s", [first.sequence, second.pk])
        cursor.execute("UPDATE agreements_auditevent SET sequence = %s WHERE id = %s", [second.sequence, first.pk])
    assert not audit_verify(agreement3).ok


def test_audit_events_cannot_be_changed_through_the_orm():
    from django.core.exceptions import ValidationError

    agreement, _contact, _chairman = sent_agreement()
    event = AuditEvent.objects.filter(agreement=agreement).first()
    event.actor_label = "x"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(agreement=agreement).update(actor_label="x")


def test_verify_audit_command_fails_on_a_broken_trail():
    from django.core.management.base import CommandError

    agreement, _contact, _chairman = sent_agreement()
    call_command("verify_audit", agreement.reference, stdout=io.StringIO())
    with connection.cursor() as raw, triggers_off(raw) as cursor:
        cursor.execute("UPDATE agreements_auditevent SET ip = '10.0.0.1' WHERE agreement_id = %s", [agreement.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit", agreement.reference, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_two_signatories_signing_at_the_same_instant_activate_once(postgres, live_server):
    agreement, _contact, chairman = sent_agreement()
    partner_token = token_sent_to("rep@partner.example")
    chairman_token = token_sent_to(chairman.email)

    def browser_session(token, email):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{live_server.url}/sign/{token}/")  # follows to /sign/: the code page
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        headers = {"Referer": f"{live_server.url}/sign/"}

        def post(data):
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
            opener.open(urllib.request.Request(f"{live_server.url}/sign/", data=body, headers=headers))

        post({"action": "send_code"})
        post({"action": "check_code", "code": code_sent_to(email)})
        return opener, csrf

    sessions = [browser_session(partner_token, "rep@partner.example"), browser_session(chairman_token, chairman.email)]
    barrier = threading.Barrier(2)
    statuses = []

    def sign(opener, csrf):
        body = urllib.parse.urlencode(sign_post(agreement.content_hash, csrfmiddlewaretoken=csrf)).encode()
        request = urllib.request.Request(
            f"{live_server.url}/sign/", data=body, headers={"Referer": f"{live_server.url}/sign/"}
        )
        barrier.wait()
        with opener.open(request) as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=sign, args=session) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert Signature.objects.filter(request__agreement=agreement).count() == 2
    assert AuditEvent.objects.filter(agreement=agreement, kind="activated").count() == 1
    assert audit_verify(agreement).ok
