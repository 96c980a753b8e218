"""Every URL of the project, requested by every role: nobody sees another partner's data.

The URL list comes from the URL resolver, so a new URL is covered automatically; one
with parameters must be given its arguments in OBJECT_ARGS below (the test says so).
Partner A's users request everything pointing at partner B's objects, with GET and POST:
the answer is never a success, and no response contains anything of partner B.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Invitation, User
from agreements.amendments.content import content_of, content_to_json
from agreements.models import (
    Agreement,
    Amendment,
    Attachment,
    Commitment,
    Evidence,
    PeriodReport,
    ProgressUpdate,
    SignedPdf,
    SigningRequest,
)
from agreements.progress import progress_report, progress_review
from reminders.models import Notification
from reports.models import BoardReport
from spreadsheets.models import ExportJob
from tests.factories import (
    AdminFactory,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerFactory,
    PartnerUserFactory,
    ReadOnlyStaffFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    partner: object
    agreement: object
    commitment: object
    contact: object
    attachment: object
    update: object
    returned: object
    evidence: object
    signing_request: object
    user: object
    admin_user: object
    invitation: object
    notification: object
    export_job: object
    board_report: object
    period_report: object
    markers: list[str]


def build_partner(label: str, staff) -> World:
    partner = PartnerFactory(name_ar=f"جمعية {label} السرية", name_en=f"Secret {label} Association")
    contact = ContactFactory(partner=partner, name_ar=f"ممثل {label} السري", email=f"rep-{label}@example.org")
    agreement = AgreementFactory(partner=partner, title_ar=f"اتفاقية {label} السرية", owner=staff)
    clause = ClauseFactory(agreement=agreement, order=1, text_ar=f"بند {label} السري")
    commitment = CommitmentFactory(clause=clause, party="partner", description_ar=f"التزام {label} السري")
    signing_request = SigningRequest.objects.create(
        agreement=agreement, party="partner", contact=contact, name=contact.name_ar, email=contact.email
    )
    set_status(agreement, "active")
    Agreement.objects.filter(pk=agreement.pk).update(verification_code=f"code-{agreement.pk}", pdf_status="ready")
    SignedPdf.objects.create(
        agreement=agreement,
        language="ar",
        file=SimpleUploadedFile(f"signed-{label}.pdf", PDF),
        sha256=f"{agreement.pk:064d}",
        size=len(PDF),
    )
    user = PartnerUserFactory(partner=partner, email=f"user-{label}@example.org")
    admin_user = PartnerUserFactory(partner=partner, partner_role="officer")
    invitation = Invitation.objects.create(
        partner=partner,
        email=f"invited-{label}@example.org",
        name=f"مدعو {label} السري",
        role="viewer",
        token_hash=f"{label}-invitation",
        expires_at=timezone.now() + datetime.timedelta(days=7),
        invited_by=admin_user,
    )
    attachment = Attachment.objects.create(
        agreement=agreement,
        original_name=f"annex-{label}-secret.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=staff,
        file=SimpleUploadedFile("a.pdf", PDF),
    )
    update = progress_report(
        commitment=commitment,
        by=user,
        amount=3,
        reported_on=datetime.date(2026, 6, 1),
        note=f"ملاحظة {label} السرية",
        files=[SimpleUploadedFile(f"evidence-{label}-secret.pdf", PDF)],
    )
    returned = progress_report(
        commitment=commitment, by=user, amount=2, reported_on=datetime.date(2026, 6, 2), note="", files=[]
    )
    progress_review(update=returned, accept=False, comment=f"تعليق {label} السري", by=staff)
    notification = Notification.objects.create(user=user, kind="renewal", title=f"تنبيه {label} السري")
    # In force, so its partner's users see it, its diff and the text before it (arranged directly).
    Amendment.objects.create(
        agreement=agreement,
        number=1,
        text_ar=f"تعديل {label} السري",
        effective_on=datetime.date(2026, 6, 1),
        created_by=staff,
        changes=[{"op": "term", "old": {"ends_on": "2028-03-15"}, "new": {"ends_on": "2029-03-15"}}],
        status="active",
        signed_on=datetime.date(2026, 5, 20),
        content_before=content_to_json(content_of(agreement)),
    )
    # A period report due, on the partner's side (opened as the daily sweep would).
    period_report = PeriodReport.objects.create(
        agreement=agreement,
        party="partner",
        schedule="quarterly",
        number=1,
        starts_on=agreement.starts_on,
        ends_on=agreement.starts_on + datetime.timedelta(days=89),
        due_on=agreement.starts_on + datetime.timedelta(days=103),
    )
    export_job = ExportJob.objects.create(
        created_by=staff, app_label="agreements", model_name="agreement", file_format="csv", language="ar"
    )
    # A finished board report (staff only): a partner user must never get its PDF.
    pdf = b"%PDF-1.4 board " + label.encode()
    board_report = BoardReport(
        requested_by=staff,
        calendar="gregorian",
        year=2027,
        part="year",
        language="ar",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        status="done",
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
    )
    board_report.file.save("board.pdf", ContentFile(pdf), save=False)
    board_report.save()
    markers = [
        partner.name_ar,
        partner.name_en,
        contact.name_ar,
        agreement.title_ar,
        agreement.reference,
        f"evidence-{label}-secret.pdf",
        f"annex-{label}-secret.pdf",
        f"ملاحظة {label} السرية",
        f"تنبيه {label} السري",
        f"تعديل {label} السري",
        f"التزام {label} السري",
        f"تعليق {label} السري",
        f"مدعو {label} السري",
        f"invited-{label}@example.org",
    ]
    return World(
        partner=partner,
        agreement=agreement,
        commitment=commitment,
        contact=contact,
        attachment=attachment,
        update=update,
        returned=returned,
        evidence=Evidence.objects.get(update=update),
        signing_request=signing_request,
        user=user,
        admin_user=admin_user,
        invitation=invitation,
        notification=notification,
        export_job=export_job,
        board_report=board_report,
        period_report=period_report,
        markers=markers,
    )


# URL name → how to fill its parameters with one of partner B's objects.
OBJECT_ARGS = {
    "agreements:detail": lambda w: [w.agreement.reference],
    "agreements:edit": lambda w: [w.agreement.reference],
    "agreements:history": lambda w: [w.agreement.reference],
    "agreements:audit": lambda w: [w.agreement.reference],
    "agreements:send": lambda w: [w.agreement.reference],
    "agreements:recall": lambda w: [w.agreement.reference],
    "agreements:terminate": lambda w: [w.agreement.reference],
    "agreements:reporting_schedule": lambda w: [w.agreement.reference],
    "agreements:renew": lambda w: [w.agreement.reference],
    "agreements:amendment_create": lambda w: [w.agreement.reference],
    "agreements:amendment": lambda w: [w.agreement.reference, 1],
    "agreements:amendment_edit": lambda w: [w.agreement.reference, 1],
    "agreements:amendment_delete": lambda w: [w.agreement.reference, 1],
    "agreements:amendment_send": lambda w: [w.agreement.reference, 1],
    "agreements:amendment_recall": lambda w: [w.agreement.reference, 1],
    "agreements:amendment_sign": lambda w: [w.agreement.reference, 1],
    "agreements:amendment_before": lambda w: [w.agreement.reference, 1],
    "agreements:amendment_pdf": lambda w: [w.agreement.reference, 1, "addendum", "ar"],
    "agreements:amendment_pdf_retry": lambda w: [w.agreement.reference, 1],
    "agreements:attachment_upload": lambda w: [w.agreement.reference],
    "agreements:attachment_download": lambda w: [w.agreement.reference, w.attachment.pk],
    "agreements:sign": lambda w: [w.agreement.reference],
    "agreements:signatory_resend": lambda w: [w.agreement.reference, w.signing_request.pk],
    "agreements:signatory_revoke": lambda w: [w.agreement.reference, w.signing_request.pk],
    "agreements:progress_review": lambda w: [w.update.pk],
    "agreements:progress_resubmit": lambda w: [w.returned.pk],
    "agreements:report_progress": lambda w: [w.commitment.pk],
    "agreements:evidence_download": lambda w: [w.evidence.pk],
    "agreements:period_report": lambda w: [w.period_report.pk],
    "partners:detail": lambda w: [w.partner.pk],
    "partners:edit": lambda w: [w.partner.pk],
    "partners:contact_invite": lambda w: [w.partner.pk, w.contact.pk],
    "reminders:open": lambda w: [w.notification.pk],
    "reminders:agreement": lambda w: [w.agreement.reference],
    "reminders:offsets": lambda w: [w.agreement.reference],
    "portal:agreement": lambda w: [w.agreement.reference],
    "portal:amendment": lambda w: [w.agreement.reference, 1],
    "portal:amendment_before": lambda w: [w.agreement.reference, 1],
    "portal:report_progress": lambda w: [w.commitment.pk],
    "portal:progress_resubmit": lambda w: [w.returned.pk],
    "portal:period_report": lambda w: [w.period_report.pk],
    "portal:period_report_xlsx": lambda w: [w.period_report.pk],
    "portal:period_report_upload": lambda w: [w.period_report.pk],
    "portal:team_active": lambda w: [w.user.pk],
    "portal:team_role": lambda w: [w.admin_user.pk],
    "portal:invitation_resend": lambda w: [w.invitation.pk],
    "portal:invitation_withdraw": lambda w: [w.invitation.pk],
    "signing:link": lambda w: ["x" * 43],
    "accounts:invitation": lambda w: ["y" * 43],
    "accounts:password_reset_confirm": lambda w: ["MQ", "set-password"],
    "calendar_feed": lambda w: ["z" * 43],
    "agreements:pdf": lambda w: [w.agreement.reference],
    "agreements:pdf_language": lambda w: [w.agreement.reference, "en"],
    "agreements:pdf_status": lambda w: [w.agreement.reference],
    "agreements:pdf_retry": lambda w: [w.agreement.reference],
    # Public by design, keyed by the unguessable code printed in the PDF: a guess finds nothing.
    "verify": lambda w: ["not-the-code"],
    # Admin reports: behind the admin login, which a partner user can never pass.
    "reports:report": lambda w: ["agreements"],
    "reports:print": lambda w: ["agreements"],
    "reports:download": lambda w: ["agreements", "csv"],
    "reports:export": lambda w: [w.export_job.pk],
    "reports:export_download": lambda w: [w.export_job.pk],
    "board_reports:download": lambda w: [w.board_report.pk],
}
# Reached with arguments that do not name anything: nothing to leak.
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_complete",
    "accounts:password_reset_confirm",
    "accounts:invitation",
    "signing:link",
    "signing:page",
    "partners:charity_logo",
    "set_language",
    "admin:index",
    "calendar_feed",
    "verify",
    "healthz",
    "readyz",
}


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                continue  # Django admin: covered by admin:index (staff only; partners can never be staff)
            names += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}{pattern.name}")
    return sorted(set(names))


def url_for(name: str, world: World) -> str:
    if name in OBJECT_ARGS:
        return reverse(name, args=OBJECT_ARGS[name](world))
    return reverse(name)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worlds():
    staff = StaffFactory()
    return build_partner("أ", staff), build_partner("ب", staff), staff


def test_every_parameterised_url_is_in_the_matrix():
    for name in [*url_names(), "admin:index"]:
        try:
            reverse(name)
        except Exception:
            assert name in OBJECT_ARGS, f"add {name} to OBJECT_ARGS so the isolation matrix covers it"


def test_partner_users_never_reach_another_partners_data(client, worlds):
    mine, theirs, _staff = worlds
    names = [*url_names(), "admin:index"]
    for user in (mine.user, mine.admin_user):
        client.force_login(user)
        for name in names:
            url = url_for(name, theirs)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = response.content.decode(errors="ignore") if not getattr(response, "streaming", False) else ""
                leaked = [marker for marker in theirs.markers if marker in body]
                assert not leaked, f"{method.upper()} {url} as partner A shows {leaked}"
                own_pages = {
                    "home",
                    "reminders:notifications",
                    "reminders:read_all",
                    "reminders:reminder_emails",
                    "reminders:calendar",
                }
                if name in PUBLIC or name in own_pages:
                    continue
                if name.startswith("portal:") and name in {
                    "portal:home",
                    "portal:commitments",
                    "portal:team",
                    "portal:search",
                }:
                    continue  # their own pages
                assert response.status_code in (302, 403, 404, 405), f"{method.upper()} {url}: {response.status_code}"
                if response.status_code == 302:
                    location = response["Location"]
                    assert (
                        "/accounts/login/" in location or "/admin/login/" in location or location.startswith("/portal/")
                    )


def test_partner_users_search_never_shows_another_partners_data(client, worlds):
    """The top bar's search, asked for every word of partner B's data, shows none of it."""
    mine, theirs, _staff = worlds
    queries = [*theirs.markers, "السري", "السرية", "ب", theirs.agreement.reference.split("-")[-1]]
    for user in (mine.user, mine.admin_user):
        client.force_login(user)
        for query in queries:
            for name in ("portal:search", "agreements:search"):
                response = client.get(reverse(name), {"q": query})
                # What was typed is shown back in the search box: only the rest of the page counts.
                body = response.content.decode().replace(str(escape(query)), "")
                leaked = [marker for marker in theirs.markers if marker in body]
                assert not leaked, f"search {name} {query!r} as partner A shows {leaked}"
                assert response.status_code == (200 if name == "portal:search" else 404)
                if response.status_code == 200:  # and not hidden by the echo removal above
                    hits = [hit for group in response.context["results"].groups for hit in group.hits]
                    assert all(mine.agreement.reference in hit.url for hit in hits), [hit.url for hit in hits]
        # Their own secrets are found: the search works for them, it is not just empty.
        own = client.get(reverse("portal:search"), {"q": "السرية"}).content.decode()
        assert mine.agreement.reference in own


def test_nothing_changed_after_partner_a_tried_every_url_on_partner_b(client, worlds):
    mine, theirs, _staff = worlds
    before = (
        theirs.agreement.status,
        theirs.user.is_active,
        list(User.objects.filter(partner=theirs.partner).order_by("pk").values_list("partner_role", "is_active")),
        list(Invitation.objects.filter(partner=theirs.partner).values_list("pk", "token_hash", "expires_at")),
        ProgressUpdate.objects.get(pk=theirs.update.pk).status,
        list(ProgressUpdate.objects.filter(pk=theirs.returned.pk).values_list("status", "amount", "note")),
        SigningRequest.objects.get(pk=theirs.signing_request.pk).status,
        Notification.objects.get(pk=theirs.notification.pk).read_at,
        list(Amendment.objects.filter(agreement=theirs.agreement).values_list("number", "status", "changes")),
        list(PeriodReport.objects.filter(agreement=theirs.agreement).values_list("status", "narrative")),
    )
    client.force_login(mine.admin_user)
    for name in url_names():
        client.post(
            url_for(name, theirs),
            {
                "active": "0",
                "role": "viewer",
                "decision": "accept",
                "reason": "x",
                "on": "2026-06-01",
                "amount": "1",
                "note": "x",
                "narrative": "x",
            },
        )
    theirs.agreement.refresh_from_db()
    theirs.user.refresh_from_db()
    after = (
        theirs.agreement.status,
        theirs.user.is_active,
        list(User.objects.filter(partner=theirs.partner).order_by("pk").values_list("partner_role", "is_active")),
        list(Invitation.objects.filter(partner=theirs.partner).values_list("pk", "token_hash", "expires_at")),
        ProgressUpdate.objects.get(pk=theirs.update.pk).status,
        list(ProgressUpdate.objects.filter(pk=theirs.returned.pk).values_list("status", "amount", "note")),
        SigningRequest.objects.get(pk=theirs.signing_request.pk).status,
        Notification.objects.get(pk=theirs.notification.pk).read_at,
        list(Amendment.objects.filter(agreement=theirs.agreement).values_list("number", "status", "changes")),
        list(PeriodReport.objects.filter(agreement=theirs.agreement).values_list("status", "narrative")),
    )
    assert after == before


@pytest.mark.parametrize("role", ["anonymous", "partner", "staff", "readonly", "admin"])
def test_role_matrix_on_own_and_staff_pages(client, worlds, role):
    """Expected status of each page for each role (own partner's objects for partners)."""
    mine, _theirs, staff = worlds
    users = {
        "partner": mine.user,
        "staff": staff,
        "readonly": ReadOnlyStaffFactory(),
        "admin": AdminFactory(),
    }
    if role != "anonymous":
        client.force_login(users[role])
    staff_only = [
        reverse("agreements:list"),
        reverse("agreements:detail", args=[mine.agreement.reference]),
        reverse("agreements:amendment_before", args=[mine.agreement.reference, 1]),
        reverse("agreements:progress_queue"),
        reverse("partners:list"),
        reverse("partners:detail", args=[mine.partner.pk]),
        reverse("reminders:agreement", args=[mine.agreement.reference]),
    ]
    editor_only = [reverse("agreements:create"), reverse("partners:create")]
    partner_only = [
        reverse("portal:home"),
        reverse("portal:commitments"),
        reverse("portal:agreement", args=[mine.agreement.reference]),
        reverse("portal:amendment", args=[mine.agreement.reference, 1]),
        reverse("portal:amendment_before", args=[mine.agreement.reference, 1]),
    ]
    expected = {
        "anonymous": {"staff": 302, "editor": 302, "partner": 302},
        "partner": {"staff": 404, "editor": 404, "partner": 200},
        "staff": {"staff": 200, "editor": 200, "partner": 404},
        "readonly": {"staff": 200, "editor": 403, "partner": 404},
        "admin": {"staff": 200, "editor": 200, "partner": 404},
    }[role]
    for group, urls in (("staff", staff_only), ("editor", editor_only), ("partner", partner_only)):
        for url in urls:
            assert client.get(url).status_code == expected[group], (role, url)
    admin_status = client.get(reverse("admin:index")).status_code
    assert admin_status == (200 if role == "admin" else 302)


def test_portal_home_queues_and_impact_count_only_their_own_partner(client, worlds):
    mine, theirs, staff = worlds
    # Partner B's figures are made unmistakable: a large target, an accepted and a returned report.
    Commitment.objects.filter(pk=theirs.commitment.pk).update(target_quantity=7770, due_on=datetime.date(2026, 1, 1))
    progress_review(update=theirs.update, accept=True, comment="", by=staff)
    client.force_login(mine.user)
    html = client.get(reverse("portal:home")).content.decode()
    impact = html.split('data-testid="impact"', 1)[1]
    # A's own: target 20, nothing accepted, 3 awaiting review, 2 sent back.
    assert 'data-col="target">20<' in impact and 'data-col="pending">3<' in impact
    assert 'data-col="returned">2<' in impact and 'data-col="accepted">0<' in impact
    for figure in ("7770", 'data-col="accepted">3<'):
        assert figure not in impact
    assert 'data-testid="queue-returned" data-count="1"' in html
    assert reverse("portal:progress_resubmit", args=[mine.returned.pk]) in html
    assert reverse("portal:progress_resubmit", args=[theirs.returned.pk]) not in html
    assert not [marker for marker in theirs.markers if marker in html]
