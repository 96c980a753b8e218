import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agreements.models import Attachment
from tests.factories import AgreementFactory, PartnerUserFactory, set_status

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, agreement, name, content, **extra):
    return client.post(
        reverse("agreements:attachment_upload", args=[agreement.reference]),
        {"file": SimpleUploadedFile(name, content), "description": "ملحق", **extra},
        follow=True,
    )


def png_bytes(size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_staff_attach_a_pdf_stored_under_a_random_name(staff_client):
    agreement = AgreementFactory()
    response = upload(staff_client, agreement, "annex-1.pdf", PDF)
    assert "أُرفق الملف" in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.original_name == "annex-1.pdf"
    assert attachment.content_type == "application/pdf"
    assert "annex-1" not in attachment.file.name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("annex.pdf", b"<html><script>alert(1)</script></html>", "لا يُقبل إلا ملفات PDF"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "تالف"),
        ("empty.pdf", b"", "فارغ"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "لا يُقبل إلا ملفات PDF"),
    ],
)
def test_files_are_checked_by_content_not_by_name(staff_client, name, content, message):
    agreement = AgreementFactory()
    response = upload(staff_client, agreement, name, content)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_oversized_files_are_refused(staff_client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = upload(staff_client, AgreementFactory(), "big.pdf", PDF + b"0" * 2000)
    assert "كبير جدًا" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_real_png_is_accepted(staff_client):
    upload(staff_client, AgreementFactory(), "scan.png", png_bytes())
    assert Attachment.objects.get().content_type == "image/png"


def test_download_only_for_those_who_may_see_the_agreement(client, staff_client):
    agreement = AgreementFactory()
    upload(staff_client, agreement, "annex.pdf", PDF)
    own = PartnerUserFactory(partner=agreement.partner)
    attachment_url = reverse("agreements:attachment_download", args=[agreement.reference, Attachment.objects.get().pk])
    client.force_login(own)
    assert client.get(attachment_url).status_code == 404  # drafts stay internal to the charity
    set_status(agreement, "active")
    attachment = Attachment.objects.get()
    url = reverse("agreements:attachment_download", args=[agreement.reference, attachment.pk])

    response = staff_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"

    client.force_login(own)
    assert client.get(url).status_code == 200

    stranger = PartnerUserFactory()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    other = AgreementFactory(partner=stranger.partner)
    # The attachment id does not work under another agreement's reference either.
    assert (
        client.get(reverse("agreements:attachment_download", args=[other.reference, attachment.pk])).status_code == 404
    )


def test_read_only_staff_cannot_attach(client, readonly_user):
    client.force_login(readonly_user)
    response = client.post(
        reverse("agreements:attachment_upload", args=[AgreementFactory().reference]),
        {"file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()
