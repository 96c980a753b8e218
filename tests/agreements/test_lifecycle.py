"""The lifecycle state machine: every transition, its guard, and concurrent use."""

import datetime
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from agreements import lifecycle
from agreements.lifecycle import TransitionError, transition
from agreements.models import Agreement, AgreementLocked, AgreementStatus, SigningRequest, SigningStatus
from tests.factories import (
    AgreementFactory,
    ContactFactory,
    StaffFactory,
    agreement_with_clauses,
    set_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Messages are matched in English here; one test checks the Arabic wording.
    with translation.override("en"):
        yield


def signatories(agreement, contact=None):
    contact = contact or ContactFactory(partner=agreement.partner)
    return [
        {"party": "charity", "name": "أسامة الزاير", "title": "رئيس مجلس الإدارة", "email": "chair@example.org"},
        {"party": "partner", "contact": contact, "name": contact.name_ar, "title": "", "email": contact.email},
    ]


def sent_agreement(**kwargs):
    agreement = agreement_with_clauses(clauses=2, **kwargs)
    return transition(agreement, "send_for_signature", signatories=signatories(agreement))


def sign_all(agreement):
    SigningRequest.objects.filter(agreement=agreement).update(status=SigningStatus.SIGNED)


def test_sending_locks_the_content_and_fixes_its_hash():
    agreement = sent_agreement()
    assert agreement.status == AgreementStatus.AWAITING_SIGNATURES
    assert len(agreement.content_hash) == 64
    assert agreement.signing_requests.count() == 2
    agreement.title_ar = "عنوان آخر"
    with pytest.raises(AgreementLocked):
        agreement.save()


def test_the_content_hash_changes_with_the_content():
    first = sent_agreement()
    transition(first, "recall")
    clause = first.clauses.first()
    clause.text_ar += " (معدّل)"
    clause.save()
    again = transition(first, "send_for_signature", signatories=signatories(first))
    assert again.content_hash != first.content_hash


def test_the_same_content_gives_the_same_hash():
    agreement = sent_agreement()
    original = agreement.content_hash
    agreement = transition(agreement, "recall")
    contact = SigningRequest.objects.filter(agreement=agreement, party="partner").first().contact
    again = transition(agreement, "send_for_signature", signatories=signatories(agreement, contact))
    assert again.content_hash == original


def test_no_sending_without_a_clause():
    agreement = AgreementFactory()
    with pytest.raises(TransitionError, match="clause"):
        transition(agreement, "send_for_signature", signatories=signatories(agreement))
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_no_sending_without_a_partner_signatory():
    agreement = agreement_with_clauses(clauses=1)
    with pytest.raises(TransitionError, match="partner signatory"):
        transition(agreement, "send_for_signature", signatories=signatories(agreement)[:1])
    assert not SigningRequest.objects.exists()


def test_a_signatory_from_another_partner_is_refused():
    agreement = agreement_with_clauses(clauses=1)
    stranger = ContactFactory()
    with pytest.raises(TransitionError, match="contact of this agreement's partner"):
        transition(agreement, "send_for_signature", signatories=signatories(agreement, stranger))
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT
    assert not SigningRequest.objects.exists()


def test_a_contact_not_allowed_to_sign_is_refused():
    agreement = agreement_with_clauses(clauses=1)
    contact = ContactFactory(partner=agreement.partner, can_sign=False)
    with pytest.raises(TransitionError, match="not marked as able to sign"):
        transition(agreement, "send_for_signature", signatories=signatories(agreement, contact))


def test_illegal_transition_gets_a_clear_message_in_arabic():
    agreement = agreement_with_clauses(clauses=1)
    with translation.override("ar"), pytest.raises(TransitionError) as excinfo:
        transition(agreement, "terminate", reason="x", on=agreement.starts_on)
    assert str(excinfo.value.message) == "لا يمكن «فسخ» لاتفاقية حالتها: مسودة."


def test_recall_voids_open_requests_and_unlocks():
    agreement = transition(sent_agreement(), "recall")
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.content_hash == ""
    assert set(agreement.signing_requests.values_list("status", flat=True)) == {SigningStatus.VOIDED}
    agreement.title_ar = "عنوان جديد"
    agreement.save()


def test_recall_is_refused_once_someone_signed():
    agreement = sent_agreement()
    SigningRequest.objects.filter(agreement=agreement, party="partner").update(status=SigningStatus.SIGNED)
    with pytest.raises(TransitionError, match="already signed"):
        transition(agreement, "recall")


def test_activation_waits_for_every_signature():
    agreement = sent_agreement()
    SigningRequest.objects.filter(agreement=agreement, party="charity").update(status=SigningStatus.SIGNED)
    with pytest.raises(TransitionError, match="every signatory"):
        transition(agreement, "activate")
    sign_all(agreement)
    agreement = transition(agreement, "activate")
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.signed_on is not None and agreement.activated_at is not None


def test_a_renewal_supersedes_its_predecessor_on_its_start_date_not_when_signed():
    from agreements.services import agreement_renew

    old = set_status(agreement_with_clauses(clauses=2), AgreementStatus.ACTIVE)  # ends 15 March 2028
    renewal = agreement_renew(agreement=old, by=StaffFactory())
    renewal = transition(renewal, "send_for_signature", signatories=signatories(renewal))
    sign_all(renewal)
    # Signed a year and more before it starts: signed, not in force; the running one stays active.
    renewal = lifecycle.signatures_complete(renewal)
    old.refresh_from_db()
    assert (renewal.status, old.status) == (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
    assert old.accepts_progress
    with pytest.raises(TransitionError, match="comes into force on its start date"):
        transition(renewal, "start", today=datetime.date(2028, 3, 15))
    transition(renewal, "start", today=datetime.date(2028, 3, 16))
    old.refresh_from_db()
    assert old.status == AgreementStatus.RENEWED


def test_the_last_signature_on_or_after_the_start_date_brings_the_agreement_into_force_at_once(settings):
    agreement = sent_agreement(starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 12, 31))
    sign_all(agreement)
    settings.PORTAL_TODAY = "2026-12-31"
    assert lifecycle.signatures_complete(agreement).status == AgreementStatus.SIGNED
    other = sent_agreement(starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 12, 31))
    sign_all(other)
    settings.PORTAL_TODAY = "2027-01-01"
    other = lifecycle.signatures_complete(other)
    assert other.status == AgreementStatus.ACTIVE and other.activated_at is not None


