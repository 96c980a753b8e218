"""Staff events in the audit trail carry the address and browser of the request, like signer events."""

import datetime

import pytest
from django.urls import reverse

from agreements.audit import audit_verify
from agreements.models import AgreementStatus, AuditEvent, AuditKind, SigningRequest
from tests.agreements.signing_helpers import sent_agreement
from tests.factories import AgreementFactory, ContactFactory, agreement_with_clauses, set_status

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
FROM_BROWSER = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": UA}


def origin_of(agreement, kind: str) -> tuple[str | None, str]:
    event = AuditEvent.objects.filter(agreement=agreement, kind=kind).latest("sequence")
    return event.ip, event.user_agent


def test_sending_for_signature_records_the_staff_members_address_and_browser(staff_client):
    agreement = agreement_with_clauses(clauses=1)
    contact = ContactFactory(partner=agreement.partner)
    data = {"charity_name": "أسامة الزاير", "charity_email": "chair@charity.example", "partner_contacts": [contact.pk]}
    staff_client.post(reverse("agreements:send", args=[agreement.reference]), data, **FROM_BROWSER)
    assert origin_of(agreement, AuditKind.SENT) == (IP, UA)
    assert audit_verify(agreement).ok


def test_recalling_to_draft_records_the_staff_members_address_and_browser(staff_client):
    agreement, _contact, _chairman = sent_agreement()
    staff_client.post(reverse("agreements:recall", args=[agreement.reference]), **FROM_BROWSER)
    assert origin_of(agreement, AuditKind.RECALLED) == (IP, UA)


def test_terminating_records_the_staff_members_address_and_browser(staff_client):
    agreement = set_status(AgreementFactory(), AgreementStatus.ACTIVE)
    data = {"on": "2026-06-01", "reason": "انتهاء الحاجة"}
    staff_client.post(reverse("agreements:terminate", args=[agreement.reference]), data, **FROM_BROWSER)
    assert origin_of(agreement, AuditKind.TERMINATED) == (IP, UA)


def test_resending_a_link_records_the_staff_members_address_and_browser(
    staff_client, django_capture_on_commit_callbacks
):
    # The worker that mails the new link writes the event: the address travels with the task.
    agreement, _contact, _chairman = sent_agreement()
    request = SigningRequest.objects.get(email="rep@partner.example")
    url = reverse("agreements:signatory_resend", args=[agreement.reference, request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, **FROM_BROWSER)
    assert origin_of(agreement, AuditKind.RESENT) == (IP, UA)


def test_revoking_a_link_records_the_staff_members_address_and_browser(staff_client):
    agreement, _contact, _chairman = sent_agreement()
    request = SigningRequest.objects.get(email="rep@partner.example")
    staff_client.post(reverse("agreements:signatory_revoke", args=[agreement.reference, request.pk]), **FROM_BROWSER)
    assert origin_of(agreement, AuditKind.REVOKED) == (IP, UA)


@pytest.mark.parametrize(
    ("action", "arrange", "kind"),
    [
        ("recall_agreements", lambda: sent_agreement()[0], AuditKind.RECALLED),
        (
            "expire_agreements",
            lambda: set_status(
                AgreementFactory(starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1)), "active"
            ),
            AuditKind.ENDED,
        ),
    ],
)
def test_admin_actions_record_the_staff_members_address_and_browser(client, admin_user, action, arrange, kind):
    agreement = arrange()
    client.force_login(admin_user)
    client.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": action, "_selected_action": [agreement.pk]},
        **FROM_BROWSER,
    )
    assert origin_of(agreement, kind) == (IP, UA)


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_recorded(staff_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    agreement, _contact, _chairman = sent_agreement()
    staff_client.post(
        reverse("agreements:recall", args=[agreement.reference]),
        REMOTE_ADDR="10.0.0.2",  # the proxy
        HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.44",  # the first was written by the client itself
        HTTP_USER_AGENT=UA,
    )
    assert origin_of(agreement, AuditKind.RECALLED) == ("192.0.2.44", UA)


def test_the_audit_page_shows_the_browser_short_with_the_full_text_in_its_title(staff_client):
    agreement, _contact, _chairman = sent_agreement()
    staff_client.post(reverse("agreements:recall", args=[agreement.reference]), **FROM_BROWSER)
    body = staff_client.get(reverse("agreements:audit", args=[agreement.reference])).content.decode()
    assert "<th>المتصفح</th>" in body
    assert f'<bdi dir="ltr" class="ltr" title="{UA}">Chrome 131 · Windows</bdi>' in body


def test_a_direction_control_in_a_user_agent_is_shown_not_obeyed(staff_client):
    agreement, _contact, _chairman = sent_agreement()
    hostile = "evil\u202ebrowser/1.0"
    staff_client.post(reverse("agreements:recall", args=[agreement.reference]), REMOTE_ADDR=IP, HTTP_USER_AGENT=hostile)
    body = staff_client.get(reverse("agreements:audit", args=[agreement.reference])).content.decode()
    assert "\u202e" not in body
    assert "[U+202E]" in body
