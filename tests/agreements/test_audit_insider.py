"""Audit evidence an insider cannot rewrite quietly: the table refuses UPDATE and DELETE (a
PostgreSQL trigger), and a superuser who switches the trigger off and recomputes the hashes is
caught by the keyed hash (HMAC with a key held outside the database)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from agreements.audit import audit_verify
from agreements.models import Agreement, AuditEvent
from tests.agreements.signing_helpers import sent_agreement, triggers_off

pytestmark = pytest.mark.django_db

APP_ROLE = "qatif_audit_app_role"


def _as_app_role(cursor):
    """The application's kind of database user: no superuser, ordinary rights on the tables."""
    cursor.execute(
        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOSUPERUSER NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON agreements_auditevent TO {APP_ROLE}")
    cursor.execute(f"SET ROLE {APP_ROLE}")


def test_the_applications_database_user_cannot_update_or_delete_audit_rows():
    agreement, _contact, _chairman = sent_agreement()
    event = AuditEvent.objects.filter(agreement=agreement).order_by("sequence").first()
    for statement in (
        "UPDATE agreements_auditevent SET actor_label = 'someone else' WHERE id = %s",
        "DELETE FROM agreements_auditevent WHERE id = %s",
    ):
        with transaction.atomic(), connection.cursor() as cursor:
            _as_app_role(cursor)
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement, [event.pk])
            # Nor can it switch the trigger off for its session.
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute("SET session_replication_role = replica")
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.get(pk=event.pk).actor_label == event.actor_label
    assert audit_verify(agreement).ok


def test_a_superuser_who_rewrites_the_chain_without_the_key_is_caught():
    agreement, _contact, _chairman = sent_agreement()
    events = list(AuditEvent.objects.filter(agreement=agreement).order_by("sequence"))
    assert all(e.key_id for e in events) and audit_verify(agreement).ok
    # Change an event, then recompute every hash after it and the head, as the old unkeyed
    # chain allowed (plain SHA-256 over the public fields).
    target = events[1]
    target.actor_label = "someone else"
    previous = events[0].hash
    with connection.cursor() as raw, triggers_off(raw) as cursor:
        for event in events[1:]:
            event.prev_hash = previous
            encoded = json.dumps(event.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            event.hash = hashlib.sha256(encoded.encode()).hexdigest()
            cursor.execute(
                "UPDATE agreements_auditevent SET actor_label = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.actor_label, event.prev_hash, event.hash, event.pk],
            )
            previous = event.hash
    Agreement.objects.filter(pk=agreement.pk).update(audit_head=previous)
    check = audit_verify(agreement)
    assert not check.ok
    assert any(f"event #{target.sequence}" in p and "changed" in p for p in check.problems)


def test_events_made_under_an_earlier_key_verify_after_a_rotation(settings):
    settings.AUDIT_KEYS = ["first-audit-secret-0123456789abcdef"]
    agreement, _contact, _chairman = sent_agreement()
    assert audit_verify(agreement).ok
    settings.AUDIT_KEYS = ["second-audit-secret-0123456789abcdef", "first-audit-secret-0123456789abcdef"]
    assert audit_verify(agreement).ok
    # Dropping the old key: its events can no longer be vouched for, and verify says why.
    settings.AUDIT_KEYS = ["second-audit-secret-0123456789abcdef"]
    check = audit_verify(agreement)
    assert not check.ok and any("lacks" in p for p in check.problems)
