"""Every page, export, e-mail and the PDF, with hostile text in every user-entered field.

The world (`world.hostile_world`) holds the portal's states with every text field of
every row overwritten by `strings.HOSTILE` (markup, quotes, template syntax, line
breaks, every bidi control, joiners, combining marks; 100 000 characters in a few free
text fields, the column's full length elsewhere). Each response must answer below 500,
carry no markup from the data, and show names with direction controls as visible
`[U+202E]` markers rather than reordering them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django import forms
from django.contrib import admin
from django.core import mail
from django.db import models, transaction
from django.test import Client, RequestFactory, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation
from agreements.amendments.content import content_of, content_to_json
from agreements.models import (
    Agreement,
    Amendment,
    Commitment,
    Evidence,
    PdfStatus,
    PeriodReport,
    ProgressUpdate,
    SignedPdf,
)
from agreements.pdf.job import signed_pdf_retry
from reports.definitions import REPORTS
from spreadsheets.models import ExportJob
from tests.agreements.signing_helpers import open_link
from tests.conftest import service_missing

from .checks import csv_formula_cells, html_problems, unrevealed_controls, xlsx_formula_cells
from .strings import RLO, value_for
from .world import NOT_USER_TEXT, fields_to_fill, hostile_world, text_fields

pytestmark = pytest.mark.django_db

MARKER = "[U+202E]"

# Routes fetched by other means, or that only act (POST) and redirect.
NOT_PAGES = {
    "set_language": "POST only, no stored text",
    "accounts:logout": "POST only",
    "accounts:login_code": "needs a half-finished two-factor login; shows no stored text",
    "accounts:two_factor_start": "POST only",
    "accounts:two_factor_off": "POST only",
    "accounts:two_factor_backup_codes": "shows codes only after setup",
    "accounts:password_reset_confirm": "token page, shows no stored text",
    "agreements:recall": "POST only",
    "agreements:terminate": "POST only",
    "agreements:reporting_schedule": "POST only; the schedule shows on the agreement page",
    "board_reports:download": "the board PDF made by the worker; its text: tests/reports/test_board_report.py",
    "agreements:pdf_retry": "POST only",
    "agreements:amendment_sign": "needs an open signing request; it shows the diff fetched on agreements:amendment",
    "agreements:amendment_pdf": "a PDF; the addendum's text is read in tests/agreements/test_addendum_pdf.py",
    "agreements:amendment_pdf_retry": "POST only",
    "agreements:amendment_recall": "POST only",
    "agreements:amendment_send": "the world's amendment is in force, so it redirects; the form is agreements:send's",
    "agreements:signatory_resend": "POST only (exercised by the e-mail test)",
    "agreements:signatory_revoke": "POST only",
    "agreements:attachment_upload": "POST only",
    "agreements:sign": "the staff signing page: fetched with the chairman below",
    "reminders:read_all": "POST only",
    "reminders:reminder_emails": "POST only",
    "reminders:offsets": "POST only",
    "portal:team_active": "POST only",
    "portal:team_role": "POST only",
    "portal:invitation_resend": "POST only",
    "reports:export": "fetched with the export job below",
    "reports:export_download": "file of a finished job; the CSV/XLSX downloads are checked below",
    "partners:contact_invite": "POST only (exercised while building the world)",
    "signing:link": "redirects to signing:page, fetched below",
}


def _route_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # walked through the admin registry
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _route_names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def _pages(w) -> dict[str, list[tuple[str, str]]]:
    """(who, url) for every named route, by route name."""
    update = ProgressUpdate.objects.filter(status="submitted").first()
    commitment = Commitment.objects.filter(clause__agreement=w.active).first()
    references = [a.reference for a in (w.draft, w.pending, w.declined, w.active)]
    active = w.active.reference
    staff_pages = {
        "home": [reverse("home")],
        "agreements:list": [reverse("agreements:list"), reverse("agreements:list") + "?q=" + RLO + "<script>"],
        "agreements:search": [
            reverse("agreements:search") + "?q=" + query for query in ("مضللة", "جمعية", RLO + "<script>", "isolate")
        ],
        "agreements:create": [reverse("agreements:create")],
        "agreements:progress_queue": [reverse("agreements:progress_queue")],
        "agreements:progress_review": [reverse("agreements:progress_review", args=[update.pk])],
        "agreements:report_progress": [reverse("agreements:report_progress", args=[commitment.pk])],
        "agreements:progress_resubmit": [
            reverse("agreements:progress_resubmit", args=[ProgressUpdate.objects.get(status="returned").pk])
        ],
        "agreements:evidence_download": [reverse("agreements:evidence_download", args=[Evidence.objects.first().pk])],
        "agreements:detail": [reverse("agreements:detail", args=[r]) for r in references],
        "agreements:edit": [reverse("agreements:edit", args=[w.draft.reference])],
        "agreements:history": [reverse("agreements:history", args=[r]) for r in references],
        "agreements:audit": [reverse("agreements:audit", args=[r]) for r in references],
        "agreements:send": [reverse("agreements:send", args=[w.draft.reference])],
        "agreements:renew": [reverse("agreements:renew", args=[active])],
        "agreements:amendment_create": [],  # refused while amendment 1 is a draft: fetched below
        "agreements:amendment": [reverse("agreements:amendment", args=[active, 1])],
        "agreements:amendment_edit": [reverse("agreements:amendment_edit", args=[active, 1])],
        "agreements:amendment_delete": [reverse("agreements:amendment_delete", args=[active, 1])],
        "agreements:amendment_before": [],  # once amendment 1 is in force: fetched below
        "agreements:attachment_download": [
            reverse("agreements:attachment_download", args=[a.reference, att.pk])
            for a in (w.draft, w.active)
            for att in a.attachments.all()
        ],
        "agreements:pdf": [reverse("agreements:pdf", args=[active])],
        "agreements:pdf_language": [reverse("agreements:pdf_language", args=[active, "en"])],
        "agreements:pdf_status": [reverse("agreements:pdf_status", args=[r]) for r in references],
        "partners:list": [reverse("partners:list")],
        "partners:create": [reverse("partners:create")],
        "partners:detail": [reverse("partners:detail", args=[w.partner.pk])],
        "partners:edit": [reverse("partners:edit", args=[w.partner.pk])],
        "partners:charity_logo": [reverse("partners:charity_logo")],
        "reminders:notifications": [reverse("reminders:notifications")],
        "reminders:calendar": [reverse("reminders:calendar")],
        "reminders:open": [],
        "reminders:agreement": [reverse("reminders:agreement", args=[r]) for r in references],
        "accounts:two_factor": [reverse("accounts:two_factor")],
        "accounts:two_factor_setup": [reverse("accounts:two_factor_setup")],
    }
    pages = {name: [("staff", url) for url in urls] for name, urls in staff_pages.items()}
    pages["reminders:open"] = [("staff", reverse("reminders:open", args=[n.pk])) for n in w.staff.notifications.all()]
    pages["portal:home"] = [("partner", reverse("portal:home"))]
    pages["portal:commitments"] = [("partner", reverse("portal:commitments"))]
    pages["portal:search"] = [
        ("partner", reverse("portal:search") + "?q=" + query) for query in ("مضللة", "جمعية", RLO + "<script>")
    ]
    pages["portal:report_progress"] = [("partner", reverse("portal:report_progress", args=[commitment.pk]))]
    returned = ProgressUpdate.objects.get(status="returned")
    pages["portal:progress_resubmit"] = [("partner", reverse("portal:progress_resubmit", args=[returned.pk]))]
    pages["portal:agreement"] = [("partner", reverse("portal:agreement", args=[r])) for r in references]
    period_reports = list(PeriodReport.objects.filter(agreement=w.active))
    pages["portal:period_report"] = [("partner", reverse("portal:period_report", args=[r.pk])) for r in period_reports]
    pages["agreements:period_report"] = [
        ("staff", reverse("agreements:period_report", args=[r.pk])) for r in period_reports
    ]
    partner_side = [r for r in period_reports if r.party == "partner"]
    # The sheet to fill (hostile descriptions as cells, never formulas) and its upload page.
    pages["portal:period_report_xlsx"] = [
        ("partner", reverse("portal:period_report_xlsx", args=[r.pk])) for r in partner_side
    ]
    pages["portal:period_report_upload"] = [
        ("partner", reverse("portal:period_report_upload", args=[r.pk])) for r in partner_side
    ]
    pages["agreements:late_reports"] = [("staff", reverse("agreements:late_reports"))]
    pages["board_reports:list"] = [("staff", reverse("board_reports:list"))]
    pages["board_reports:table"] = [("staff", reverse("board_reports:table"))]
    pages["portal:team"] = [("partner", reverse("portal:team"))]
    # The contact invited while building the world (a hostile name and address): its withdrawal page.
    invitation = Invitation.objects.pending().get()
    pages["portal:invitation_withdraw"] = [("partner", reverse("portal:invitation_withdraw", args=[invitation.pk]))]
    pages["portal:amendment"] = []  # a draft is not shown to the partner: fetched below, once in force
    pages["portal:amendment_before"] = []
    pages["accounts:login"] = [("anon", reverse("accounts:login"))]
    pages["accounts:password_reset"] = [("anon", reverse("accounts:password_reset"))]
    pages["accounts:password_reset_done"] = [("anon", reverse("accounts:password_reset_done"))]
    pages["accounts:password_reset_complete"] = [("anon", reverse("accounts:password_reset_complete"))]
    pages["accounts:invitation"] = [("anon", reverse("accounts:invitation", args=[w.invitation_token]))]
    pages["signing:page"] = [("signer", reverse("signing:page"))]
    pages["verify"] = [("anon", reverse("verify", args=[a.verification_code])) for a in (w.active,)]
    pages["calendar_feed"] = [
        (
            "anon",
            w.calendar_url.split("://", 1)[-1].partition("/")[1] + w.calendar_url.split("://", 1)[-1].partition("/")[2],
        )
    ]
    pages["healthz"] = [("anon", reverse("healthz"))]
    pages["readyz"] = [("anon", reverse("readyz"))]
    job = ExportJob.objects.first()
    pages["reports:index"] = [("admin", reverse("reports:index"))]
    pages["reports:report"] = [("admin", reverse("reports:report", args=[slug])) for slug in REPORTS]
    pages["reports:print"] = [("admin", reverse("reports:print", args=[slug])) for slug in REPORTS]
    pages["reports:download"] = [
        ("admin", reverse("reports:download", args=[slug, fmt])) for slug in REPORTS for fmt in ("csv", "xlsx")
    ]
    pages["reports:export"] = [("admin", reverse("reports:export", args=[job.pk]))]
    return pages


def _admin_pages(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_changelist".format(*info)) + "?q=" + RLO + "%3Cscript%3E")
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            if hasattr(model_admin, "history_view"):
                urls.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
    return urls


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, _session_seal):
    """One hostile world for the module (building it renders and seals two PDFs).

    Built in a transaction rolled back at the end; each test runs in its own nested
    transaction on top, as pytest-django does for every test.
    """
    media = tmp_path_factory.mktemp("hostile-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            SEAL_PKCS12_PATH=_session_seal,
            SEAL_PKCS12_PASSWORD="tests",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        ),
        transaction.atomic(),
    ):
        built = hostile_world(Client())
        built.extra["media"] = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_media(world, settings):
    # The world's files (signed PDFs, attachments, evidence) stay readable in every test.
    settings.MEDIA_ROOT = world.extra["media"]


def test_every_text_field_is_filled_or_excused():
    labels = set(text_fields())
    assert set(NOT_USER_TEXT) <= labels, "excused fields that no longer exist"
    emails = {label for label, f in text_fields().items() if isinstance(f, models.EmailField)}
    # A new CharField/TextField lands in fields_to_fill unless it is excused here.
    assert labels == set(fields_to_fill()) | set(NOT_USER_TEXT) | emails
    assert value_for("agreements.Clause.text_ar", None).__len__() == 100_000
    assert len(value_for("partners.Partner.phone", 30)) == 30


def test_the_world_holds_hostile_text_in_every_field(world):
    statuses = (world.draft.status, world.pending.status, world.declined.status, world.active.status)
    assert statuses == ("draft", "awaiting_signatures", "awaiting_signatures", "active")
    assert world.declined.signing_requests.filter(status="declined").exists()
    assert SignedPdf.objects.filter(agreement=world.active).count() == 2
    empty = []
    for label, f in fields_to_fill().items():
        rows = f.model._base_manager.all()
        if not rows.exists():
            empty.append(f.model._meta.label)
            continue
        assert not rows.exclude(**{f"{f.name}__contains": "alert(1)"}).exists(), label
    # Every model with text is represented, except these that the states above do not create.
    assert set(empty) <= {"outbox.OutboxMessage"}, sorted(set(empty))


def _client_for(who, w, client, django_user_model):
    client.logout()
    if who == "staff":
        client.force_login(w.staff)
    elif who == "admin":
        client.force_login(w.admin)
    elif who == "partner":
        client.force_login(w.partner_user)
    elif who == "signer":
        open_link(client, w.pending_token)
    return client


def _check(response, url: str) -> list[str]:
    problems = []
    if response.status_code >= 500:
        return [f"{url}: {response.status_code}"]
    content_type = response.get("Content-Type", "")
    if response.streaming:
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if content_type.startswith("text/html"):
        problems += [f"{url}: {p}" for p in html_problems(body.decode())]
    elif content_type.startswith("text/csv"):
        problems += [f"{url}: formula cell {cell!r}" for cell in csv_formula_cells(body)]
    elif content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        problems += [f"{url}: formula cell {cell}" for cell in xlsx_formula_cells(body)]
    elif content_type.startswith("text/calendar"):
        text = body.decode()
        if "\nX-Injected" in text or "\rX-Injected" in text:
            problems.append(f"{url}: a stored line break started a new ICS property")
    return problems


def test_every_page_renders_hostile_text_inertly(world, client, django_user_model):
    pages = _pages(world)
    missing = _route_names() - set(pages) - set(NOT_PAGES)
    assert not missing, f"routes this test does not fetch: {sorted(missing)}"
    problems, fetched = [], 0
    for name, entries in pages.items():
        for who, url in entries:
            response = _client_for(who, world, client, django_user_model).get(url)
            fetched += 1
            problems += _check(response, f"{name} {url}")
    # The staff page of the chairman's own signing request, and a partner-user view of the sign page.
    client.logout()
    client.force_login(world.chairman)
    for reference in (world.pending.reference,):
        problems += _check(client.get(reverse("agreements:sign", args=[reference])), "agreements:sign")
    # The editor of a new amendment opens once amendment 1 is settled, over the content as it amended it.
    Amendment.objects.filter(agreement=world.active).update(status="active")
    client.force_login(world.staff)
    response = client.get(reverse("agreements:amendment_create", args=[world.active.reference]))
    assert response.status_code == 200
    problems += _check(response, "agreements:amendment_create")
    # Amendment 1 in force with the hostile content as the text before it: the as-amended
    # agreement pages, the text before, and the partner's amendment page.
    Amendment.objects.filter(agreement=world.active).update(content_before=content_to_json(content_of(world.active)))
    for who, name, args in (
        ("staff", "agreements:detail", [world.active.reference]),
        ("staff", "agreements:amendment_before", [world.active.reference, 1]),
        ("partner", "portal:agreement", [world.active.reference]),
        ("partner", "portal:amendment", [world.active.reference, 1]),
        ("partner", "portal:amendment_before", [world.active.reference, 1]),
    ):
        response = _client_for(who, world, client, django_user_model).get(reverse(name, args=args))
        assert response.status_code == 200, name
        problems += _check(response, name)
    assert not problems, "\n".join(problems[:40])
    assert fetched > 60


def test_every_admin_page_renders_hostile_text_inertly(world, client):
    client.force_login(world.admin)
    urls = _admin_pages(world.admin)
    problems, exports = [], 0
    for url in urls:
        problems += _check(client.get(url), url)
    # The changelist exports (django-import-export), every field of each resource.
    for model_admin in admin.site._registry.values():
        if not hasattr(model_admin, "get_export_resource_classes"):
            continue
        info = (model_admin.model._meta.app_label, model_admin.model._meta.model_name)
        url = reverse("admin:{}_{}_export".format(*info))
        form = client.get(url).context["form"]
        fields = {name: "on" for name, f in form.fields.items() if isinstance(f, forms.BooleanField)}
        for file_format in ("0", "1"):  # XLSX, CSV
            response = client.post(url, {"format": file_format, "resource": "0", **fields})
            assert response.status_code == 200 and "attachment" in response.get("Content-Disposition", ""), (
                url,
                response.context and response.context["form"].errors,
            )
            problems += _check(response, f"{url} format {file_format}")
            exports += 1
    assert not problems, "\n".join(problems[:40])
    assert len(urls) > 40 and exports >= 4


def test_signing_page_shows_hidden_direction_characters_visibly(world, client):
    open_link(client, world.pending_token)
    response = client.get(reverse("signing:page"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="hidden-direction-warning"' in body
    assert "bidi-marker" in body and "U+202E" in body
    # No override reaches the page outside the form fields the signer edits.
    before_form = body.split('<form method="post" class="card card-body sign-form"')[0]
    assert not unrevealed_controls(before_form), _around_controls(before_form)


def _around_controls(text: str) -> list[str]:
    return [text[max(0, i - 80) : i + 5] for i, ch in enumerate(text) if ch == RLO][:3]


def test_signing_with_a_name_carrying_an_override_is_refused_in_arabic(world, client):
    open_link(client, world.pending_token)
    from tests.agreements.signing_helpers import sign_post

    response = client.post(reverse("signing:page"), sign_post(world.pending.content_hash, name="جمعية" + RLO + "رشخلا"))
    assert response.status_code == 200
    assert "احذف رموز اتجاه النص غير المرئية من هذا الحقل." in response.content.decode()
    assert world.pending.signing_requests.filter(status="signed").count() == 0


ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _pdf_text(pdf: bytes, mode: str) -> str:
    if not shutil.which("pdftotext"):
        service_missing("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_sealed_pdf_and_its_email_show_markers_not_overrides(world, settings):
    """The PDF made again from the hostile rows (real WeasyPrint, sealed), then e-mailed."""
    Agreement.objects.filter(pk=world.active.pk).update(pdf_status=PdfStatus.FAILED)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert signed_pdf_retry(agreement=world.active)
    world.active.refresh_from_db()
    assert world.active.pdf_status == PdfStatus.READY, world.active.pdf_error
    for pdf in SignedPdf.objects.filter(agreement=world.active):
        data = pdf.file.read()
        # Kept for a person to look at (pdftoppm -png), next to the browser screenshots.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"hostile-names-{pdf.language}.pdf").write_bytes(data)
        text = _pdf_text(data, "-raw")
        squashed = "".join(text.split())
        # Names (parties, representatives, signers, title) show the override as a marker.
        assert squashed.count("[U+202E]") >= 6, pdf.language
        # Markup is printed as text, never interpreted: the tag is in the text layer.
        assert "<script>alert(1)</script>" in squashed
        # pdftotext itself writes RLE/PDF (U+202B/U+202C) around right-to-left runs.
        assert not unrevealed_controls(text) - {"U+202B", "U+202C"}
    sent = [m for m in mail.outbox if m.attachments]
    assert sent, "the signed PDF was not e-mailed"
    for message in sent:
        assert "\n" not in message.subject and MARKER in message.subject
        assert not html_problems(message.alternatives[0][0])
        assert not unrevealed_controls(message.body)


def test_emails_carry_no_markup_and_show_markers(world, client):
    # Send the pending request again: the e-mail is rendered from the hostile rows.
    mail.outbox.clear()
    client.force_login(world.staff)
    request = world.pending.signing_requests.filter(party="partner").first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("agreements:signatory_resend", args=[world.pending.reference, request.pk]))
    assert response.status_code < 500
    assert mail.outbox, "the resend sent nothing"
    for message in mail.outbox:
        assert "\n" not in message.subject and MARKER in message.subject
        html = message.alternatives[0][0]
        assert not html_problems(html), html_problems(html)
        assert not unrevealed_controls(message.subject)
        assert not unrevealed_controls(message.body), "plain-text body shows a raw override"
        assert not unrevealed_controls(html), _around_controls(html)


def _email_problems(message) -> list[str]:
    where = f"{message.subject[:60]!r}"
    problems = []
    if "\n" in message.subject or "\r" in message.subject:
        problems.append(f"{where}: multi-line subject")
    for part, text in [("subject", message.subject), ("text", message.body)] + [
        ("html", content) for content, _type in message.alternatives
    ]:
        if unrevealed_controls(text):
            problems.append(f"{where}: raw direction control in the {part}: {_around_controls(text)}")
        if part == "html":
            problems += [f"{where}: {p}" for p in html_problems(text)]
    return problems


def test_every_email_renders_hostile_text_inertly(world, client):
    """Signing requests, the decline notice, the signed-PDF e-mail and the invitation sent
    while building the world; then a reminder and a password reset from the filled rows."""
    from reminders.models import Reminder
    from reminders.services import reminder_send

    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert reminder_send(reminder_id=Reminder.objects.get().pk)
        client.post(reverse("accounts:password_reset"), {"email": world.partner_user.email})
    messages = world.extra["emails"] + list(mail.outbox)
    templates = {message.subject.split(":")[0] for message in messages}
    assert len(messages) >= 10 and len(templates) >= 5, templates
    problems = [problem for message in messages for problem in _email_problems(message)]
    assert not problems, "\n".join(problems[:20])
