"""Backup and restore as the README documents it (pg_dump -Fc, a tar of media and seal,
pg_restore into a fresh database): the sealed PDFs and the audit trails still verify."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys

import psycopg2
import pytest
from django.db import connection

from agreements.models import AuditEvent, SignedPdf
from tests.agreements.test_signed_pdf import fully_signed
from tests.stack import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def run(*command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)


def test_restored_database_and_media_still_verify(client, settings, tmp_path, postgres, _session_seal):
    for tool in ("pg_dump", "pg_restore", "tar"):
        assert shutil.which(tool), f"{tool} is needed for backups"
    var = tmp_path / "var"
    settings.MEDIA_ROOT = var / "media"
    (var / "seal").mkdir(parents=True)
    shutil.copy(_session_seal, var / "seal" / "seal.p12")
    agreement = fully_signed(client)
    assert SignedPdf.objects.filter(agreement=agreement).count() == 2

    # Backup.
    params = connection.settings_dict
    server = ["-h", params.get("HOST") or "127.0.0.1", "-p", str(params.get("PORT") or 5432), "-U", "postgres"]
    dump, media = tmp_path / "portal.dump", tmp_path / "media.tgz"
    assert run("pg_dump", *server, "-Fc", "-f", str(dump), params["NAME"]).returncode == 0
    assert run("tar", "czf", str(media), "-C", str(var), "media", "seal").returncode == 0

    # Restore into a fresh database and a fresh folder.
    fresh = f"qatif_restore_{secrets.token_hex(4)}"
    admin = psycopg2.connect(dbname="postgres", host=server[1], port=server[3], user="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored = run("pg_restore", *server, "-d", fresh, "--clean", "--if-exists", "--no-owner", str(dump))
        assert restored.returncode == 0, restored.stderr
        new_var = tmp_path / "restored"
        new_var.mkdir()
        assert run("tar", "xzf", str(media), "-C", str(new_var)).returncode == 0
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@{server[1]}:{server[3]}/{fresh}",
            "MEDIA_ROOT": str(new_var / "media"),
            "SEAL_PKCS12_PATH": str(new_var / "seal" / "seal.p12"),
            "SEAL_PKCS12_PASSWORD": "tests",
        }

        def manage(*args: str) -> subprocess.CompletedProcess:
            return run(sys.executable, "manage.py", *args, env=env)

        audit = manage("verify_audit")
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert f"{agreement.reference}: ok" in audit.stdout
        pdfs = manage("verify_signed_pdfs")
        assert pdfs.returncode == 0, pdfs.stdout + pdfs.stderr
        assert pdfs.stdout.count(f"{agreement.reference} (") == 2 and "BROKEN" not in pdfs.stdout

        # The checks can fail: a changed byte in a restored PDF, an event removed from the trail.
        stored = new_var / "media" / SignedPdf.objects.get(agreement=agreement, language="ar").file.name
        data = bytearray(stored.read_bytes())
        data[len(data) // 2] ^= 0x01
        stored.write_bytes(bytes(data))
        assert "BROKEN" in manage("verify_signed_pdfs").stdout
        event = AuditEvent.objects.filter(agreement=agreement).order_by("sequence").first()
        with psycopg2.connect(env["DATABASE_URL"]) as broken, broken.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # a superuser past the trigger
            cursor.execute("DELETE FROM agreements_auditevent WHERE id = %s", [event.pk])
        assert manage("verify_audit").returncode != 0
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()
