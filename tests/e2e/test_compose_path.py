"""The README's production path, run as written (issue #17, "CI runs the documented path").

`cp .env.example .env`, the values the README's Production section tells the operator to set,
and nothing else; each service's environment resolved from docker-compose.yml as compose does
(tests/compose_env.py); Caddy, web, worker and beat started natively with the services' own
commands; each service's healthcheck run as written. Then, over https through Caddy: a staff
member logs in, sends an agreement, both parties sign, the worker seals the PDF and it is
e-mailed over SMTP. No setting an operator would not set is changed here. The only
differences from containers: the services' host names resolve to 127.0.0.1 (/etc/hosts), a
volume's mount point is a folder of the test, and the SMTP server is a local sink (the
operator's mail provider).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2
import pytest

from tests.browser.fixtures import SCREENSHOTS, newest_code, type_signing_code
from tests.compose_env import (
    HOST,
    ROOT,
    healthcheck,
    operator_values,
    service_command,
    service_environment,
    volume_target,
)
from tests.conftest import REDIS_URL, _reachable, service_missing

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ADMIN, ADMIN_PASSWORD = "operator", "Operator-pass-2026!"
PARTNER_EMAIL = "rep@partner-compose.example"
SERVICE_HOSTS = ("postgres", "redis", "web")


def write_dotenv(project: Path, values: dict[str, str]) -> None:
    """`cp .env.example .env`, then the operator edits the lines the README names."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    seen = set()
    for i, line in enumerate(lines):
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and key in values:
            lines[i] = f"{key}={values[key]}"
            seen.add(key)
    missing = set(values) - seen
    assert not missing, f".env.example has no line for {sorted(missing)}: the README asks the operator to set them"
    (project / ".env").write_text("\n".join(lines) + "\n")


SMTP_SINK = textwrap.dedent(
    """
    import asyncore, smtpd, sys, uuid
    from pathlib import Path
    folder = Path(sys.argv[2])
    class Sink(smtpd.SMTPServer):
        def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(data if isinstance(data, bytes) else data.encode())
    Sink(("127.0.0.1", int(sys.argv[1])), None, decode_data=False)
    asyncore.loop()
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))  # noqa: S104
        except OSError:
            return False
    return True


def _hosts_resolve_locally() -> None:
    """The compose network's names for the services (postgres, redis, web) on this machine."""
    hosts = Path("/etc/hosts")
    text = hosts.read_text()
    missing = [name for name in SERVICE_HOSTS if not any(name in line.split()[1:] for line in text.splitlines())]
    if missing:
        if not os.access(hosts, os.W_OK):
            service_missing(f"cannot map {missing} to 127.0.0.1 in /etc/hosts (not writable)")
        hosts.write_text(text.rstrip("\n") + "\n127.0.0.1 " + " ".join(missing) + "  # qatif compose-path test\n")


class ComposeStack:
    def __init__(self, project: Path):
        self.project = project
        self.var = project / "volumes" / "media"
        self.caddy_data = project / "volumes" / "caddy_data"
        self.mail = project / "mail"
        for folder in (self.var, self.caddy_data, project / "volumes" / "caddy_config", self.mail):
            folder.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.base = f"https://{HOST}"

    # --- environments ----------------------------------------------------------------------

    def env(self, service: str) -> dict[str, str]:
        """The container's environment: compose's, with the volume's mount point mapped here."""
        mount = volume_target(service, "media") if service != "caddy" else None
        environment = service_environment(service, self.project, shell={})
        if mount:
            environment = {k: v.replace(mount, str(self.var)) for k, v in environment.items()}
        if service == "caddy":  # caddy_data:/data and caddy_config:/config, where Caddy keeps them
            environment |= {
                "XDG_DATA_HOME": str(self.caddy_data),
                "XDG_CONFIG_HOME": str(self.project / "volumes" / "caddy_config"),
            }
        # The image's PATH: python, gunicorn and celery of the project's environment.
        path = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
        return {"PATH": path, "HOME": str(self.project), "LANG": "C.UTF-8", **environment}

    def run(self, service: str, command: list[str], **extra: str) -> str:
        result = subprocess.run(
            command, cwd=ROOT, env={**self.env(service), **extra}, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, service: str, command: list[str] | None = None) -> None:
        log = (self.project / f"{service}.log").open("a")
        self.processes[service] = subprocess.Popen(
            command or service_command(service),
            cwd=ROOT,
            env=self.env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def healthy(self, service: str) -> bool:
        result = subprocess.run(
            healthcheck(service), cwd=ROOT, env=self.env(service), capture_output=True, text=True, timeout=60
        )
        return result.returncode == 0

    def wait_healthy(self, service: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(service)
            assert process is None or process.poll() is None, f"{service} exited\n{self.logs()}"
            if self.healthy(service):
                return
            time.sleep(1)
        raise AssertionError(f"{service}'s healthcheck never passed\n{self.logs()}")

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.project.glob("*.log")))

    # --- what the operator and users see ------------------------------------------------------

    def ca(self) -> ssl.SSLContext:
        """Trust Caddy's local authority, as an operator's trial machine would after installing it."""
        root = self.caddy_data / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        return ssl.create_default_context(cafile=str(root))

    def get(self, path: str, **kwargs) -> urllib.request.addinfourl:
        return urllib.request.urlopen(self.base + path, context=self.ca(), timeout=10, **kwargs)

    def emails(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.mail.glob("*.eml"), key=lambda p: p.stat().st_mtime)
        ]

    def sql(self, query: str, *params):
        env = self.env("web")
        with psycopg2.connect(env["DATABASE_URL"]) as db, db.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else None


