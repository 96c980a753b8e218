"""The partner portal: home, commitments, progress with evidence, review, colleagues, invitations."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from accounts.models import Invitation, User
from agreements.models import CommitmentStatus, Evidence, ProgressUpdate
from reminders.models import Notification
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerUserFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def college():
    agreement = AgreementFactory(title_ar="اتفاقية الكلية", starts_on=datetime.date(2026, 1, 1))
    clause = ClauseFactory(agreement=agreement, order=1, kind="training")
    partner_side = CommitmentFactory(
        clause=clause, party="partner", target_quantity=20, description_ar="تدريب 20 متدربًا"
    )
    charity_side = CommitmentFactory(
        clause=clause, party="charity", target_quantity=10, description_ar="ترشيح المتدربين"
    )
    set_status(agreement, "active")
    user = PartnerUserFactory(partner=agreement.partner, email="dean@college.example")
    return agreement, partner_side, charity_side, user


def report(client, commitment, amount=5, files=None, **extra):
    data = {"amount": amount, "reported_on": "2026-06-01", "note": "دفعة", **extra}
    if files is not None:
        data["files"] = files
    return client.post(reverse("portal:report_progress", args=[commitment.pk]), data)


def test_home_lists_own_agreements_active_first_and_hides_drafts(client, college):
    agreement, _p, _c, user = college
    draft = AgreementFactory(partner=agreement.partner, title_ar="مسودة داخلية")
    ended = set_status(AgreementFactory(partner=agreement.partner, title_ar="اتفاقية منتهية"), "expired")
    awaiting = set_status(
        AgreementFactory(partner=agreement.partner, title_ar="بانتظار التوقيع"), "awaiting_signatures"
    )
    client.force_login(user)
    response = client.get(reverse("portal:home"))
    titles = [a.title_ar for a in response.context["agreements"]]
    assert titles == [agreement.title_ar, awaiting.title_ar, ended.title_ar]
    assert draft.title_ar not in response.content.decode()


def test_partner_reports_progress_with_a_pdf_and_staff_accept_it(client, college):
    agreement, partner_side, _charity_side, user = college
    client.force_login(user)
    response = report(client, partner_side, files=[SimpleUploadedFile("proof.pdf", PDF)])
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.amount, update.status, update.reported_by) == (5, "submitted", user)
    evidence = Evidence.objects.get()
    assert evidence.original_name == "proof.pdf" and "proof" not in evidence.file.name
    assert Notification.objects.filter(user=agreement.owner, kind="progress_submitted").exists()

    staff = agreement.owner
    client.force_login(staff)
    queue = client.get(reverse("agreements:progress_queue")).content.decode()
    assert "proof.pdf" in queue
    client.post(reverse("agreements:progress_review", args=[update.pk]), {"decision": "accept", "comment": ""})
    partner_side.refresh_from_db()
    assert partner_side.status == CommitmentStatus.IN_PROGRESS
    assert Notification.objects.filter(user=user, kind="progress_reviewed").exists()

    client.force_login(user)
    page = client.get(reverse("portal:agreement", args=[agreement.reference])).content.decode()
    assert "5 من 20" in page
    assert "مقبول" in page


def test_reaching_the_target_marks_the_commitment_achieved(client, college):
    agreement, partner_side, _c, user = college
    client.force_login(user)
    report(client, partner_side, amount=20)
    client.force_login(agreement.owner)
    client.post(reverse("agreements:progress_review", args=[ProgressUpdate.objects.get().pk]), {"decision": "accept"})
    partner_side.refresh_from_db()
    assert partner_side.status == CommitmentStatus.ACHIEVED


def test_sending_back_needs_a_comment_and_the_partner_sees_it(client, college):
    agreement, partner_side, _c, user = college
    client.force_login(user)
    report(client, partner_side)
    update = ProgressUpdate.objects.get()
    client.force_login(agreement.owner)
    response = client.post(
        reverse("agreements:progress_review", args=[update.pk]), {"decision": "return", "comment": ""}, follow=True
    )
    assert "اذكر سبب إعادة التقرير" in response.content.decode()
    client.post(
        reverse("agreements:progress_review", args=[update.pk]), {"decision": "return", "comment": "أرفقوا كشف الحضور"}
    )
    update.refresh_from_db()
    assert update.status == "returned"
    client.force_login(user)
    page = client.get(reverse("portal:agreement", args=[agreement.reference])).content.decode()
    assert "أرفقوا كشف الحضور" in page
    partner_side.refresh_from_db()
    assert partner_side.status == CommitmentStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("files", "data", "message"),
    [
        ([SimpleUploadedFile("proof.pdf", b"<script>alert(1)</script>")], {}, "لا يُقبل إلا ملفات PDF"),
        ([SimpleUploadedFile("photo.svg", b"<svg/>")], {}, "لا يُقبل إلا ملفات PDF"),
        ([], {"amount": -3}, "تحقق من أن"),
        ([], {"reported_on": "2099-01-01"}, "لا يمكن أن يكون تاريخ الإنجاز في المستقبل"),
        ([SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(6)], {}, "أرفق 5 ملفات على الأكثر"),
    ],
)
def test_bad_progress_reports_are_refused_and_save_nothing(client, college, files, data, message):
    _agreement, partner_side, _c, user = college
    client.force_login(user)
    response = report(client, partner_side, files=files, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


def test_partner_cannot_report_on_the_charitys_commitment(client, college):
    _agreement, _p, charity_side, user = college
    client.force_login(user)
    assert report(client, charity_side).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_staff_report_the_charitys_own_commitment_and_both_sides_see_it(client, college):
    agreement, _p, charity_side, user = college
    client.force_login(agreement.owner)
    response = client.post(
        reverse("agreements:report_progress", args=[charity_side.pk]),
        {"amount": 4, "reported_on": "2026-06-01", "note": ""},
    )
    assert response.status_code == 302
    client.post(reverse("agreements:progress_review", args=[ProgressUpdate.objects.get().pk]), {"decision": "accept"})
    client.force_login(user)
    commitments = client.get(reverse("portal:commitments")).content.decode()
    assert "4 من 10" in commitments


def test_commitments_view_filters_by_status_and_kind(client, college):
    agreement, partner_side, charity_side, user = college
    set_status(agreement, "draft")
    CommitmentFactory(clause=ClauseFactory(agreement=agreement, order=2, kind="media"), party="partner")
    set_status(agreement, "active")
    client.force_login(user)
    response = client.get(reverse("portal:commitments"), {"kind": "training"})
    shown = [c.pk for _a, _k, items in response.context["groups"] for c in items]
    assert sorted(shown) == sorted([partner_side.pk, charity_side.pk])
    overdue = client.get(reverse("portal:commitments"), {"status": "overdue"})
    assert all(c.is_overdue for _a, _k, items in overdue.context["groups"] for c in items)


def test_evidence_files_only_for_those_who_may_see_them(client, college):
    _agreement, partner_side, _c, user = college
    client.force_login(user)
    report(client, partner_side, files=[SimpleUploadedFile("proof.pdf", PDF)])
    url = reverse("agreements:evidence_download", args=[Evidence.objects.get().pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    client.force_login(PartnerUserFactory())
    assert client.get(url).status_code == 404


def test_staff_invite_a_contact_who_sets_a_password_once(client, college):
    agreement, _p, _c, _user = college
    contact = ContactFactory(partner=agreement.partner, email="new.rep@college.example", name_ar="ممثل جديد")
    client.force_login(agreement.owner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("partners:contact_invite", args=[agreement.partner.pk, contact.pk]))
    message = mail.outbox[-1]
    assert message.to == ["new.rep@college.example"]
    link = re.search(r"/accounts/invitation/([A-Za-z0-9_\-]+)/", message.body).group(0)
    assert Invitation.objects.get().token_hash not in message.body
    # The e-mail says what the link does: it opens until the account exists (not "once").
    assert "مرة واحدة" not in message.body and "until you create your account" in message.body
    client.logout()
    assert client.get(link).status_code == 200 and client.get(link).status_code == 200
    weak = client.post(link, {"first_name": "ممثل", "password1": "123", "password2": "123"})
    assert weak.status_code == 200 and not User.objects.filter(email="new.rep@college.example").exists()
    response = client.post(
        link, {"first_name": "ممثل", "password1": "Qatif-Strong-Pass-9", "password2": "Qatif-Strong-Pass-9"}
    )
    assert response["Location"] == reverse("portal:home")
    new_user = User.objects.get(email="new.rep@college.example")
    assert new_user.partner == agreement.partner
    client.logout()
    assert client.get(link).status_code == 404  # single-use


def test_an_invitation_made_while_the_mail_server_is_busy_is_sent_by_the_retry(client, college, settings):
    import smtplib

    from accounts.services import invitation_create, invitation_send
    from common.mail import is_transient
    from outbox.models import OutboxMessage

    agreement, _p, _c, _user = college
    settings.EMAIL_BACKEND = "tests.reminders.failing_backend.BusyBackend"
    with TestCase.captureOnCommitCallbacks(execute=False):  # as if the broker took it for later
        invitation = invitation_create(
            partner=agreement.partner, email="Later@College.example", name="لاحقًا", by=agreement.owner
        )
    assert OutboxMessage.objects.get().task == "accounts.tasks.send_invitation"
    placeholder = invitation.token_hash
    with pytest.raises(smtplib.SMTPResponseException) as excinfo:
        invitation_send(invitation_id=invitation.pk)
    assert is_transient(excinfo.value)  # the task retries it with backoff
    invitation.refresh_from_db()
    assert invitation.token_hash == placeholder and mail.outbox == []  # the new link was rolled back

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitation_send(invitation_id=invitation.pk) is True
    assert mail.outbox[-1].to == ["later@college.example"]
    link = re.search(r"/accounts/invitation/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body).group(0)
    assert client.get(link).status_code == 200
    # Sent twice (a worker lost after sending): only the newest email's link works.
    assert invitation_send(invitation_id=invitation.pk) is True
    newest = re.search(r"/accounts/invitation/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body).group(0)
    assert client.get(link).status_code == 404 and client.get(newest).status_code == 200
    # Accepted, nothing more is sent.
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at="2026-11-01T00:00:00Z")
    assert invitation_send(invitation_id=invitation.pk) is False


def test_expired_invitation_does_not_work(client, college):
    _agreement, _p, _c, user = college
    user.partner_role = "officer"
    user.save()
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("portal:team"), {"email": "colleague@college.example", "name": "زميل", "role": "editor"})
    link = re.search(r"/accounts/invitation/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body).group(0)
    Invitation.objects.update(expires_at="2000-01-01T00:00:00Z")
    client.logout()
    assert client.get(link).status_code == 404


def test_partner_admin_manages_only_own_colleagues(client, college):
    agreement, _p, _c, admin = college
    admin.partner_role = "officer"
    admin.save()
    colleague = PartnerUserFactory(partner=agreement.partner)
    stranger = PartnerUserFactory()
    client.force_login(admin)
    client.post(reverse("portal:team_active", args=[colleague.pk]), {"active": "0"})
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert client.post(reverse("portal:team_active", args=[stranger.pk]), {"active": "0"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active
    response = client.post(reverse("portal:team_active", args=[admin.pk]), {"active": "0"}, follow=True)
    assert "لا يمكنك إيقاف حسابك أنت" in response.content.decode()


def test_a_plain_partner_user_cannot_invite(client, college):
    _agreement, _p, _c, user = college
    client.force_login(user)
    assert client.post(reverse("portal:team"), {"email": "x@college.example", "role": "editor"}).status_code == 403
    assert not Invitation.objects.exists()


def test_password_reset_by_email_works(client, college):
    _agreement, _p, _c, user = college
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"/accounts/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[-1].body).group(0)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Another-Strong-9", "new_password2": "Another-Strong-9"}
    )
    assert response.status_code == 302
    login = client.post("/accounts/login/", {"username": user.username, "password": "Another-Strong-9"})
    assert login.status_code == 302 and login["Location"] == "/"


def test_staff_are_not_portal_users(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("portal:commitments")).status_code == 404


def test_a_too_short_password_is_refused_in_arabic(client, college):
    """Found by the fuzz tests: Django 5.2's length message has no Arabic translation yet."""
    _agreement, _p, _c, user = college
    user.partner_role = "officer"
    user.save()
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("portal:team"), {"email": "short@college.example", "name": "زميل", "role": "editor"})
    link = re.search(r"/accounts/invitation/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body).group(0)
    client.logout()
    response = client.post(link, {"first_name": "زميل", "password1": "Q-9x", "password2": "Q-9x"})
    assert response.status_code == 200
    assert "كلمة المرور قصيرة جدًا" in response.content.decode()
    assert "too short" not in response.content.decode()
    assert not User.objects.filter(email="short@college.example").exists()
