"""A portal full of hostile text: every state a page can show, built through the real services.

`hostile_world(client)` makes the charity, a partner with contacts and portal users, and
agreements in every state a signer or staff member meets (draft, awaiting signatures
with an open link, declined, active with its sealed PDF, with an amendment, attachments,
progress and evidence), then overwrites every user-entered text field of every row with
the hostile strings (`fill_every_text_field`), as an import or an admin edit could.

Content that goes into a signature's content hash is made hostile before the agreement
is sent, and the value of a field depends only on its length, so the final overwrite
leaves every hash valid: the signing page shows the agreement rather than "changed".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, Left
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import STAFF_READONLY
from agreements.amendments.content import ClauseState, Content, changes_between, content_of
from agreements.lifecycle import transition
from agreements.models import (
    Agreement,
    Amendment,
    Attachment,
    Commitment,
    Evidence,
    PeriodReport,
    ProgressComment,
    ProgressUpdate,
)
from partners.models import CharityProfile
from reminders.calendar import feed_issue
from reminders.models import Notification, Reminder, ReminderKind
from reports.models import BoardReport
from spreadsheets.models import ExportJob
from tests.agreements.signing_helpers import LINK, open_link, sign_post
from tests.factories import (
    AdminFactory,
    ContactFactory,
    PartnerFactory,
    PartnerUserFactory,
    ReadOnlyStaffFactory,
    StaffFactory,
    agreement_with_clauses,
)

from .strings import value_for

PROJECT_APPS = ("accounts", "partners", "agreements", "reminders", "reports", "outbox", "portal")

# Text fields the fuzz leaves alone, with the reason. Every other CharField/TextField of
# the project's models is filled; a new field must be added to one or the other.
NOT_USER_TEXT = {
    # Secrets, hashes and codes the portal computes.
    "accounts.User.password": "password hash",
    "accounts.Invitation.token_hash": "secret hash",
    "agreements.SigningRequest.token_hash": "secret hash",
    "reminders.CalendarFeed.token_hash": "secret hash",
    "agreements.Agreement.reference": "generated reference, part of every URL",
    "agreements.HistoricalAgreement.reference": "generated reference",
    "agreements.Agreement.content_hash": "computed hash",
    "agreements.HistoricalAgreement.content_hash": "computed hash",
    "agreements.Amendment.content_hash": "computed hash",
    "agreements.HistoricalAmendment.content_hash": "computed hash",
    "agreements.Signature.content_hash": "computed hash",
    "agreements.Signature.image_sha256": "computed hash",
    "agreements.SignedPdf.sha256": "computed hash",
    "reports.ExportJob.sha256": "computed hash",
    "reports.BoardReport.sha256": "computed hash",
    "agreements.AuditEvent.prev_hash": "hash chain",
    "agreements.AuditEvent.hash": "hash chain",
    "agreements.AuditEvent.key_id": "id of the audit key",
    "agreements.Agreement.audit_head": "hash chain",
    "agreements.Agreement.verification_code": "generated code, part of a URL",
    "agreements.HistoricalAgreement.verification_code": "generated code",
    "agreements.Agreement.pdf_claimed_by": "worker id",
    "reminders.Reminder.key": "computed deduplication key",
    # Search columns rebuilt from the other fields on save.
    "agreements.Agreement.search_text": "derived",
    "agreements.Clause.search_text": "derived",
    "partners.Partner.search_text": "derived",
    # Which export to run: chosen from the portal's own lists, never typed.
    "reports.ExportJob.app_label": "internal",
    "reports.ExportJob.model_name": "internal",
    "reports.ExportJob.file_format": "internal",
    "reports.ExportJob.language": "internal",
    "outbox.OutboxMessage.task": "internal task name",
}


def text_fields() -> dict[str, models.Field]:
    """Every CharField/TextField without choices of the project's models, by `app.Model.field`."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, CharField | models.TextField) and not f.choices:
                found[f"{model._meta.label}.{f.name}"] = f
    return found


def fields_to_fill() -> dict[str, models.Field]:
    """The text fields the fuzz fills: e-mail addresses keep a valid (quoted) address."""
    return {
        label: f
        for label, f in text_fields().items()
        if label not in NOT_USER_TEXT and not isinstance(f, models.EmailField)
    }