@pytest.fixture(scope="module")
def compose(tmp_path_factory):
    if not shutil.which("caddy"):
        service_missing("Caddy is not installed (Debian package caddy)")
    if not _reachable(REDIS_URL):
        service_missing(f"Redis not reachable at {REDIS_URL}")
    for port in (80, 443, 8000):
        if not _port_free(port):
            service_missing(f"port {port} is taken: the compose path binds it as written")
    _hosts_resolve_locally()
    project = tmp_path_factory.mktemp("compose")
    smtp_port = _free_port()
    write_dotenv(project, operator_values(smtp_port))
    stack = ComposeStack(project)
    stack.processes["smtp"] = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", SMTP_SINK, str(smtp_port), str(stack.mail)], start_new_session=True
    )
    # What compose's postgres service does with POSTGRES_USER/PASSWORD/DB on first start.
    web = stack.env("web")
    password = web["DATABASE_URL"].split(":")[2].split("@")[0]
    admin = psycopg2.connect(dbname="postgres", host="127.0.0.1", port=5432, user="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS portal WITH (FORCE)")
        cursor.execute("DROP ROLE IF EXISTS portal")
        cursor.execute("CREATE ROLE portal LOGIN PASSWORD %s", (password,))
        cursor.execute("CREATE DATABASE portal OWNER portal")
    try:
        # README: migrations run once in the "migrate" service; then createsuperuser and the seal.
        stack.run("migrate", service_command("migrate"))
        stack.run(
            "web",
            ["python", "manage.py", "createsuperuser", "--noinput", "--username", ADMIN, "--email", "op@example.org"],
            DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
        )
        stack.run("web", ["python", "manage.py", "create_seal_certificate"])
        for service in ("web", "worker", "beat"):
            stack.start(service)
        for service in ("web", "worker", "beat"):
            stack.wait_healthy(service)
        # The caddy image's own command.
        stack.start("caddy", ["caddy", "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"])
        stack.wait_healthy("caddy")
        # Up is not yet serving: Caddy issues the site's certificate from its local authority
        # in the background after it starts.
        deadline = time.monotonic() + 60
        while True:
            try:
                with stack.get("/healthz") as response:
                    assert response.status == 200
                break
            except (OSError, ssl.SSLError):
                assert time.monotonic() < deadline, "Caddy never served https\n" + stack.logs()
                time.sleep(0.5)
        yield stack
    finally:
        stack.stop_all()
        with admin.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS portal WITH (FORCE)")
            cursor.execute("DROP ROLE IF EXISTS portal")
        admin.close()


