"""Changelist exports (CSV with BOM, XLSX) with Arabic headers; large exports through Celery.

The Arabic headers checked here are model verbose names the committed catalogue already
translates ("الرقم المرجعي", "الحالة", "الشريك"), so the assertions hold before and after
this branch's new strings are merged into locale/ar. Headers of new strings are compared
with `gettext` under Arabic, whatever the catalogue holds.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from agreements.models import AgreementStatus
from spreadsheets.models import ExportJob, ExportStatus
from tests.factories import AgreementFactory, ClauseFactory, CommitmentFactory, PartnerFactory, set_status
from tests.reports.conftest import read_xlsx

pytestmark = pytest.mark.django_db

EXPORT_URL = "admin:agreements_agreement_export"


def export_form(fmt: str) -> dict:
    # Formats are offered XLSX first, CSV second (spreadsheets.formats.EXPORT_FORMATS).
    return {"format": {"xlsx": "0", "csv": "1"}[fmt], "resource": "0"} | {
        f"agreementresource_{name}": "on"
        for name in ("reference", "title_ar", "partner", "status", "ends_on", "ends_on_hijri", "progress")
    }


@pytest.fixture
def agreements():
    partner = PartnerFactory(name_ar="جمعية البر", sector="non_profit")
    other = PartnerFactory(name_ar="الكلية التقنية", sector="government")
    made = []
    for i in range(3):
        agreement = AgreementFactory(partner=partner, title_ar=f"اتفاقية {i}", ends_on=datetime.date(2028, 1, 1 + i))
        CommitmentFactory(clause=ClauseFactory(agreement=agreement, order=1), target_quantity=10)
        made.append(set_status(agreement, AgreementStatus.ACTIVE))
    made.append(AgreementFactory(partner=other, title_ar='=HYPERLINK("http://evil")'))
    return made


def test_csv_export_has_bom_and_arabic_headers_and_honours_the_filters(admin_client, agreements):
    url = reverse(EXPORT_URL) + "?status__exact=active"
    response = admin_client.post(url, export_form("csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    headers = lines[0].split(",")
    assert headers[0] == "الرقم المرجعي"
    assert "الشريك" in headers and "الحالة" in headers
    # Only the three active agreements: the filter of the changelist applies.
    assert len(lines) == 1 + 3
    assert all("جمعية البر" in line for line in lines[1:])


def test_xlsx_export_reads_back_with_arabic_headers_and_native_dates(admin_client, agreements):
    response = admin_client.post(reverse(EXPORT_URL), export_form("xlsx"))
    assert response.status_code == 200
    rows = read_xlsx(response.content)
    headers = rows[0]
    assert headers[:4] == ["الرقم المرجعي", "عنوان الاتفاقية (بالعربية)", "الشريك", "الحالة"]
    with translation.override("ar"):
        assert headers[5] == str(translation.gettext("ends on (Hijri)"))
    by_reference = {row[0]: row for row in rows[1:]}
    first = by_reference[agreements[0].reference]
    assert first[4].date() == datetime.date(2028, 1, 1)
    assert "1449" in first[5]  # 4 Sha'ban 1449 AH
    with translation.override("ar"):
        assert first[3] == str(AgreementStatus.ACTIVE.label)
    assert first[6] == 0  # progress %: nothing accepted yet
    # A formula typed into a title stays text in Excel.
    formula = by_reference[agreements[3].reference]
    assert formula[1] == '=HYPERLINK("http://evil")'


def test_xlsx_sheet_runs_right_to_left_in_arabic(admin_client, agreements):
    from io import BytesIO

    from openpyxl import load_workbook

    response = admin_client.post(reverse(EXPORT_URL), export_form("xlsx"))
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft is True
    assert sheet["B5"].data_type == "s"


def test_report_download_headers_are_arabic(admin_client, agreements):
    response = admin_client.get(reverse("reports:download", args=["ending", "xlsx"]), {"end": "2028-12-31"})
    rows = read_xlsx(response.content)
    assert rows[0][:3] == ["الرقم المرجعي", "اتفاقية", "الشريك"]
    assert len(rows) == 1 + 3  # headers, the three active agreements


def test_large_export_runs_in_a_celery_task_and_is_downloaded_when_ready(
    admin_client, agreements, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse(EXPORT_URL) + "?partner__sector__exact=non_profit", export_form("xlsx"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export", args=[job.pk])
    # Tasks run eagerly in tests: the job is done once the transaction commits.
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    assert job.rows == 3
    assert len(job.sha256) == 64

    page = admin_client.get(response["Location"])
    assert reverse("reports:export_download", args=[job.pk]) in page.content.decode()
    download = admin_client.get(reverse("reports:export_download", args=[job.pk]))
    rows = read_xlsx(b"".join(download.streaming_content))
    assert rows[0][0] == "الرقم المرجعي"
    assert sorted(row[0] for row in rows[1:]) == sorted(a.reference for a in agreements[:3])


def test_another_staff_member_cannot_download_someone_elses_export(client, admin_client, agreements, settings):
    from tests.factories import AdminFactory

    settings.EXPORT_SYNC_MAX_ROWS = 0
    admin_client.post(reverse(EXPORT_URL), export_form("csv"))
    job = ExportJob.objects.get()
    other = AdminFactory(is_superuser=False)
    other.user_permissions.add(*_view_permissions())
    client.force_login(other)
    assert client.get(reverse("reports:export", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


def test_failed_export_is_recorded_on_the_job(admin_user, settings):
    from spreadsheets.exports import export_job_run

    job = ExportJob.objects.create(
        created_by=admin_user, app_label="agreements", model_name="agreement", file_format="pdf", language="ar"
    )
    with pytest.raises(StopIteration):
        export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert "StopIteration" in job.error
    # A redelivered task does not build it again.
    assert export_job_run(job_id=job.pk) is False


def _view_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__in=["view_agreement", "view_exportjob"])
