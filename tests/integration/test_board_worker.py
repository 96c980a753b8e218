"""A real Celery worker makes the board report PDF asked for on the staff page (Redis + PostgreSQL)."""

import re

import pytest
from django.urls import reverse

from reports.models import BoardReport, BoardReportStatus
from tests.factories import StaffFactory
from tests.integration.conftest import wait_for
from tests.reports.test_board_report import figures_line, partnership, pdf_text, squeezed, unmarked  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_makes_the_board_report_staff_download(celery_processes, client, tmp_path, partnership):  # noqa: F811
    celery_processes.start("worker", "worker", "--pool", "prefork", "--concurrency", "1", "-l", "INFO")
    client.force_login(StaffFactory())
    response = client.post(
        reverse("board_reports:list"), {"calendar": "gregorian", "year": "2027", "part": "q2", "language": "ar"}
    )
    assert response.status_code == 302
    report = BoardReport.objects.get()
    wait_for(
        lambda: BoardReport.objects.get(pk=report.pk).status == BoardReportStatus.DONE,
        timeout=120,
        processes=celery_processes,
    )
    # While it was being made the list polled its table; now the download link is there.
    assert (
        reverse("board_reports:download", args=[report.pk])
        in client.get(reverse("board_reports:table")).content.decode()
    )
    pdf = client.get(reverse("board_reports:download", args=[report.pk])).content
    text = unmarked(pdf_text(pdf, tmp_path))
    assert sorted(figures_line(text, "تدريب الشباب")) == sorted([40, 24, 31, 17, 19])
    assert "تقريرمجلسالإدارة" in squeezed(text) and re.search(r"ذكور\W{0,3}13", squeezed(text))
