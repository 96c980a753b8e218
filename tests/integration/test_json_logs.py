"""Worker and beat write the same JSON lines as web: one object per task run, tokens redacted."""

import io
import json
import logging
import re

import pytest

from agreements.models import SigningRequest
from agreements.tasks import invite_signatory, render_signed_pdf
from common.logging import PortalJsonFormatter, RedactSigningTokens
from qatif_partnerships.celery import _task_failed, _task_finished, _task_started, ping
from tests.factories import AgreementFactory
from tests.integration.conftest import wait_for

# Celery's own plain format, e.g. "[2026-01-01 07:00:00,000: INFO/MainProcess] ...".
CELERY_PLAIN_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d [\d:,]+: [A-Z]+/")


def json_objects(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_and_beat_log_one_json_object_per_task_run(celery_processes, tmp_path):
    agreement = AgreementFactory()
    celery_processes.env["LOG_FORMAT"] = "json"
    celery_processes.start("worker", "worker", "--pool", "solo", "--loglevel=INFO")
    celery_processes.start("beat", "beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}")
    render_signed_pdf.delay(agreement.pk)
    ping.delay("hello")
    worker_log = tmp_path / "worker.log"

    def task_lines():
        found = [line for line in json_objects(worker_log.read_text()) if line.get("name") == "portal.task"]
        return found if {line["task"] for line in found} >= {"agreements.render_signed_pdf", "portal.ping"} else None

    runs = {line["task"]: line for line in wait_for(task_lines, processes=celery_processes)}
    pdf = runs["agreements.render_signed_pdf"]
    assert pdf["state"] == "SUCCESS" and pdf["levelname"] == "INFO"
    assert pdf["message"] == f"agreements.render_signed_pdf SUCCESS {pdf['duration_ms']} ms {agreement.reference}"
    assert pdf["reference"] == agreement.reference  # from the task's agreement_id
    assert isinstance(pdf["duration_ms"], float) and pdf["task_id"]
    assert runs["portal.ping"]["reference"] == ""
    # One object per run: Celery's own "received"/"succeeded" lines are not repeated.
    assert not any("succeeded in" in line.get("message", "") for line in json_objects(worker_log.read_text()))
    beat = wait_for(
        lambda: [line for line in json_objects((tmp_path / "beat.log").read_text()) if line["name"] == "celery.beat"],
        processes=celery_processes,
    )
    assert beat[0]["levelname"] == "INFO"
    for log in (worker_log, tmp_path / "beat.log"):
        plain = [line for line in log.read_text().splitlines() if CELERY_PLAIN_LINE.match(line)]
        assert plain == [], (log.name, plain[:3])


@pytest.mark.django_db
def test_a_failed_run_is_one_error_object_with_the_agreement_and_no_token():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PortalJsonFormatter())
    handler.addFilter(RedactSigningTokens())
    logger = logging.getLogger("portal.task")
    logger.addHandler(handler)
    token = "rtrN5QWjrEp1fstIHE269HPaBib1FefiBsXEi1XNj0c"
    signing_request = SigningRequest.objects.create(
        agreement=AgreementFactory(), party="partner", name="عميد الكلية", email="dean@college.example"
    )
    try:
        _task_started(task_id="t-1")
        _task_failed(task_id="t-1", exception=RuntimeError(f"no answer from https://portal/sign/{token}/"))
        _task_finished(task_id="t-1", task=invite_signatory, args=(signing_request.pk,), kwargs={}, state="FAILURE")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    failed = json.loads(lines[0])
    assert failed["levelname"] == "ERROR" and failed["state"] == "FAILURE"
    assert failed["task"] == invite_signatory.name
    assert failed["reference"] == signing_request.agreement.reference
    assert token not in lines[0] and "/sign/[redacted]/" in failed["error"]
    assert failed["message"].startswith(f"{invite_signatory.name} FAILURE ")
