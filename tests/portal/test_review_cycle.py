"""Issue 20's review cycle: staff return a report with a comment, the partner corrects and resubmits it
keeping its evidence, staff accept it; only accepted progress counts; over-target amounts are confirmed."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from agreements.models import Commitment, CommitmentStatus, Evidence, ProgressComment, ProgressUpdate
from reminders.models import Notification
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
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
    commitment = CommitmentFactory(
        clause=clause, party="partner", target_quantity=20, unit="trainees", description_ar="تدريب 20 متدربًا"
    )
    set_status(agreement, "active")
    user = PartnerUserFactory(partner=agreement.partner, email="dean@college.example")
    return agreement, commitment, user


def report(client, commitment, amount=5, files=(), **extra):
    data = {"amount": amount, "reported_on": "2026-06-01", "note": "دفعة", "files": list(files), **extra}
    return client.post(reverse("portal:report_progress", args=[commitment.pk]), data)


def review(client, update, decision, comment=""):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("agreements:progress_review", args=[update.pk]),
            {"decision": decision, "comment": comment},
            follow=True,
        )


def progress(commitment):
    return Commitment.objects.with_progress().values_list("achieved", "pending", "returned").get(pk=commitment.pk)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_returned_report_is_corrected_and_resubmitted_keeping_its_evidence_then_accepted(client, college):
    agreement, commitment, partner_user = college
    staff = agreement.owner
    client.force_login(partner_user)
    assert report(client, commitment, amount=5, files=[SimpleUploadedFile("attendance.pdf", PDF)]).status_code == 302
    update = ProgressUpdate.objects.get()
    assert progress(commitment) == (0, 5, 0)

    # Staff send it back with a comment.
    client.force_login(staff)
    assert (
        "أُعيد التقرير إلى مُرسله مع تعليقك"
        in review(client, update, "return", "أرفقوا كشف الحضور الموقّع").content.decode()
    )
    update.refresh_from_db()
    assert update.status == "returned"
    assert progress(commitment) == (0, 0, 5)

    # The partner is e-mailed (bilingual) and notified; both links open the correction form as the partner.
    message = mail.outbox[-1]
    assert message.to == ["dean@college.example"]
    assert "أرفقوا كشف الحضور الموقّع" in message.body and "sent your progress report back" in message.body
    assert "أُعيد تقرير الإنجاز" in message.subject
    notification = Notification.objects.get(user=partner_user, kind="progress_reviewed")
    assert notification.body == "أرفقوا كشف الحضور الموقّع"
    client.force_login(partner_user)
    for path in (link_in(message), notification.url):
        page = client.get(path)
        assert page.status_code == 200
        assert page.resolver_match.url_name == "progress_resubmit"
        html = page.content.decode()
        assert "أرفقوا كشف الحضور الموقّع" in html and "attendance.pdf" in html

    # Corrected and sent again: the first file stays, a second one is added, the thread grows.
    response = client.post(
        reverse("portal:progress_resubmit", args=[update.pk]),
        {
            "amount": 4,
            "reported_on": "2026-06-02",
            "note": "أربعة متدربين فقط",
            "comment": "صححنا العدد وأرفقنا الكشف",
            "files": [SimpleUploadedFile("signed-list.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.status, update.amount, update.note) == ("submitted", 4, "أربعة متدربين فقط")
    assert sorted(update.evidence.values_list("original_name", flat=True)) == ["attendance.pdf", "signed-list.pdf"]
    assert Notification.objects.filter(user=staff, kind="progress_submitted").count() == 2
    assert progress(commitment) == (0, 4, 0)

    # The review card shows the thread, the target, what is accepted and what this report adds.
    client.force_login(staff)
    queue = client.get(reverse("agreements:progress_queue")).content.decode()
    assert "صححنا العدد وأرفقنا الكشف" in queue and "أرفقوا كشف الحضور الموقّع" in queue
    assert "signed-list.pdf" in queue and "attendance.pdf" in queue
    assert 'data-testid="resubmitted"' in queue and 'data-testid="over-target"' not in queue
    assert "4 من 20 متدربًا" in queue  # what accepting it would make

    assert "قُبل التقرير وصار يُحتسب ضمن المستهدف" in review(client, update, "accept", "شكرًا").content.decode()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.IN_PROGRESS
    assert progress(commitment) == (4, 0, 0)
    thread = list(ProgressComment.objects.filter(update=update).values_list("kind", "author", "text"))
    assert thread == [
        ("returned", staff.pk, "أرفقوا كشف الحضور الموقّع"),
        ("resubmitted", partner_user.pk, "صححنا العدد وأرفقنا الكشف"),
        ("accepted", staff.pk, "شكرًا"),
    ]
    accepted_mail = mail.outbox[-1]
    assert "accepted your progress report" in accepted_mail.body
    client.force_login(partner_user)
    page = client.get(link_in(accepted_mail))
    assert page.status_code == 200 and page.resolver_match.url_name == "agreement"
    html = page.content.decode()
    assert f'id="progress-{update.pk}"' in html and "4 من 20" in html and "شكرًا" in html


def test_only_accepted_progress_counts_pending_and_returned_are_shown_apart(client, college):
    agreement, commitment, partner_user = college
    client.force_login(partner_user)
    for amount in (3, 6, 2):
        report(client, commitment, amount=amount)
    first, second, _third = ProgressUpdate.objects.order_by("id")
    client.force_login(agreement.owner)
    review(client, first, "accept")
    review(client, second, "return", "العدد غير صحيح")
    assert progress(commitment) == (3, 2, 6)
    client.force_login(partner_user)
    page = client.get(reverse("portal:commitments")).content.decode()
    assert "3 من 20" in page
    assert "بانتظار المراجعة: 2" in page and "أُعيد للتصحيح: 6" in page


def test_an_amount_past_the_target_needs_confirmation_and_is_flagged_to_the_reviewer(client, college):
    agreement, commitment, partner_user = college
    Commitment.objects.filter(pk=commitment.pk).update(target_quantity=4)
    client.force_login(partner_user)
    refused = report(client, commitment, amount=100)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'name="confirm_over_target"' in html  # the checkbox, shown now
    assert "أؤكد أن هذه الكمية تتجاوز المستهدف" in html
    assert "يتجاوز الإنجاز المستهدف البالغ 4 متدربين" in html  # why, in Arabic
    assert not ProgressUpdate.objects.exists()

    assert report(client, commitment, amount=100, confirm_over_target="on").status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.over_target_confirmed
    client.force_login(agreement.owner)
    card = client.get(reverse("agreements:progress_queue")).content.decode()
    assert 'data-testid="over-target"' in card and "يتجاوز المستهدف" in card
    assert "100 من 4 متدربين" in card


def test_the_form_does_not_ask_for_confirmation_within_the_target(client, college):
    _agreement, commitment, partner_user = college
    client.force_login(partner_user)
    page = client.get(reverse("portal:report_progress", args=[commitment.pk])).content.decode()
    assert "confirm_over_target" not in page
    assert report(client, commitment, amount=20).status_code == 302  # exactly the target: no question


def test_a_bad_evidence_file_is_named_once(client, college):
    _agreement, commitment, partner_user = college
    client.force_login(partner_user)
    files = [SimpleUploadedFile("good.pdf", PDF), SimpleUploadedFile("fake-report.pdf", b"<script>x</script>")]
    response = report(client, commitment, files=files)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("لا يُقبل إلا ملفات PDF") == 1
    assert html.count("fake-report.pdf") == 1
    assert "good.pdf" not in html
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_a_resubmission_may_not_pass_five_files_in_all(client, college):
    agreement, commitment, partner_user = college
    client.force_login(partner_user)
    report(client, commitment, files=[SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(4)])
    update = ProgressUpdate.objects.get()
    client.force_login(agreement.owner)
    review(client, update, "return", "ناقص")
    client.force_login(partner_user)
    response = client.post(
        reverse("portal:progress_resubmit", args=[update.pk]),
        {"amount": 5, "reported_on": "2026-06-01", "files": [SimpleUploadedFile(f"n{i}.pdf", PDF) for i in range(2)]},
    )
    assert response.status_code == 200 and "أرفق 5 ملفات على الأكثر" in response.content.decode()
    update.refresh_from_db()
    assert update.status == "returned" and update.evidence.count() == 4


def test_another_partners_user_can_neither_see_nor_resubmit_the_report(client, college):
    agreement, commitment, partner_user = college
    client.force_login(partner_user)
    report(client, commitment)
    update = ProgressUpdate.objects.get()
    client.force_login(agreement.owner)
    review(client, update, "return", "ناقص")
    url = reverse("portal:progress_resubmit", args=[update.pk])
    client.force_login(PartnerUserFactory())
    assert client.get(url).status_code == 404
    assert client.post(url, {"amount": 1, "reported_on": "2026-06-01"}).status_code == 404
    update.refresh_from_db()
    assert update.status == "returned" and update.amount == 5
    client.force_login(agreement.owner)  # staff do not use the portal
    assert client.get(url).status_code == 404


def test_a_report_not_returned_cannot_be_resubmitted(client, college):
    _agreement, commitment, partner_user = college
    client.force_login(partner_user)
    report(client, commitment)
    update = ProgressUpdate.objects.get()
    url = reverse("portal:progress_resubmit", args=[update.pk])
    response = client.post(url, {"amount": 9, "reported_on": "2026-06-01"}, follow=True)
    assert "لا ينتظر هذا التقرير تصحيحًا" in response.content.decode()
    update.refresh_from_db()
    assert update.amount == 5 and update.status == "submitted"


@pytest.mark.parametrize(
    "data",
    [
        {"amount": "abc", "reported_on": "2026-06-01"},
        {"amount": 3, "reported_on": "not a date"},
        {"amount": 3, "reported_on": "2026-06-01", "comment": "x" * 5000},
        {},
    ],
)
def test_bad_resubmissions_are_refused_without_error_pages(client, college, data):
    agreement, commitment, partner_user = college
    client.force_login(partner_user)
    report(client, commitment)
    update = ProgressUpdate.objects.get()
    client.force_login(agreement.owner)
    review(client, update, "return", "ناقص")
    client.force_login(partner_user)
    response = client.post(reverse("portal:progress_resubmit", args=[update.pk]), data)
    assert response.status_code == 200
    assert "لم يُرسل شيء" in response.content.decode()
    update.refresh_from_db()
    assert update.status == "returned"


def test_staff_correct_a_returned_report_of_their_own_from_the_emailed_link(client, college):
    agreement, commitment, _partner_user = college
    reporter = StaffFactory(email="coordinator@charity.example")
    client.force_login(reporter)
    client.post(
        reverse("agreements:report_progress", args=[commitment.pk]),
        {"amount": 2, "reported_on": "2026-06-01", "files": [SimpleUploadedFile("sheet.pdf", PDF)]},
    )
    update = ProgressUpdate.objects.get()
    client.force_login(agreement.owner)
    review(client, update, "return", "التاريخ غير صحيح")
    message = mail.outbox[-1]
    assert message.to == ["coordinator@charity.example"]
    client.force_login(reporter)
    page = client.get(link_in(message))
    assert page.status_code == 200 and page.resolver_match.view_name == "agreements:progress_resubmit"
    assert "sheet.pdf" in page.content.decode()
    response = client.post(link_in(message), {"amount": 2, "reported_on": "2026-05-30", "comment": "صححت التاريخ"})
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.status, update.reported_on, update.evidence.count()) == ("submitted", datetime.date(2026, 5, 30), 1)
    client.force_login(PartnerUserFactory(partner=agreement.partner))  # the staff page is not the portal's
    assert client.get(link_in(message)).status_code == 404
