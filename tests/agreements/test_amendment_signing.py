"""Amendments signed like the agreement, and in force on their date (issue #16).

Sent with the agreement's signatories by default, signed by link and from an account,
recalled while unsigned, links resent and revoked; the last signature marks the amendment
signed and queues its addendum; on the effective date (at signing, or the daily sweep) the
agreement's rows become the amended content, with the progress already reported kept.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from agreements.amendments.services import amendment_create, amendment_in_force, amendment_recall, amendment_send
from agreements.audit import audit_verify
from agreements.lifecycle import TransitionError
from agreements.models import (
    Agreement,
    Amendment,
    AmendmentStatus,
    AuditEvent,
    AuditKind,
    Commitment,
    SigningRequest,
    SigningStatus,
)
from common import clock
from outbox.models import OutboxMessage
from reminders.services import reminders_sweep
from tests.agreements.signing_helpers import open_link, sign_post, token_sent_to
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerUserFactory,
    ProgressUpdateFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def running(settings, tmp_path):
    """An agreement in force since 16 March 2026, a commitment with 12 trainees reported, and today 1 June 2026."""
    day = tmp_path / "today"
    settings.PORTAL_TODAY_FILE = str(day)
    clock.set_today(day, D(2026, 6, 1))
    agreement = AgreementFactory(starts_on=D(2026, 3, 16), ends_on=D(2027, 3, 15))
    clause = ClauseFactory(agreement=agreement, order=1, kind="training", text_ar="تقدم الجهة التدريب للمستفيدين.")
    training = CommitmentFactory(
        clause=clause, description_ar="تدريب المستفيدين", target_quantity=20, unit="trainees", due_on=D(2027, 1, 31)
    )
    agreement = set_status(agreement, "active")
    ProgressUpdateFactory(commitment=training, amount=12, note="دفعة أولى", reported_on=D(2026, 5, 20))
    contact = ContactFactory(partner=agreement.partner, name_ar="ممثل الشريك", email="rep@partner.example")
    chairman = StaffFactory(email="chair@charity.example", first_name="أسامة الزاير")
    return agreement, training, contact, chairman, day


def _signatories(contact, chairman):
    return [
        {
            "party": "charity",
            "name": "أسامة الزاير",
            "title": "رئيس مجلس الإدارة",
            "email": chairman.email,
            "user": chairman,
        },
        {"party": "partner", "contact": contact, "name": contact.name_ar, "title": "المدير", "email": contact.email},
    ]


JULY_1 = D(2026, 7, 1)


def _amend(agreement, training, *, effective_on=JULY_1) -> Amendment:
    """Amendment 1: target 20 → 30, a media clause added, the term one year longer."""
    changes = [
        {"op": "term", "old": {"ends_on": "2027-03-15"}, "new": {"ends_on": "2028-03-15"}},
        {
            "op": "commitment_change",
            "commitment": training.pk,
            "clause": training.clause_id,
            "in_clause": {"order": 1, "kind": "training"},
            "old": {
                "party": training.party,
                "description_ar": training.description_ar,
                "description_en": training.description_en,
                "target_quantity": 20,
                "unit": "trainees",
                "due_on": "2027-01-31",
            },
            "new": {"target_quantity": 30},
        },
        {
            "op": "clause_add",
            "clause": "n1",
            "new": {
                "order": 2,
                "kind": "media",
                "responsible_party": "both",
                "text_ar": "يتولى الطرفان التغطية الإعلامية للبرامج المشتركة.",
                "text_en": "Both parties cover the joint programmes in the media.",
            },
        },
    ]
    return amendment_create(
        agreement=agreement,
        by=StaffFactory(),
        changes=changes,
        effective_on=effective_on,
        text_ar="رفع المستهدف وتمديد المدة سنة",
    )


def _send(amendment, contact, chairman) -> Amendment:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return amendment_send(amendment=amendment, by=StaffFactory(), signatories=_signatories(contact, chairman))


def _sign_by_link(client, email, content_hash, **post):
    response = open_link(client, token_sent_to(email))
    assert response.status_code == 302
    page = client.get(reverse("signing:page"))
    assert page.status_code == 200
    return page, client.post(reverse("signing:page"), sign_post(content_hash, **post))


def test_sending_locks_the_change_set_hashes_it_and_emails_each_signatory_a_link_to_the_amendment(running):
    agreement, training, contact, chairman, _day = running
    amendment = _send(_amend(agreement, training), contact, chairman)
    assert amendment.status == AmendmentStatus.AWAITING_SIGNATURES and len(amendment.content_hash) == 64
    requests = SigningRequest.objects.filter(amendment=amendment)
    assert sorted(requests.values_list("status", flat=True)) == ["sent", "sent"]
    subjects = [m.subject for m in mail.outbox]
    assert any("الملحق رقم 1" in s and "Amendment 1" in s for s in subjects), subjects
    assert "إلى توقيع الملحق رقم 1 لاتفاقية الشراكة" in mail.outbox[-1].body
    # The agreement itself stays in force and its own signing requests are untouched.
    assert Agreement.objects.get(pk=agreement.pk).status == "active"
    kinds = list(AuditEvent.objects.filter(agreement=agreement).order_by("sequence").values_list("kind", flat=True))
    assert kinds[-3:] == [AuditKind.AMENDMENT_SENT, AuditKind.INVITED, AuditKind.INVITED]


def test_partner_by_link_and_chairman_from_his_account_sign_and_on_its_date_it_is_in_force(client, running):
    agreement, training, contact, chairman, day = running
    amendment = _send(_amend(agreement, training), contact, chairman)
    # The partner's representative opens the e-mailed link: the page shows the diff, not the agreement.
    page, response = _sign_by_link(client, contact.email, amendment.content_hash)
    text = page.content.decode()
    assert "الملحق رقم 1" in text and 'data-testid="amendment-diff"' in text and amendment.content_hash in text
    assert response.status_code == 200 and "شكرًا لتوقيعك الملحق رقم 1" in response.content.decode()
    # A stale hash (the content the chairman saw is not what was sent) is refused.
    client.force_login(chairman)
    url = reverse("agreements:amendment_sign", args=[agreement.reference, 1])
    assert client.get(url).status_code == 200
    refused = client.post(url, sign_post("0" * 64, name="أسامة الزاير"), follow=True)
    assert "تغيّرت الاتفاقية بعد فتحك لها" in refused.content.decode()
    assert SigningRequest.objects.get(amendment=amendment, party="charity").status != SigningStatus.SIGNED
    done = client.post(url, sign_post(amendment.content_hash, name="أسامة الزاير"))
    assert done.status_code == 200
    amendment.refresh_from_db()
    # Signed before 1 July: signed, its addendum queued, not yet written into the agreement.
    assert amendment.status == AmendmentStatus.SIGNED and amendment.signed_on == D(2026, 6, 1)
    assert amendment.pdf_status == "pending"
    assert OutboxMessage.objects.filter(task="agreements.render_addendum_pdf", args=[amendment.pk]).exists()
    training.refresh_from_db()
    assert training.target_quantity == 20

    # The clock moves day by day to the effective date; the daily sweep brings it into force.
    for offset in range(1, 31):
        clock.set_today(day, D(2026, 6, 1) + datetime.timedelta(days=offset))
        report = reminders_sweep()
        amendment.refresh_from_db()
        expected = AmendmentStatus.ACTIVE if report.today >= D(2026, 7, 1) else AmendmentStatus.SIGNED
        assert amendment.status == expected, report.today
    assert report.amendments_in_force == [f"{agreement.reference}/1"] and amendment.in_force_at is not None
    training.refresh_from_db()
    assert training.target_quantity == 30 and training.updates.get().amount == 12
    agreement.refresh_from_db()
    assert agreement.ends_on == D(2028, 3, 15) and agreement.clauses.filter(removed_by=None).count() == 2
    assert audit_verify(agreement).ok
    kinds = list(AuditEvent.objects.filter(agreement=agreement).values_list("kind", flat=True))
    assert kinds.count(AuditKind.AMENDMENT_SIGNED) == 1 and kinds.count(AuditKind.AMENDMENT_IN_FORCE) == 1


def test_an_amendment_whose_date_has_passed_is_in_force_at_the_last_signature(client, running):
    agreement, training, contact, chairman, _day = running
    amendment = _amend(agreement, training, effective_on=D(2026, 5, 1))
    amendment = _send(amendment, contact, chairman)
    for request in SigningRequest.objects.filter(amendment=amendment):
        if request.party == "partner":
            _sign_by_link(client, contact.email, amendment.content_hash)
        else:
            client.force_login(chairman)
            client.post(
                reverse("agreements:amendment_sign", args=[agreement.reference, 1]), sign_post(amendment.content_hash)
            )
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.ACTIVE
    assert Commitment.objects.get(pk=training.pk).target_quantity == 30


def test_recall_while_unsigned_kills_the_links_and_reopens_the_editor_but_not_after_a_signature(client, running):
    agreement, training, contact, chairman, _day = running
    amendment = _send(_amend(agreement, training), contact, chairman)
    token = token_sent_to(contact.email)
    staff = StaffFactory()
    client.force_login(staff)
    response = client.post(reverse("agreements:amendment_recall", args=[agreement.reference, 1]), follow=True)
    assert "الملحق رقم 1 مسودة من جديد" in response.content.decode()
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.DRAFT and amendment.content_hash == ""
    client.logout()
    assert client.get(reverse("signing:link", args=[token])).status_code == 404
    # Sent again, the partner signs; then it can no longer be pulled back.
    amendment = _send(amendment, contact, chairman)
    _sign_by_link(client, contact.email, amendment.content_hash)
    client.force_login(staff)
    response = client.post(reverse("agreements:amendment_recall", args=[agreement.reference, 1]), follow=True)
    assert "وقّع أحدهم على الملحق رقم 1" in response.content.decode()
    assert Amendment.objects.get(pk=amendment.pk).status == AmendmentStatus.AWAITING_SIGNATURES


def test_resend_gives_a_new_link_and_returns_to_the_amendment_page_revoke_ends_it(client, running):
    agreement, training, contact, chairman, _day = running
    amendment = _send(_amend(agreement, training), contact, chairman)
    old = token_sent_to(contact.email)
    request = SigningRequest.objects.get(amendment=amendment, party="partner")
    client.force_login(StaffFactory())
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("agreements:signatory_resend", args=[agreement.reference, request.pk]))
    assert response["Location"] == reverse("agreements:amendment", args=[agreement.reference, 1])
    new = token_sent_to(contact.email)
    assert new != old
    client.logout()
    assert client.get(reverse("signing:link", args=[old])).status_code == 404
    client.force_login(StaffFactory())
    client.post(reverse("agreements:signatory_revoke", args=[agreement.reference, request.pk]))
    client.logout()
    assert client.get(reverse("signing:link", args=[new])).status_code == 404


def test_the_send_page_offers_the_agreements_own_signatories(client, running):
    agreement, training, contact, chairman, _day = running
    SigningRequest.objects.bulk_create(
        [
            SigningRequest(
                agreement=agreement, party="charity", name="أسامة الزاير", email=chairman.email, status="signed"
            ),
            SigningRequest(
                agreement=agreement,
                party="partner",
                contact=contact,
                name=contact.name_ar,
                email=contact.email,
                status="signed",
            ),
        ]
    )
    _amend(agreement, training)
    client.force_login(StaffFactory())
    page = client.get(reverse("agreements:amendment_send", args=[agreement.reference, 1])).content.decode()
    assert 'value="chair@charity.example"' in page
    assert f'value="{contact.pk}"' in page and "checked" in page.split(f'value="{contact.pk}"')[1][:80]


def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, running):
    agreement, training, contact, chairman, _day = running
    staff = StaffFactory()
    # A legacy amendment with no change set cannot be sent.
    legacy = Amendment.objects.create(
        agreement=agreement, number=1, text_ar="نص قديم", effective_on=D(2026, 7, 1), created_by=staff
    )
    with pytest.raises(TransitionError, match="لا يسجّل الملحق رقم 1 أي تغيير"):
        amendment_send(amendment=legacy, by=staff, signatories=_signatories(contact, chairman))
    assert not SigningRequest.objects.filter(amendment=legacy).exists()
    legacy.delete()
    # A second amendment while the first is signed and waiting for its date.
    amendment = _send(_amend(agreement, training), contact, chairman)
    Amendment.objects.filter(pk=amendment.pk).update(status=AmendmentStatus.SIGNED)
    client.force_login(staff)
    response = client.get(reverse("agreements:amendment_create", args=[agreement.reference]), follow=True)
    assert "الملحق رقم 1 لم يكتمل بعد" in response.content.decode()
    # Without a partner signatory.
    Amendment.objects.filter(pk=amendment.pk).update(status=AmendmentStatus.AWAITING_SIGNATURES)
    amendment_recall(amendment=amendment, by=staff)
    response = client.post(
        reverse("agreements:amendment_send", args=[agreement.reference, 1]),
        {"charity_name": "أسامة", "charity_email": "chair@charity.example"},
    )
    assert "اختر مفوَّضًا واحدًا على الأقل بالتوقيع عن الشريك" in response.content.decode()
    assert Amendment.objects.get(pk=amendment.pk).status == AmendmentStatus.DRAFT
    assert not SigningRequest.objects.filter(amendment=amendment).exclude(status=SigningStatus.VOIDED).exists()


def test_a_removed_commitment_is_cancelled_keeps_its_reports_and_is_never_overdue(running):
    agreement, training, _contact, _chairman, day = running
    changes = [
        {
            "op": "commitment_remove",
            "commitment": training.pk,
            "clause": training.clause_id,
            "in_clause": {"order": 1, "kind": "training"},
            "old": {
                "party": training.party,
                "description_ar": training.description_ar,
                "description_en": training.description_en,
                "target_quantity": 20,
                "unit": "trainees",
                "due_on": "2027-01-31",
            },
        }
    ]
    amendment = amendment_create(
        agreement=agreement, by=StaffFactory(), changes=changes, effective_on=D(2026, 6, 1), text_ar="إلغاء التدريب"
    )
    Amendment.objects.filter(pk=amendment.pk).update(status=AmendmentStatus.SIGNED)
    assert amendment_in_force(amendment=amendment)
    training.refresh_from_db()
    assert training.removed_by_id == amendment.pk and training.status == "cancelled"
    assert training.updates.count() == 1
    clock.set_today(day, D(2027, 2, 15))
    assert not Commitment.objects.overdue(D(2027, 2, 15)).filter(pk=training.pk).exists()


def test_an_extended_term_is_reminded_again_before_its_new_end(settings, running):
    agreement, training, _contact, _chairman, day = running
    owner_email = agreement.owner.email
    assert owner_email
    # 90 days before the old end the owner is reminded.
    clock.set_today(day, D(2026, 12, 15))
    reminders_sweep()
    from reminders.models import Reminder

    first = list(Reminder.objects.filter(agreement=agreement, kind="renewal").values_list("due_on", "offset_days"))
    assert first and all(d + datetime.timedelta(days=o) == D(2027, 3, 15) for d, o in first)
    amendment = _amend(agreement, training, effective_on=D(2026, 12, 20))
    Amendment.objects.filter(pk=amendment.pk).update(status=AmendmentStatus.SIGNED)
    clock.set_today(day, D(2026, 12, 20))
    reminders_sweep()
    assert Agreement.objects.get(pk=agreement.pk).ends_on == D(2028, 3, 15)
    # Nothing more until 90 days before the new end; then the reminders start again.
    clock.set_today(day, D(2027, 12, 15))
    reminders_sweep()
    again = Reminder.objects.filter(agreement=agreement, kind="renewal", due_on=D(2027, 12, 16))
    clock.set_today(day, D(2027, 12, 16))
    reminders_sweep()
    assert again.exists(), list(
        Reminder.objects.filter(agreement=agreement).values_list("kind", "due_on", "offset_days")
    )


def test_partner_user_signs_the_amendment_from_the_portal_account(client, running):
    agreement, training, contact, chairman, _day = running
    user = PartnerUserFactory(partner=agreement.partner, email=contact.email, partner_role="officer")
    amendment = _send(_amend(agreement, training), contact, chairman)
    client.force_login(user)
    url = reverse("agreements:amendment_sign", args=[agreement.reference, 1])
    page = client.get(url)
    assert page.status_code == 200 and "الملحق رقم 1" in page.content.decode()
    client.post(url, sign_post(amendment.content_hash))
    signed = SigningRequest.objects.get(amendment=amendment, party="partner")
    assert signed.status == SigningStatus.SIGNED and signed.signature.channel == "account"
    # Another partner's user finds nothing to sign there.
    stranger = PartnerUserFactory()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
