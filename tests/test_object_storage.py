"""Media through an S3-compatible object store, as web and workers on several machines use it.

A local S3-compatible server (moto's, from PyPI) stands in for MinIO or S3: the store is
outside the project. Files are written and read only through Django's storage API; the
bucket's objects are private and the portal serves them through its checked views.
"""

import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import AgreementFactory, PartnerUserFactory, set_status

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings):
    client = boto3.client(
        "s3", endpoint_url=s3_server, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket="portal-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "portal-media",
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    storages._storages.pop("default", None)
    yield client
    storages._storages.pop("default", None)


def test_attachments_go_to_the_bucket_and_come_back_through_the_checked_view(client, staff_client, bucket):
    agreement = set_status(AgreementFactory(), "active")
    staff_client.post(
        reverse("agreements:attachment_upload", args=[agreement.reference]),
        {"file": SimpleUploadedFile("annex.pdf", PDF), "description": "ملحق"},
    )
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket="portal-media").get("Contents", [])]
    assert len(keys) == 1 and keys[0].startswith("attachments/") and "annex" not in keys[0]
    assert bucket.get_object(Bucket="portal-media", Key=keys[0])["Body"].read() == PDF
    acl = bucket.get_object_acl(Bucket="portal-media", Key=keys[0])
    assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in acl["Grants"])  # private

    attachment = agreement.attachments.get()
    url = reverse("agreements:attachment_download", args=[agreement.reference, attachment.pk])
    client.force_login(PartnerUserFactory(partner=agreement.partner))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(PartnerUserFactory())
    assert client.get(url).status_code == 404


def test_the_signed_pdf_is_stored_in_the_bucket(client, bucket):
    from tests.agreements.test_signed_pdf import fully_signed

    agreement = fully_signed(client)
    assert agreement.pdf_status == "ready"
    keys = {item["Key"] for item in bucket.list_objects_v2(Bucket="portal-media")["Contents"]}
    for pdf in agreement.signed_pdfs.all():
        assert pdf.file.name in keys
        assert bucket.get_object(Bucket="portal-media", Key=pdf.file.name)["ContentLength"] == pdf.size
