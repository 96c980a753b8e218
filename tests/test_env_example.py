"""`.env.example` is the production configuration: every line read by the settings, every
value the strict production one, only the secrets left to fill in."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / ".env.example").read_text()
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "SITE_HOST", "CADDY_TLS"}  # read by compose and its caddy service
# What an operator fills in after `cp .env.example .env` (the lines marked "Secret").
SECRETS = {
    "SECRET_KEY": "hT3v9-QxL0pZ_w2Rk8mYc4NfJd7sBa1EgUo6VtCi5HrPlXnKq0WyMzDe",
    "SEAL_PKCS12_PASSWORD": "seal-password",
    "EMAIL_HOST_PASSWORD": "mail-password",
    "POSTGRES_PASSWORD": "database-password",
}


def example_env() -> dict[str, str]:
    """`.env.example` as docker-compose reads an env file: NAME=value, the value as written."""
    return dict(re.findall(r"^([A-Z_0-9]+)=(.*)$", EXAMPLE, re.MULTILINE))


def operator_env() -> dict[str, str]:
    """`cp .env.example .env` plus the secrets, and nothing else from this machine."""
    env = {**example_env(), **SECRETS}
    return {**env, "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}  # noqa: S108


def read_settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "qatif_partnerships.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_env_example_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "qatif_partnerships/settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_0-9]+)"', settings_source))
    documented = set(example_env())
    assert read, "no env_* calls found: the pattern is out of date"
    assert read - documented == set()
    assert documented - COMPOSE_ONLY - read == set(), "documented but never read by the settings"


def test_every_secret_is_left_empty_and_marked():
    env = example_env()
    for name in SECRETS:
        assert env[name] == "", name
        assert re.search(rf"# Secret[^\n]*\n(#[^\n]*\n)*{name}=", EXAMPLE), f"{name} is not marked as a secret"


def test_env_example_with_its_secrets_passes_the_deploy_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=operator_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_env_example_gives_the_strict_production_settings():
    found = read_settings(
        operator_env(),
        "DEBUG",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "EMAIL_BACKEND",
        "LOG_FORMAT",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "ALLOWED_HOSTS",
        "TRUSTED_PROXY_COUNT",
    )
    assert found == {
        "DEBUG": False,
        # CELERY_BROKER_URL= and CELERY_RESULT_BACKEND= are empty: REDIS_URL, not amqp://guest@localhost.
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "CELERY_RESULT_BACKEND": "redis://redis:6379/0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "LOG_FORMAT": "json",
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "ALLOWED_HOSTS": ["localhost"],
        "TRUSTED_PROXY_COUNT": 1,
    }


def test_an_empty_variable_means_its_default():
    env = {**operator_env(), "LOG_FORMAT": "", "SECURE_SSL_REDIRECT": "", "SECURE_HSTS_SECONDS": ""}
    env.update(EMAIL_BACKEND="", AXES_FAILURE_LIMIT="", REMINDER_OFFSETS="", TIME_ZONE=" ")
    found = read_settings(
        env, "LOG_FORMAT", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "EMAIL_BACKEND", "AXES_FAILURE_LIMIT"
    )
    assert found == {
        "LOG_FORMAT": "json",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "AXES_FAILURE_LIMIT": 5,
    }
    assert read_settings(env, "REMINDER_OFFSETS", "TIME_ZONE") == {
        "REMINDER_OFFSETS": [90, 60, 30, 7],
        "TIME_ZONE": "Asia/Riyadh",
    }