def _arrange_agreement(stack: ComposeStack) -> str:
    """Staff's everyday data, entered here through the ORM: a partner, its signing contact, a draft."""
    script = textwrap.dedent(
        f"""
        import datetime
        from accounts.models import User
        from agreements.models import Agreement, Clause, Commitment
        from partners.models import Contact, Partner
        partner = Partner.objects.create(name_ar="جمعية الاختبار", name_en="Test association")
        Contact.objects.create(partner=partner, name_ar="ممثل الجمعية", email="{PARTNER_EMAIL}",
                               can_sign=True, is_primary=True)
        owner = User.objects.get(username="{ADMIN}")
        agreement = Agreement.objects.create(partner=partner, owner=owner, title_ar="اتفاقية تجريبية",
            starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2027, 12, 31))
        clause = Clause.objects.create(agreement=agreement, order=1, kind="training", text_ar="تدريب المستفيدين.")
        Commitment.objects.create(clause=clause, party="partner", description_ar="دورات",
            target_quantity=5, unit="courses", due_on=datetime.date(2027, 6, 30))
        print(agreement.reference)
        """
    )
    return stack.run("web", ["python", "manage.py", "shell", "-c", script]).strip().splitlines()[-1]


def test_the_documented_production_path_serves_signs_seals_and_mails_over_https(compose, browser):
    stack = compose
    # Django's deployment checklist, in web's environment exactly as compose gives it: clean.
    # (--fail-level WARNING: a warning fails the command, and so this test.)
    checked = stack.run("web", ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert "no issues" in checked, checked
    # Over https with Caddy's certificate for the host; plain http is sent to https.
    with stack.get("/healthz") as response:
        assert response.status == 200

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as redirected:
        urllib.request.build_opener(NoRedirect).open(f"http://{HOST}/accounts/login/", timeout=10)
    assert redirected.value.code in (301, 308)
    assert redirected.value.headers["Location"] == f"https://{HOST}/accounts/login/"
    with stack.get("/accounts/login/") as response:
        headers = dict(response.headers)
    assert "max-age=31536000" in headers.get("Strict-Transport-Security", ""), headers

    reference = _arrange_agreement(stack)
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{stack.base}/accounts/login/")
    page.fill("#id_username", ADMIN)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]

    # Send for signature: the operator signs for the charity from the account, the contact by link.
    page.goto(f"{stack.base}/agreements/{reference}/send/")
    page.fill("#id_charity_name", "مشغّل البوابة")
    page.fill("#id_charity_email", "op@example.org")
    page.select_option("#id_charity_user", label=ADMIN)
    page.check("input[name=partner_contacts]")
    page.click("main form button.btn-primary")
    page.wait_for_load_state("networkidle")
    assert stack.sql("SELECT status FROM agreements_agreement WHERE reference = %s", reference)[0][0] == (
        "awaiting_signatures"
    )
    page.goto(f"{stack.base}/agreements/{reference}/sign/")
    page.check("input[name=method][value=typed]")
    page.fill("#id_typed", "مشغّل البوابة")
    page.check("#id_consent")
    page.click("[data-testid=sign-button]")
    page.wait_for_load_state("networkidle")

    def signing_email():
        return next((m for m in stack.emails() if PARTNER_EMAIL in str(m["To"])), None)

    deadline = time.monotonic() + 90
    while (message := signing_email()) is None:
        assert time.monotonic() < deadline, "no signing e-mail reached the SMTP server\n" + stack.logs()
        time.sleep(1)
    text = message.get_body(("plain",)).get_content()
    link = next(word for word in text.split() if word.startswith(f"{stack.base}/sign/"))
    partner = browser.new_context(ignore_https_errors=True).new_page()
    partner.goto(link)
    partner.wait_for_load_state("networkidle")
    type_signing_code(
        partner,
        lambda: newest_code(
            m.get_body(("plain",)).get_content() for m in stack.emails() if PARTNER_EMAIL in str(m["To"])
        ),
    )
    partner.check("input[name=method][value=typed]")
    partner.fill("#id_typed", "ممثل الجمعية")
    partner.check("#id_consent")
    partner.click("[data-testid=sign-button]")
    partner.wait_for_load_state("networkidle")
    assert "سُجّل توقيعك" in partner.inner_text("[data-testid=signing-done]")
    partner.context.close()

    # The worker seals the PDF; it is downloadable over https and e-mailed to both signatories.
    deadline = time.monotonic() + 180
    while stack.sql("SELECT pdf_status FROM agreements_agreement WHERE reference = %s", reference)[0][0] != "ready":
        assert time.monotonic() < deadline, "the signed PDF was never made\n" + stack.logs()
        time.sleep(1)
    response = page.request.get(f"{stack.base}/agreements/{reference}/pdf/ar/")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    deadline = time.monotonic() + 90
    while not any(m.get_content_type() == "multipart/mixed" and PARTNER_EMAIL in str(m["To"]) for m in stack.emails()):
        assert time.monotonic() < deadline, "the signed PDF was never e-mailed\n" + stack.logs()
        time.sleep(1)
    pdf_mail = next(
        m for m in stack.emails() if m.get_content_type() == "multipart/mixed" and PARTNER_EMAIL in str(m["To"])
    )
    assert any(part.get_content_type() == "application/pdf" for part in pdf_mail.iter_attachments())
    page.screenshot(path=str(SCREENSHOTS / "90-compose-path-signed.png"), full_page=True)

    # (Before the secret-address requests below, made from another client.)
    # The client's address, as Caddy saw it (its JSON access log), is what the audit trail
    # recorded: not the proxy's own address towards web.
    seen_by_caddy = {
        entry["request"]["remote_ip"]
        for entry in (json.loads(line) for line in (stack.project / "caddy.log").read_text().splitlines() if line)
        if entry.get("logger", "").startswith("http.log.access") and "/sign" in entry["request"]["uri"]
    }
    addresses = {row[0] for row in stack.sql("SELECT host(ip) FROM agreements_auditevent WHERE ip IS NOT NULL")}
    assert seen_by_caddy and addresses == seen_by_caddy, (addresses, seen_by_caddy)

    # Other secret addresses, as their users (and a guesser) use them through Caddy: the used
    # signing link again and an unknown one (404s Django logs with the request), a calendar feed
    # polled, a password reset asked for on the login page and its e-mailed link opened.
    secrets_used = [link.rstrip("/").rsplit("/", 1)[1], "Zx9" + "7" * 40]
    for path in (link.removeprefix(stack.base), f"/sign/{secrets_used[1]}/"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            stack.get(path)
        assert missing.value.code == 404
    page.goto(f"{stack.base}/reminders/calendar/")
    page.click("button[value=issue]")
    feed = page.get_by_test_id("calendar-url").input_value()
    assert feed.startswith(f"https://{HOST}/calendar/"), feed
    with stack.get(feed.removeprefix(f"https://{HOST}")) as response:
        assert response.status == 200 and b"BEGIN:VCALENDAR" in response.read()
    secrets_used.append(feed.rsplit("/", 1)[1].removesuffix(".ics"))
    context.close()
    visitor = browser.new_context(ignore_https_errors=True).new_page()
    visitor.goto(f"{stack.base}/accounts/password-reset/")
    visitor.fill("input[name=email]", "op@example.org")
    visitor.click("main button[type=submit]")
    visitor.wait_for_load_state("networkidle")
    deadline = time.monotonic() + 30
    while not (resets := [m for m in stack.emails() if "/password-reset/" in m.get_body(("plain",)).get_content()]):
        assert time.monotonic() < deadline, "no password-reset e-mail\n" + stack.logs()
        time.sleep(0.5)
    reset = next(w for w in resets[-1].get_body(("plain",)).get_content().split() if "/password-reset/" in w)
    assert reset.startswith(f"https://{HOST}/accounts/password-reset/"), reset  # SITE_URL, not the Host header
    visitor.goto(reset)
    assert "/set-password/" in visitor.url
    secrets_used.append(reset.rstrip("/").rsplit("/", 1)[1])
    visitor.context.close()

    # Each of those tokens is a password: no log holds one (web, worker, beat, Caddy).
    for service in ("web", "worker", "beat", "caddy"):
        text = (stack.project / f"{service}.log").read_text()
        for secret in secrets_used:
            assert secret not in text, (service, secret)
    # Every service's log is JSON, one object per line.
    for service in ("web", "worker", "beat"):
        text = (stack.project / f"{service}.log").read_text()
        if os.geteuid() == 0 and service == "worker":
            # Celery warns on stderr, before any logging is set up, when the worker runs as root:
            # here, not in the image (its USER is portal).
            start = text.find("SecurityWarning: You're running the worker with superuser privileges")
            if start != -1:
                end = text.index("_warn_or_raise_security_error(", start)
                text = text[: text.rfind("\n", 0, start) + 1] + text[text.index("\n", end) + 1 :]
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines, service
        broken = [line for line in lines if not line.startswith("{")]
        assert not broken, (service, broken[:5])
        for line in lines:
            json.loads(line)
    # Each healthcheck still passes as written.
    for service in ("web", "worker", "beat", "caddy"):
        assert stack.healthy(service), service