def fill_every_text_field() -> None:
    """Overwrite every user-entered text field of every row with its hostile value.

    `update()` skips validators and signals, as an import, a data migration or raw SQL
    would: the output must be safe whatever is stored. Unique fields get the row's id.
    URL fields get a `javascript:` URL.
    """
    by_model: dict[type[models.Model], dict] = {}
    for label, f in fields_to_fill().items():
        if isinstance(f, models.URLField):
            value = Value("javascript:alert(1)//\u202e" + value_for(label, 60))
        elif f.unique:
            suffix = Cast("pk", output_field=CharField())
            value = Left(Concat(Value(value_for(label, f.max_length)[:-12]), Value("#"), suffix), f.max_length)
        else:
            value = Value(value_for(label, f.max_length))
        by_model.setdefault(f.model, {})[f.name] = value
    for model, values in by_model.items():
        if model._meta.label == "agreements.AuditEvent":
            # The audit table refuses UPDATE (a trigger): written as a superuser past it would.
            from django.db import connection

            from tests.agreements.signing_helpers import triggers_off

            with connection.cursor() as raw, triggers_off(raw):
                model._base_manager.update(**values)
            continue
        model._base_manager.update(**values)
    cache.clear()  # the charity profile is cached; update() does not clear it


@dataclass
class World:
    admin: object
    staff: object
    readonly: object
    chairman: object
    partner_user: object
    partner: object
    contact: object
    draft: Agreement
    pending: Agreement
    declined: Agreement
    active: Agreement
    pending_token: str
    invitation_token: str = ""
    calendar_url: str = ""
    extra: dict = field(default_factory=dict)


def _send(agreement: Agreement, *, contact, chairman, by) -> Agreement:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return transition(
            agreement,
            "send_for_signature",
            by=by,
            signatories=[
                {
                    "party": "charity",
                    "name": chairman.first_name,
                    "title": contact.title_ar,
                    "email": chairman.email,
                    "user": chairman,
                },
                {
                    "party": "partner",
                    "contact": contact,
                    "name": contact.name_ar,
                    "title": contact.title_ar,
                    "email": contact.email,
                },
            ],
        )


def hostile_world(client) -> World:
    """Build the portal's states through its services, then fill every text field."""
    cache.clear()
    CharityProfile.load()
    admin, staff = AdminFactory(), StaffFactory()
    readonly = ReadOnlyStaffFactory()
    chairman = StaffFactory(email="o'chair@charity.example")
    chairman.groups.add(Group.objects.get(name=STAFF_READONLY))
    partner = PartnerFactory()
    contact = ContactFactory(partner=partner, email="o'rep@partner.example", can_sign=True, is_primary=True)
    ContactFactory(partner=partner, email="second@partner.example", can_sign=False)
    invitee = ContactFactory(partner=partner, email="invitee@partner.example", can_sign=False)
    partner_user = PartnerUserFactory(partner=partner, partner_role="officer", email="portal@partner.example")
    agreements = [agreement_with_clauses(clauses=2, partner=partner, owner=staff) for _ in range(4)]

    # What the signatures will cover is hostile before it is sent.
    fill_every_text_field()
    for user in (chairman, contact):
        user.refresh_from_db()
    draft, pending, declined, active = (_send(a, contact=contact, chairman=chairman, by=staff) for a in agreements)
    draft = transition(draft, "recall", by=staff)

    # A signer declines with a hostile reason; another agreement is signed by both.
    open_link(client, _token_for(active, contact.email))
    client.post(reverse("signing:page"), sign_post(active.content_hash, name="<b>rep</b> \"'`", title="<i>t</i>"))
    open_link(client, _token_for(active, chairman.email))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("signing:page"),
            sign_post(active.content_hash, name="<b>chair</b>", method="typed", drawn="", typed="<b>chair</b>"),
        )
    declined_token = _token_for(declined, contact.email)
    open_link(client, declined_token)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("signing:page"), {"action": "decline", "reason": "<script>alert(1)</script>"})
    pending_token = _token_for(pending, contact.email)

    amendment_of(active, by=staff)
    for agreement in (draft, active):
        Attachment.objects.create(
            agreement=agreement,
            file=ContentFile(b"%PDF-1.4 hostile", name="a.pdf"),
            original_name="a.pdf",
            content_type="application/pdf",
            size=16,
            uploaded_by=staff,
        )
    update = ProgressUpdate.objects.create(
        commitment=active.clauses.first().commitments.first(),
        reported_on=datetime.date(2026, 6, 1),
        amount=3,
        reported_by=partner_user,
    )
    Evidence.objects.create(
        update=update,
        file=ContentFile(b"\x89PNG", name="e.png"),
        original_name="e.png",
        content_type="image/png",
        size=4,
    )
    # A report sent back, corrected and sent back again: its thread on the portal's correction page.
    returned = ProgressUpdate.objects.create(
        commitment=update.commitment,
        reported_on=datetime.date(2026, 6, 2),
        amount=2,
        reported_by=partner_user,
        status="returned",
        reviewed_by=staff,
    )
    for author, kind in ((staff, "returned"), (partner_user, "resubmitted"), (staff, "returned")):
        ProgressComment.objects.create(update=returned, author=author, kind=kind, text="t")
    # A quarter's report late (its form), the next one sent with a breakdown (what was sent).
    PeriodReport.objects.create(
        agreement=active,
        party="partner",
        schedule="quarterly",
        number=1,
        starts_on=datetime.date(2026, 3, 16),
        ends_on=datetime.date(2026, 6, 15),
        due_on=datetime.date(2026, 6, 29),
    )
    sent = PeriodReport.objects.create(
        agreement=active,
        party="partner",
        schedule="quarterly",
        number=2,
        starts_on=datetime.date(2026, 6, 16),
        ends_on=datetime.date(2026, 9, 15),
        due_on=datetime.date(2026, 9, 29),
        status="submitted",
        narrative="n",
        submitted_by=partner_user,
        submitted_at=timezone.now(),
    )
    Commitment.objects.filter(pk=update.commitment_id).update(breakdown="town")
    ProgressUpdate.objects.create(
        commitment=update.commitment,
        reported_on=datetime.date(2026, 9, 15),
        amount=3,
        reported_by=partner_user,
        period_report=sent,
        breakdown={"saihat": 2, "qatif": 1},
    )
    Reminder.objects.create(
        key="hostile-renewal",
        kind=ReminderKind.RENEWAL,
        agreement=active,
        offset_days=30,
        due_on=datetime.date(2026, 11, 1),
        recipient_email=partner_user.email,
        recipient_user=partner_user,
    )
    for user in (staff, partner_user, admin):
        Notification.objects.create(user=user, kind="renewal", title="t", body="b", url="/", agreement=active)
    ExportJob.objects.create(
        created_by=admin, app_label="agreements", model_name="agreement", file_format="csv", language="ar"
    )
    # A board report whose render failed: its error (and file name) are shown on the staff page.
    BoardReport.objects.create(
        requested_by=staff,
        calendar="gregorian",
        year=2027,
        part="year",
        language="ar",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        status="failed",
        error="render failed",
    )

    # The invitation link and the calendar address are shown once; keep them.
    client.force_login(staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("partners:contact_invite", args=[partner.pk, invitee.pk]))
    client.logout()
    invitation_token = _invitation_token(invitee.email)
    calendar_url = feed_issue(partner_user)

    emails = list(mail.outbox)
    fill_every_text_field()
    for obj in (admin, staff, readonly, chairman, partner_user, partner, contact, draft, pending, declined, active):
        obj.refresh_from_db()
    hostile_changes(active)
    return World(
        admin=admin,
        staff=staff,
        readonly=readonly,
        chairman=chairman,
        partner_user=partner_user,
        partner=partner,
        contact=contact,
        draft=draft,
        pending=pending,
        declined=declined,
        active=active,
        pending_token=pending_token,
        invitation_token=invitation_token,
        calendar_url=calendar_url,
        extra={"emails": emails},
    )


