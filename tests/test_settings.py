"""Settings refuse unsafe or malformed configuration (run in fresh interpreters)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
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


def test_production_starts_with_a_real_secret_key():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_malformed_boolean_is_rejected():
    result = run_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_demo_defaults_start_without_any_environment():
    result = run_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