def test_expiry_only_after_the_end_date():
    agreement = set_status(AgreementFactory(ends_on=datetime.date(2027, 1, 1)), AgreementStatus.ACTIVE)
    with pytest.raises(TransitionError):
        transition(agreement, "expire", today=datetime.date(2027, 1, 1))
    assert transition(agreement, "expire", today=datetime.date(2027, 1, 2)).status == AgreementStatus.EXPIRED


@pytest.mark.parametrize(
    ("reason", "on", "message"),
    [
        ("", datetime.date(2026, 6, 1), "reason"),
        ("سبب", None, "date"),
        ("سبب", datetime.date(2020, 1, 1), "between"),
    ],
)
def test_termination_needs_a_reason_and_a_date_within_the_term(reason, on, message):
    agreement = set_status(AgreementFactory(), AgreementStatus.ACTIVE)
    with pytest.raises(TransitionError, match=message):
        transition(agreement, "terminate", reason=reason, on=on)
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE


def test_termination_records_reason_and_date():
    agreement = set_status(AgreementFactory(), AgreementStatus.ACTIVE)
    agreement = transition(agreement, "terminate", reason="  انتهاء الحاجة  ", on=datetime.date(2026, 6, 1))
    assert (agreement.status, agreement.termination_reason, agreement.terminated_on) == (
        AgreementStatus.TERMINATED,
        "انتهاء الحاجة",
        datetime.date(2026, 6, 1),
    )


def test_manual_actions_offered_follow_the_state():
    draft = AgreementFactory()
    assert [t.name for t in lifecycle.available(draft)] == ["send_for_signature"]
    active = set_status(AgreementFactory(), AgreementStatus.ACTIVE)
    assert [t.name for t in lifecycle.available(active)] == ["terminate"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_activation_happens_once(postgres):
    agreement = sent_agreement()
    sign_all(agreement)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def activate():
        try:
            barrier.wait()
            transition(Agreement.objects.get(pk=agreement.pk), "activate")
            outcomes.append("activated")
        except TransitionError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=activate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["activated", "refused"]
    assert Agreement.history.filter(id=agreement.pk, status=AgreementStatus.ACTIVE).count() == 1
