"""Audit trail: each hash keyed with a secret held outside the database (HMAC-SHA256, key id on
the event), existing chains re-keyed when they still verify, and a PostgreSQL trigger refusing
UPDATE and DELETE on audit rows."""

import hashlib
import hmac
import json

from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION agreements_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused on agreements_auditevent)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agreements_auditevent_append_only
    BEFORE UPDATE OR DELETE ON agreements_auditevent
    FOR EACH ROW EXECUTE FUNCTION agreements_auditevent_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS agreements_auditevent_append_only ON agreements_auditevent;
DROP FUNCTION IF EXISTS agreements_auditevent_append_only();
"""


def _payload(event) -> bytes:
    payload = {
        "agreement": event.agreement_id,
        "sequence": event.sequence,
        "kind": event.kind,
        "signing_request": event.signing_request_id,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "at": event.at.isoformat(timespec="microseconds"),
        "ip": event.ip or "",
        "user_agent": event.user_agent,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def rekey(apps, schema_editor):
    """Chains that verify as plain SHA-256 are re-made under the current key; a chain that does
    not verify keeps its old hashes (and no key id), so verify_audit keeps reporting it."""
    from agreements.audit_keys import current

    key_id, secret = current()
    Agreement = apps.get_model("agreements", "Agreement")
    AuditEvent = apps.get_model("agreements", "AuditEvent")
    for agreement in Agreement.objects.filter(audit_count__gt=0).only("pk", "audit_head"):
        events = list(AuditEvent.objects.filter(agreement_id=agreement.pk).order_by("sequence"))
        previous = "0" * 64
        intact = True
        for event in events:
            intact = intact and event.prev_hash == previous
            intact = intact and hashlib.sha256(_payload(event)).hexdigest() == event.hash
            previous = event.hash
        if not intact or previous != agreement.audit_head:
            continue
        previous = "0" * 64
        for event in events:
            event.prev_hash = previous
            event.key_id = key_id
            event.hash = hmac.new(secret, _payload(event), hashlib.sha256).hexdigest()
            AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, key_id=key_id, hash=event.hash)
            previous = event.hash
        Agreement.objects.filter(pk=agreement.pk).update(audit_head=previous)


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def allow_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0017_remove_progressupdate_review_comment")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", editable=False, max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
        migrations.RunPython(append_only, allow_changes),
    ]
