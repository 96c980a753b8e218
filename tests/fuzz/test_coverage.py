"""Every page of the portal is either fuzzed here or listed as not taking input, with why.

A new URL fails `test_every_url_is_fuzzed_or_listed` until it gets a fuzz test (or a
reason). Each listed page is also sent a junk POST: it must not fail, and must not
change the database, so a page that quietly starts accepting POSTs is caught.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as s
from tests.fuzz import (  # noqa: F401  (importing registers what each module covers)
    test_accounts_partners_portal,
    test_agreement_forms,
    test_filters,
    test_progress_and_signing,
)
from tests.fuzz.harness import fingerprint
from tests.fuzz.registry import COVERED

# Pages that only show or send something; a POST to them is treated like a GET.
NO_INPUT = {
    "healthz": "health probe for the load balancer",
    "readyz": "readiness probe",
    "home": "the dashboard",
    "portal:period_report_xlsx": "the period's sheet to download; reads no input",
    "board_reports:table": "the board reports' table, polled while one is made",
    "board_reports:download": "a board report's PDF; reads no input",
    "accounts:two_factor": "the two-factor status page; its forms post to start/setup/backup-codes/off",
    "accounts:password_reset_done": "a confirmation page",
    "accounts:password_reset_complete": "a confirmation page",
    "partners:list": "list page",
    "partners:detail": "partner page; its invite buttons post to contact_invite",
    "partners:charity_logo": "an image",
    "agreements:progress_queue": "list page; its forms post to progress_review",
    "agreements:late_reports": "list page filtered by GET parameters (tests/agreements/test_periods.py)",
    "agreements:evidence_download": "a file download",
    "agreements:detail": "agreement page; its forms post to the action URLs",
    "agreements:history": "read-only timeline",
    "agreements:audit": "read-only audit trail",
    "agreements:amendment": "read-only amendment page; its forms post to amendment_edit/amendment_delete",
    "agreements:amendment_before": "read-only: the text as it stood before an amendment",
    "agreements:amendment_pdf": "a file download",
    "portal:amendment": "read-only amendment page of the partner portal",
    "portal:amendment_before": "read-only: the text as it stood before an amendment",
    "agreements:attachment_download": "a file download",
    "agreements:pdf": "a file download",
    "agreements:pdf_language": "a file download",
    "agreements:pdf_status": "a status box polled by htmx",
    "reminders:open": "marks a notification read and follows it (a link, GET)",
    "reminders:agreement": "read-only list",
    "portal:home": "the partner's home page",
    "portal:agreement": "read-only agreement page",
    "calendar_feed": "the ICS file a calendar polls",
    "reports:export": "an export job's page",
    "reports:export_download": "an export file download",
}
# Django admin's own pages (its add/change forms and delete confirmations) are Django's
# code, reached only by superusers and staff with model permissions: not fuzzed here,
# except the agreement changelist, whose actions are the portal's own code.
EXCLUDED_NAMESPACES = ("admin:",)


def url_names() -> set[str]:
    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}{pattern.namespace}:"
                yield from walk(pattern, inner)
            elif pattern.name:
                yield namespace + pattern.name

    return set(walk(get_resolver()))


def test_every_url_is_fuzzed_or_listed():
    names = {n for n in url_names() if not n.startswith(EXCLUDED_NAMESPACES) or n in COVERED}
    missing = names - COVERED - set(NO_INPUT)
    assert not missing, f"URLs without a fuzz test or a reason in NO_INPUT: {sorted(missing)}"
    stale = (COVERED | set(NO_INPUT)) - names
    assert not stale, f"listed but no longer in urls.py: {sorted(stale)}"
    assert not COVERED & set(NO_INPUT)


def _args(name: str, world) -> list:
    samples = {
        "partners:detail": [world.partner.pk],
        "agreements:evidence_download": [1],
        "agreements:detail": [world.active.reference],
        "agreements:history": [world.active.reference],
        "agreements:audit": [world.active.reference],
        "agreements:amendment": [world.active.reference, 1],
        "agreements:amendment_before": [world.active.reference, 1],
        "agreements:amendment_pdf": [world.active.reference, 1, "addendum", "ar"],
        "portal:amendment": [world.active.reference, 1],
        "portal:amendment_before": [world.active.reference, 1],
        "agreements:attachment_download": [world.active.reference, 1],
        "agreements:pdf": [world.active.reference],
        "agreements:pdf_language": [world.active.reference, "ar"],
        "agreements:pdf_status": [world.active.reference],
        "reminders:open": [1],
        "reminders:agreement": [world.active.reference],
        "portal:agreement": [world.active.reference],
        "calendar_feed": ["no-such-token"],
        "reports:export": [1],
        "reports:export_download": [1],
        "portal:period_report_xlsx": [world.partner_period_report.pk],
        "board_reports:download": [1],
    }
    return samples.get(name, [])


@pytest.mark.parametrize("name", sorted(NO_INPUT))
def test_pages_without_input_ignore_posts(name, world):
    from django.db import transaction
    from django.test import Client

    users = [world.staff, world.partner_admin, world.admin, None]

    # A few tries per page in every profile: these pages do not read the body at all.
    @settings(max_examples=8)
    @given(user=st.sampled_from(users), data=s.fields({"x": s.text(), "action": s.text(), "code": s.text()}))
    def run(user, data):
        with transaction.atomic():
            client = Client()
            if user is not None:
                client.force_login(user)
            before = fingerprint()
            response = client.post(reverse(name, args=_args(name, world)), data)
            assert response.status_code < 500
            assert fingerprint() == before, f"POST to {name} changed the database"
            transaction.set_rollback(True)

    run()
