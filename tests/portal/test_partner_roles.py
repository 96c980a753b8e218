"""Partner roles: authorised officers sign from the account and manage colleagues, editors report
progress, viewers only read. The team page: roles, pending invitations, at least one officer."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Invitation, PartnerRole, User
from accounts.services import partner_user_set_active
from agreements.models import ProgressStatus, ProgressUpdate
from agreements.progress import progress_report, progress_review
from tests.agreements.signing_helpers import sent_agreement
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerUserFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
FORBIDDEN_AR = "لا يملك حسابك صلاحية"
LAST_OFFICER_AR = "المفوَّض الوحيد"
LINK = re.compile(r"/accounts/invitation/[A-Za-z0-9_\-]+/")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def team():
    agreement = AgreementFactory(starts_on=datetime.date(2026, 1, 1))
    clause = ClauseFactory(agreement=agreement, order=1, kind="training")
    commitment = CommitmentFactory(clause=clause, party="partner", target_quantity=20, description_ar="تدريب")
    set_status(agreement, "active")
    partner = agreement.partner
    people = {
        role: PartnerUserFactory(partner=partner, partner_role=role, first_name=f"زميل {role}")
        for role in PartnerRole.values
    }
    returned = progress_report(
        commitment=commitment, by=people["editor"], amount=2, reported_on=datetime.date(2026, 6, 1), note="", files=[]
    )
    progress_review(update=returned, accept=False, comment="صحّحوا العدد", by=agreement.owner)
    return {"agreement": agreement, "commitment": commitment, "returned": returned, **people}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def invite(client, email: str, role: str = "editor", name: str = "زميل جديد"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("portal:team"), {"email": email, "name": name, "role": role}, follow=True)


# --- What each role may do -------------------------------------------------------------------


def test_a_viewer_reads_but_gets_no_report_buttons(client, team):
    client.force_login(team["viewer"])
    page = client.get(reverse("portal:agreement", args=[team["agreement"].reference])).content.decode()
    assert "تدريب" in page  # the commitment is there to read
    assert reverse("portal:report_progress", args=[team["commitment"].pk]) not in page
    assert reverse("portal:progress_resubmit", args=[team["returned"].pk]) not in page
    client.force_login(team["editor"])
    page = client.get(reverse("portal:agreement", args=[team["agreement"].reference])).content.decode()
    assert reverse("portal:report_progress", args=[team["commitment"].pk]) in page
    assert reverse("portal:progress_resubmit", args=[team["returned"].pk]) in page


def test_a_viewers_report_and_resubmission_are_refused_in_arabic_and_change_nothing(client, team):
    client.force_login(team["viewer"])
    report_url = reverse("portal:report_progress", args=[team["commitment"].pk])
    resubmit_url = reverse("portal:progress_resubmit", args=[team["returned"].pk])
    data = {"amount": 3, "reported_on": "2026-06-02", "note": "محاولة"}
    for url in (report_url, resubmit_url):
        assert client.get(url).status_code == 403
        response = client.post(url, {**data, "files": [SimpleUploadedFile("e.pdf", b"%PDF-1.4\n%%EOF\n")]})
        assert response.status_code == 403
        assert FORBIDDEN_AR in response.content.decode()
    assert ProgressUpdate.objects.count() == 1
    returned = ProgressUpdate.objects.get()
    assert (returned.status, returned.amount) == (ProgressStatus.RETURNED, 2)


@pytest.mark.parametrize("role", ["officer", "editor"])
def test_officers_and_editors_report_progress(client, team, role):
    client.force_login(team[role])
    response = client.post(
        reverse("portal:report_progress", args=[team["commitment"].pk]),
        {"amount": 3, "reported_on": "2026-06-02", "note": "دفعة"},
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(reported_by=team[role], amount=3).exists()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_officers_manage_colleagues(client, team, role):
    client.force_login(team[role])
    invitation = Invitation.objects.create(
        partner=team["agreement"].partner,
        email="pending@partner.example",
        token_hash="pending",
        expires_at=timezone.now() + datetime.timedelta(days=3),
        invited_by=team["officer"],
    )
    page = client.get(reverse("portal:team")).content.decode()
    assert "pending@partner.example" not in page and 'name="role"' not in page
    other = team["viewer" if role == "editor" else "editor"]
    posts = [
        (reverse("portal:team"), {"email": "new@partner.example", "role": "officer"}),
        (reverse("portal:team_role", args=[team[role].pk]), {"role": "officer"}),
        (reverse("portal:team_active", args=[other.pk]), {"active": "0"}),
        (reverse("portal:invitation_resend", args=[invitation.pk]), {}),
        (reverse("portal:invitation_withdraw", args=[invitation.pk]), {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert FORBIDDEN_AR in response.content.decode()
    assert client.get(reverse("portal:invitation_withdraw", args=[invitation.pk])).status_code == 403
    assert list(Invitation.objects.values_list("token_hash", flat=True)) == ["pending"]
    assert User.objects.get(pk=team[role].pk).partner_role == role
    assert User.objects.get(pk=other.pk).is_active


@pytest.mark.parametrize(("role", "may_sign"), [("officer", True), ("editor", False), ("viewer", False)])
def test_only_an_officer_signs_from_the_account(client, role, may_sign):
    agreement, _contact, _chairman = sent_agreement()
    user = PartnerUserFactory(partner=agreement.partner, email="rep@partner.example", partner_role=role)
    client.force_login(user)
    sign_url = reverse("agreements:sign", args=[agreement.reference])
    home = client.get(reverse("portal:home")).content.decode()
    assert (sign_url in home) is may_sign
    response = client.get(sign_url)
    if may_sign:
        assert response.status_code == 200 and agreement.content_hash in response.content.decode()
    else:
        assert response.status_code == 302
        assert messages_of(response) == ["لا يوجد ما توقّعه في هذه الاتفاقية."]


# --- The team page -------------------------------------------------------------------------


def test_an_officer_changes_a_role_and_it_takes_effect(client, team):
    client.force_login(team["officer"])
    page = client.get(reverse("portal:team")).content.decode()
    assert "مُحرِّر" in page and "مُطّلِع" in page  # the roles are shown
    response = client.post(reverse("portal:team_role", args=[team["viewer"].pk]), {"role": "editor"})
    assert response.status_code == 302
    assert User.objects.get(pk=team["viewer"].pk).partner_role == "editor"


def test_an_unknown_role_is_refused_with_a_message(client, team):
    client.force_login(team["officer"])
    response = client.post(reverse("portal:team_role", args=[team["viewer"].pk]), {"role": "owner"})
    assert messages_of(response) == ["اختر أحد الأدوار المعروضة."]
    assert User.objects.get(pk=team["viewer"].pk).partner_role == "viewer"


def test_the_last_officer_can_be_neither_demoted_nor_deactivated(client, team):
    officer = team["officer"]
    client.force_login(officer)
    demoted = client.post(reverse("portal:team_role", args=[officer.pk]), {"role": "editor"}, follow=True)
    assert LAST_OFFICER_AR in demoted.content.decode()
    assert User.objects.get(pk=officer.pk).partner_role == "officer"
    # Another officer appointed: now the first may step down, and the second cannot be left alone.
    client.post(reverse("portal:team_role", args=[team["editor"].pk]), {"role": "officer"})
    client.post(reverse("portal:team_role", args=[officer.pk]), {"role": "viewer"})
    assert User.objects.get(pk=officer.pk).partner_role == "viewer"
    second = User.objects.get(pk=team["editor"].pk)
    client.force_login(second)
    client.post(reverse("portal:team_role", args=[officer.pk]), {"role": "officer"})
    deactivated = client.post(reverse("portal:team_active", args=[second.pk]), {"active": "0"}, follow=True)
    assert "لا يمكنك إيقاف حسابك أنت" in deactivated.content.decode()
    client.force_login(User.objects.get(pk=officer.pk))
    client.post(reverse("portal:team_role", args=[second.pk]), {"role": "editor"})
    refused = client.post(reverse("portal:team_active", args=[officer.pk]), {"active": "0"}, follow=True)
    assert refused.status_code == 200  # own account: refused with its message, not a 500
    assert User.objects.filter(partner=officer.partner, partner_role="officer", is_active=True).count() == 1


def test_staff_cannot_leave_a_partner_without_an_officer_either(team):
    with translation.override("ar"), pytest.raises(ValidationError) as refused:
        partner_user_set_active(user=team["officer"], active=False, by=StaffFactory())
    assert LAST_OFFICER_AR in refused.value.messages[0]
    assert User.objects.get(pk=team["officer"].pk).is_active


def test_pending_invitations_are_listed_resent_with_a_new_link_and_withdrawn(client, team):
    client.force_login(team["officer"])
    invite(client, "guest@partner.example", role="viewer")
    first_link = LINK.search(mail.outbox[-1].body).group(0)
    Invitation.objects.create(  # expired: not listed
        partner=team["agreement"].partner,
        email="old@partner.example",
        token_hash="old",
        expires_at=timezone.now() - datetime.timedelta(days=1),
        invited_by=team["officer"],
    )
    page = client.get(reverse("portal:team")).content.decode()
    assert "guest@partner.example" in page and "old@partner.example" not in page
    invitation = Invitation.objects.get(email="guest@partner.example")
    assert invitation.role == "viewer"

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("portal:invitation_resend", args=[invitation.pk]))
    second_link = LINK.search(mail.outbox[-1].body).group(0)
    assert mail.outbox[-1].to == ["guest@partner.example"] and second_link != first_link
    client.logout()
    assert client.get(first_link).status_code == 404
    assert client.get(second_link).status_code == 200

    client.force_login(team["officer"])
    confirm = client.get(reverse("portal:invitation_withdraw", args=[invitation.pk]))
    assert confirm.status_code == 200 and "guest@partner.example" in confirm.content.decode()
    assert Invitation.objects.filter(pk=invitation.pk).exists()  # asking is not withdrawing
    client.post(reverse("portal:invitation_withdraw", args=[invitation.pk]))
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    client.logout()
    assert client.get(second_link).status_code == 404


def test_an_accepted_or_expired_invitation_cannot_be_resent(client, team):
    client.force_login(team["officer"])
    accepted = Invitation.objects.create(
        partner=team["agreement"].partner,
        email="done@partner.example",
        token_hash="done",
        expires_at=timezone.now() + datetime.timedelta(days=3),
        accepted_at=timezone.now(),
        invited_by=team["officer"],
    )
    assert client.post(reverse("portal:invitation_resend", args=[accepted.pk])).status_code == 404
    assert Invitation.objects.get(pk=accepted.pk).token_hash == "done"


def test_the_invitation_carries_its_role_to_the_new_account(client, team):
    client.force_login(team["officer"])
    invite(client, "reader@partner.example", role="viewer")
    link = LINK.search(mail.outbox[-1].body).group(0)
    client.logout()
    client.post(link, {"first_name": "قارئ", "password1": "Qatif-Strong-Pass-9", "password2": "Qatif-Strong-Pass-9"})
    assert User.objects.get(email="reader@partner.example").partner_role == "viewer"


def test_the_invitation_form_answers_the_same_whether_or_not_the_address_has_an_account(client, team):
    PartnerUserFactory(email="known@elsewhere.example")  # another partner's user
    client.force_login(team["officer"])
    mail.outbox.clear()
    known = invite(client, "Known@Elsewhere.example")
    unknown = invite(client, "nobody@elsewhere.example")

    def normalised(response) -> str:
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = html.replace("Known@Elsewhere.example", "ADDRESS").replace("nobody@elsewhere.example", "ADDRESS")
        # The pending list shows the new invitation: compare the page above it.
        return html.split('data-testid="pending-invitations"')[0]

    assert known.status_code == unknown.status_code == 200
    assert [m.replace("Known@Elsewhere.example", "X") for m in messages_of(known)] == [
        m.replace("nobody@elsewhere.example", "X") for m in messages_of(unknown)
    ]
    assert normalised(known) == normalised(unknown)
    # No invitation for the existing account: that person gets a note instead, saying how to log in.
    assert not Invitation.objects.filter(email__iexact="known@elsewhere.example").exists()
    note, invitation = mail.outbox
    assert note.to == ["known@elsewhere.example"] and not LINK.search(note.body)
    assert reverse("accounts:login") in note.body and reverse("accounts:password_reset") in note.body
    assert invitation.to == ["nobody@elsewhere.example"] and LINK.search(invitation.body)


def test_the_team_page_is_refused_in_arabic_for_bad_invitation_input(client, team):
    client.force_login(team["officer"])
    response = client.post(reverse("portal:team"), {"email": "not-an-address", "role": "viewer"})
    assert response.status_code == 200
    assert "لم يُرسل شيء" in response.content.decode()
    assert not Invitation.objects.exists()
