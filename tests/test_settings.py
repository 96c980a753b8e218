"""Settings refuse unsafe or malformed configuration (run in fresh interpreters)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "SITE_URL", "EMAIL_BACKEND"}}
    full_env.update(env, DJANGO_SETTINGS_MODULE="qatif_partnerships.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_empty_secret_key():
    result = run_settings(DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# What production needs besides the secret key; each refusal below takes one of them away.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "SITE_URL": "https://portal.example",
    "REDIS_URL": "redis://redis:6379/0",
    "CELERY_BROKER_URL": "",
    "EMAIL_BACKEND": "",
}


def test_production_starts_with_a_real_secret_key():
    result = run_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def refusal(result: subprocess.CompletedProcess) -> str:
    """The one line the portal gives as its reason for not starting."""
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


def test_production_refuses_to_start_without_site_url():
    assert refusal(run_settings(**{**PRODUCTION, "SITE_URL": ""})) == (
        "django.core.exceptions.ImproperlyConfigured: "
        "SITE_URL must be set to the portal's address (e.g. https://portal.example.org)."
    )


def test_production_refuses_to_start_without_a_redis_broker():
    assert refusal(run_settings(**{**PRODUCTION, "REDIS_URL": ""})).endswith(
        "CELERY_BROKER_URL or REDIS_URL must be a redis:// URL when DEBUG is off, not empty."
    )
    # The reason names the scheme only: a broker URL may carry a password.
    line = refusal(run_settings(**{**PRODUCTION, "CELERY_BROKER_URL": "amqp://guest:hunter2@localhost//"}))
    assert line.endswith("not amqp://.") and "hunter2" not in line
    assert refusal(run_settings(**{**PRODUCTION, "CELERY_BROKER_URL": "filesystem://localhost/"})).endswith(
        "not filesystem://."
    )


def test_an_empty_broker_falls_back_to_redis_url():
    result = run_settings(**PRODUCTION, CELERY_RESULT_BACKEND="")
    assert result.returncode == 0, result.stderr


def test_production_refuses_mail_that_never_leaves_the_machine():
    for backend in ("filebased", "console", "locmem", "dummy"):
        path = f"django.core.mail.backends.{backend}.EmailBackend"
        assert refusal(run_settings(**{**PRODUCTION, "EMAIL_BACKEND": path})).endswith(
            f"EMAIL_BACKEND {path} does not send mail; use SMTP or set ALLOW_FILE_EMAIL=true."
        )
    allowed = run_settings(
        **{
            **PRODUCTION,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "ALLOW_FILE_EMAIL": "true",
        }
    )
    assert allowed.returncode == 0, allowed.stderr


def test_malformed_boolean_is_rejected():
    result = run_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_demo_defaults_start_without_any_environment():
    result = run_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
