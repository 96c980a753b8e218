"""Health endpoints, structured logs and the calendar feed."""

import json
import logging
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.factories import AgreementFactory, ClauseFactory, CommitmentFactory, PartnerUserFactory, set_status

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_broker(client):
    response = client.get("/readyz")
    body = response.json()
    assert body["database"] == "ok"
    assert response.status_code == (200 if body["broker"] == "ok" else 503)


@pytest.fixture
def strict_production(settings):
    """The security settings `.env.example` gives production (DEBUG stays on for the test client)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.ALLOWED_HOSTS = ["portal.qatif-charity.example", "127.0.0.1", "localhost"]


def test_health_probes_answer_plain_http_on_loopback_with_the_https_redirect_on(client, strict_production, redis_url):
    # What the compose health check does: http://127.0.0.1:8000/readyz, no proxy, no X-Forwarded-Proto.
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="127.0.0.1:8000")
        assert response.status_code == 200, (path, response.status_code, response.get("Location"))
        assert response.json()["status"] == "ok"
    # Every other page still goes to https, through the proxy's host or not.
    for host in ("127.0.0.1:8000", "portal.qatif-charity.example"):
        response = client.get("/accounts/login/", HTTP_HOST=host)
        assert response.status_code == 301 and response["Location"] == f"https://{host}/accounts/login/"
    # Through the proxy (X-Forwarded-Proto: https) the page is served.
    proxied = client.get("/accounts/login/", HTTP_HOST="portal.qatif-charity.example", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def test_readyz_reports_a_broken_broker_as_unavailable(client, settings):
    from qatif_partnerships.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_one_structured_line_per_request_with_the_agreement_reference(staff_client, caplog):
    agreement = AgreementFactory()
    logger = logging.getLogger("portal.request")
    logger.setLevel(logging.INFO)
    with caplog.at_level(logging.INFO, logger="portal.request"):
        staff_client.get(reverse("agreements:detail", args=[agreement.reference]))
    records = [r for r in caplog.records if r.name == "portal.request"]
    assert len(records) == 1
    record = records[0]
    assert (record.status, record.reference, record.method) == (200, agreement.reference, "GET")
    assert record.duration_ms >= 0


def test_json_formatter_writes_one_json_object_per_line():
    from common.logging import PortalJsonFormatter

    record = logging.LogRecord("portal.task", logging.INFO, __file__, 1, "task", (), None)
    record.task = "reminders.send"
    record.reference = "QC-2026-0001"
    line = PortalJsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["task"] == "reminders.send" and data["reference"] == "QC-2026-0001"


def test_calendar_feed_holds_what_the_user_may_see_and_can_be_revoked(client):
    user = PartnerUserFactory()
    mine = AgreementFactory(partner=user.partner, title_ar="اتفاقيتي")
    CommitmentFactory(clause=ClauseFactory(agreement=mine, order=1), description_ar="التزامي")
    set_status(mine, "active")
    set_status(AgreementFactory(title_ar="اتفاقية غيري"), "active")
    client.force_login(user)
    page = client.post(reverse("reminders:calendar"), {"action": "issue"}).content.decode()
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    path = url.split("8000", 1)[-1] if "8000" in url else url
    client.logout()
    response = client.get(path)
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event.get("summary")) for event in calendar.walk("VEVENT")]
    assert any("اتفاقيتي" in s for s in summaries)
    assert any("التزامي" in s for s in summaries)
    assert not any("اتفاقية غيري" in s for s in summaries)
    assert sum("تذكير بالتجديد" in s for s in summaries) == 4  # 90, 60, 30, 7 days
    client.force_login(user)
    client.post(reverse("reminders:calendar"), {"action": "revoke"})
    client.logout()
    assert client.get(path).status_code == 404


def test_container_probes_pass_with_production_settings_and_nothing_else_does(client, settings):
    """The compose healthcheck asks http://127.0.0.1:8000/readyz inside the container: plain
    http, a host not in ALLOWED_HOSTS. It is answered; every other page is not."""
    settings.ALLOWED_HOSTS = ["portal.qatif-charity.example"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="127.0.0.1:8000")
        assert response.status_code == 200, (path, response.content)
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    response = client.get("/accounts/login/", HTTP_HOST="portal.qatif-charity.example")
    assert response.status_code == 301 and response["Location"].startswith("https://portal.qatif-charity.example/")
    assert client.post("/readyz", HTTP_HOST="127.0.0.1:8000").status_code == 400  # only GET/HEAD are probes
