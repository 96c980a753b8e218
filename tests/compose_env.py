"""docker-compose.yml's services resolved as `docker compose` resolves them, to run natively.

There is no Docker engine on these machines. This module reads the compose file and an
operator's `.env` and gives each service its environment exactly as compose would: the
`env_file` first, then the service's `environment`, with `${VAR}`, `${VAR:-default}` and
`${VAR-default}` interpolated from the shell environment, then `.env` (compose's order).
What differs on one machine without containers is only where things are: the services'
host names (postgres, redis, web) resolve to 127.0.0.1 through /etc/hosts, and a volume's
mount point inside the container (/app/var) is a folder of the test.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import yaml

from tests.stack import service_command  # its `command`, else the image's CMD, as compose runs it

__all__ = ["service_command"]

ROOT = Path(__file__).resolve().parents[1]
# The host name of a trial on one machine (Caddy's local certificates, CADDY_TLS=internal).
HOST = "localhost"
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?-)(?P<default>[^}]*))?\}|\$\$")


def compose_file() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as compose reads an env_file: comments and blank lines skipped, quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's interpolation: `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `$$`."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, default = match.group("name"), match.group("op"), match.group("default") or ""
        current = variables.get(name)
        if op == ":-" and not current:
            return default
        if op == "-" and current is None:
            return default
        return current or ""

    return INTERPOLATION.sub(replace, value)


def service_environment(service: str, project: Path, shell: dict[str, str]) -> dict[str, str]:
    """The environment `docker compose up` gives `service`, for a project folder holding `.env`."""
    spec = compose_file()["services"][service]
    dotenv = read_env_file(project / ".env") if (project / ".env").exists() else {}
    variables = {**dotenv, **shell}  # the shell wins over .env for interpolation
    environment: dict[str, str] = {}
    env_files = spec.get("env_file") or []
    for name in [env_files] if isinstance(env_files, str) else env_files:
        environment.update(read_env_file(project / name))
    declared = spec.get("environment") or {}
    if isinstance(declared, list):
        declared = dict(item.split("=", 1) for item in declared)
    for key, value in declared.items():
        environment[key] = interpolate(str(value), variables)
    return environment


def healthcheck(service: str) -> list[str]:
    """The healthcheck's command as written (CMD form)."""
    test = compose_file()["services"][service]["healthcheck"]["test"]
    assert test[0] == "CMD", test
    return list(test[1:])


def volume_target(service: str, volume: str) -> str:
    """Where `volume` is mounted inside `service`'s container."""
    for entry in compose_file()["services"][service].get("volumes", []):
        source, target = entry.split(":")[:2]
        if source == volume:
            return target
    raise KeyError(volume)


def operator_values(smtp_port: int) -> dict[str, str]:
    """What README.md's Production section tells the operator to set in .env: the secrets, the
    host name (this machine's, for a trial with Caddy's local certificates) and the mail server."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "SEAL_PKCS12_PASSWORD": secrets.token_urlsafe(16),
        "SITE_URL": f"https://{HOST}",
        "SITE_HOST": HOST,
        "CADDY_TLS": "internal",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "DEFAULT_FROM_EMAIL": "partnerships@qatif-charity.example",
    }
