"""Focused tests for what the hostile-output fuzz found, and for the neutralising helpers."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import TestCase
from django.urls import reverse

from accounts.models import Invitation
from agreements.models import Agreement
from agreements.pdf.render import FSI, LRI, PDI, display_name
from common.text import header_text, plain_name, reveal_bidi
from reminders.services import reminders_sweep
from tests.agreements.signing_helpers import open_link, sent_agreement, token_sent_to
from tests.factories import ContactFactory, set_status

RLO = "\u202e"


def render(source: str, **context) -> str:
    return Template("{% load arabic %}" + source).render(Context(context))


# --- the helpers -------------------------------------------------------------------------


def test_reveal_shows_each_control_as_a_marker_inside_an_isolate():
    html = render("{{ name|reveal }}", name=f"جمعية {RLO}<b>الخير</b>")
    assert RLO not in html
    assert html.startswith("<bdi>") and html.endswith("</bdi>")
    assert '<span class="bidi-marker" dir="ltr" title="' in html and "[U+202E]</span>" in html
    assert "&lt;b&gt;الخير&lt;/b&gt;" in html  # the rest is still escaped


def test_reveal_leaves_a_clean_name_alone_but_isolated():
    assert render("{{ name|reveal }}", name="جمعية البر & Co") == "<bdi>جمعية البر &amp; Co</bdi>"


def test_reveal_lines_keeps_line_breaks_and_escapes_markup():
    html = render('{{ text|reveal:"lines" }}', text="سطر <i>أول</i>\nسطر\u2066ثان")
    assert html.startswith('<bdi>سطر &lt;i&gt;أول&lt;/i&gt;<br>سطر<span class="bidi-marker" dir="ltr" title="')
    assert html.endswith('">[U+2066]</span>ثان</bdi>')


def test_plain_text_reveals_with_balanced_isolates_only():
    text = plain_name(f"أ{RLO}ب\u200f")
    assert text == f"{FSI}أ{LRI}[U+202E]{PDI}ب{LRI}[U+200F]{PDI}{PDI}"
    assert reveal_bidi("") == "" and plain_name("") == ""


def test_header_text_is_one_line_shortened_and_revealed():
    text = header_text("عنوان\r\nBcc: victim@example.org" + RLO + "x" * 300, limit=60)
    assert "\n" not in text and "\r" not in text
    assert "[U+202E]" in text and RLO not in text
    assert text.endswith("…")


def test_pdf_names_print_markers_and_keep_their_direction():
    name = display_name(f"جمعية{RLO}ريخلا\nسطر")
    assert name == f"{FSI}جمعية{LRI}[U+202E]{PDI}ريخلا سطر{PDI}"
    assert name.dir == "rtl"
    assert display_name("") == ""


# --- the bugs ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_title_with_a_line_break_does_not_stop_the_signing_emails():
    """Was BadHeaderError: the title went into the subject as it was stored."""
    sent, _contact, chairman = sent_agreement()
    Agreement.objects.filter(pk=sent.pk).update(title_ar="اتفاقية\r\nBcc: x@evil.example", title_en="")
    mail.outbox.clear()
    request = sent.signing_requests.get(party="partner")
    from agreements.signing.services import signing_resend

    with TestCase.captureOnCommitCallbacks(execute=True):
        signing_resend(signing_request=request, by=chairman)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "طلب توقيع: اتفاقية Bcc: x@evil.example | Please sign: اتفاقية Bcc: x@evil.example"


@pytest.mark.django_db
def test_inviting_a_contact_with_a_long_arabic_name_sends_the_invitation(staff_client):
    """Was a 500: a contact's name may have 200 characters, an invitation's only 150."""
    contact = ContactFactory(name_ar="أ" * 200, email="long@partner.example")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = staff_client.post(reverse("partners:contact_invite", args=[contact.partner_id, contact.pk]))
    assert response.status_code == 302
    assert Invitation.objects.get(email="long@partner.example").name == "أ" * 150
    assert [m.to for m in mail.outbox] == [["long@partner.example"]]


@pytest.mark.django_db
def test_unreadable_reminder_offsets_mean_the_default(admin_client):
    """Was a 500 on the renewals report and an exception in the daily sweep."""
    sent, _contact, _chairman = sent_agreement()
    agreement = set_status(sent, "active")
    Agreement.objects.filter(pk=agreement.pk).update(
        reminder_offsets="<b>x</b>", ends_on=datetime.date.today() + datetime.timedelta(days=20)
    )
    agreement.refresh_from_db()
    assert agreement.reminder_offset_list == []
    assert admin_client.get(reverse("reports:report", args=["ending"])).status_code == 200
    reminders_sweep()  # no exception


# --- the signing page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_page_warns_only_when_names_carry_direction_controls(client):
    sent, contact, _chairman = sent_agreement()
    token = token_sent_to(contact.email)
    open_link(client, token)
    clean = client.get(reverse("signing:page")).content.decode()
    assert 'data-testid="hidden-direction-warning"' not in clean

    # The partner's name as an import could store it: an override hiding the real order.
    sent.partner.__class__.objects.filter(pk=sent.partner_id).update(name_ar=f"جمعية {RLO}ريخلا")
    page = client.get(reverse("signing:page")).content.decode()
    assert 'data-testid="hidden-direction-warning"' in page
    assert "[U+202E]</span>" in page and RLO not in page


@pytest.mark.django_db
def test_sending_for_signature_refuses_a_charity_signatory_name_with_controls(staff_client):
    sent, _contact, _chairman = sent_agreement()
    draft = set_status(sent, "draft")
    response = staff_client.post(
        reverse("agreements:send", args=[draft.reference]),
        {"charity_name": f"أسامة{RLO}", "charity_email": "c@charity.example", "partner_contacts": []},
    )
    assert response.status_code == 200
    assert "احذف رموز اتجاه النص غير المرئية من هذا الحقل." in response.content.decode()


@pytest.mark.django_db
def test_a_renewal_reminder_for_a_300_character_title_is_sent_once():
    """Was DataError after the e-mail went out: the notification's title is the headline
    ("…: <title>"), longer than its 300 characters, so the reminder went back to the
    queue and its e-mail was sent again on every retry."""
    from reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
    from reminders.services import reminder_send
    from tests.factories import AgreementFactory, PartnerUserFactory

    agreement = set_status(AgreementFactory(title_ar="ع" * 300), "active")
    user = PartnerUserFactory(partner=agreement.partner)
    reminder = Reminder.objects.create(
        key="long-title",
        kind=ReminderKind.RENEWAL,
        agreement=agreement,
        offset_days=30,
        due_on=datetime.date(2026, 11, 1),
        recipient_email=user.email,
        recipient_user=user,
    )
    assert reminder_send(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert len(mail.outbox) == 1
    assert len(Notification.objects.get(user=user).title) == 300


@pytest.mark.parametrize("value", ["=1+2", "+A1", "-2+3", "@SUM(A1)", "\t=1+2", "\r=1+2"])
def test_csv_cells_that_a_spreadsheet_would_evaluate_stay_text(value):
    import csv
    import io

    from spreadsheets.formats import write_csv

    rows = list(csv.reader(io.StringIO(write_csv(["h"], [[value]]).lstrip("\ufeff"))))
    assert rows[1] == ["'" + value]


def test_csv_keeps_negative_numbers_as_numbers():
    from spreadsheets.formats import write_csv

    assert write_csv(["h"], [["-3"], [-3]]).splitlines()[1:] == ["-3", "-3"]