def amendment_of(agreement: Agreement, *, by) -> Amendment:
    return Amendment.objects.create(
        agreement=agreement,
        number=1,
        title_ar="تعديل",
        text_ar="نص",
        effective_on=datetime.date(2026, 12, 1),
        created_by=by,
    )


def hostile_changes(agreement: Agreement) -> None:
    """Give the amendment a change set over the hostile content, itself hostile: a clause's
    text and a commitment changed, a commitment removed, a clause with a commitment added.

    Made after the overwrite, so the change set fits the content it amends (its editor opens)."""
    base = content_of(agreement)
    first, *rest = base.clauses
    text = value_for("agreements.Clause.text_ar", 500)
    commitments = list(first.commitments)
    changed = replace(commitments[0], target_quantity=commitments[0].target_quantity + 5, description_ar=text[:200])
    added = ClauseState(
        None,
        max(c.order for c in base.clauses) + 1,
        "media",
        "both",
        text,
        value_for("agreements.Clause.text_en", 500),
        (replace(commitments[0], key=None, description_en=value_for("agreements.Commitment.description_en", 200)),),
    )
    edited = Content(
        base.starts_on,
        base.ends_on,
        (replace(first, text_ar=text, commitments=(changed,)), *rest, added),
    )
    Amendment.objects.filter(agreement=agreement, number=1).update(changes=changes_between(base, edited))


def _token_for(agreement: Agreement, email: str) -> str:
    """The signing token e-mailed to `email` for `agreement` (its reference is in the body)."""
    for message in reversed(mail.outbox):
        if email in message.to and agreement.reference in message.body:
            return LINK.search(message.body).group(1)
    raise AssertionError(f"no signing e-mail for {agreement.reference} to {email}")


def _invitation_token(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to and "/accounts/invitation/" in message.body:
            return re.search(r"/accounts/invitation/([A-Za-z0-9_\-]+)/", message.body).group(1)
    raise AssertionError(f"no invitation e-mail to {email}")
