"""docker-compose.yml checked statically (no Docker engine here): it parses, every service
runs a command that exists in this project, and it names only documented variables."""

import importlib
import re
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCUMENTED = set(re.findall(r"^([A-Z_0-9]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
PROJECT_SERVICES = {"migrate", "web", "worker", "beat"}


def test_compose_has_the_production_services_each_with_a_health_check():
    services = COMPOSE["services"]
    assert PROJECT_SERVICES | {"postgres", "redis", "minio"} <= set(services)
    for name, service in services.items():
        if name != "migrate":  # a one-shot job, finished before the others start
            assert "healthcheck" in service, name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "deploy" not in services["beat"] or services["beat"]["deploy"].get("replicas", 1) == 1


def test_every_project_service_runs_a_command_that_exists():
    services = COMPOSE["services"]
    for name in PROJECT_SERVICES:
        command = services[name]["command"]
        if command[0] == "python":
            assert command[1] == "manage.py" and command[2] in get_commands(), command
        elif command[0] == "gunicorn":
            module, attribute = command[1].split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
        elif command[0] == "celery":
            command = [part for part in command if part != "--quiet"]  # a global option: no banner
            assert command[1:3] == ["-A", "qatif_partnerships"]
            assert command[3] in {"worker", "beat"}
            importlib.import_module("qatif_partnerships.celery")
        else:
            raise AssertionError(f"{name}: unknown command {command}")


def test_compose_names_only_variables_documented_in_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    referenced = set(re.findall(r"\$\{([A-Z_0-9]+)", text))
    for service in COMPOSE["services"].values():
        referenced |= set((service.get("environment") or {}).keys()) - {
            "POSTGRES_DB",
            "POSTGRES_USER",
            "POSTGRES_PASSWORD",
            "MINIO_ROOT_USER",
            "MINIO_ROOT_PASSWORD",
            "UPSTREAM",  # the caddy container's own: where web listens
        }
    assert referenced - DOCUMENTED == set()
    assert COMPOSE["x-portal"]["env_file"] == ".env"


def test_the_readme_names_exactly_the_values_the_compose_path_test_sets_in_env():
    """The README's Production block lists the .env lines the operator sets; CI's compose-path
    test (tests/e2e/test_compose_path.py) sets those and no others."""
    from tests.compose_env import operator_values

    readme = (ROOT / "README.md").read_text()
    block = readme.split("set only these lines:", 1)[1].split("docker compose up", 1)[0]
    listed = set(re.findall(r"\b([A-Z][A-Z0-9_]+)\b", block))
    assert listed == set(operator_values(25))
    assert set(operator_values(25)) <= DOCUMENTED
