"""docker-compose.yml and the Dockerfile checked statically (no Docker engine here): the compose
file parses, every service runs a command that exists in this project, it names only documented
variables and pinned images; the image installs the runtime lock with hash checking and carries
no tests, benchmarks, npm install or dev tools."""

import importlib
import re
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import get_commands

from tests.stack import image_command, service_command

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
    for name in PROJECT_SERVICES:
        command = service_command(name)
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


DOCKERFILE = (ROOT / "Dockerfile").read_text()
# Instructions without comments, with their continuation lines joined.
INSTRUCTIONS = re.sub(r"\\\n", " ", re.sub(r"^#.*\n", "", DOCKERFILE, flags=re.MULTILINE))
DOCKERIGNORE = {
    line.strip().strip("/")
    for line in (ROOT / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}


def _stages() -> list[str]:
    """The Dockerfile's stages, each from its FROM line; the last one is the runtime image."""
    return re.split(r"^(?=FROM )", INSTRUCTIONS, flags=re.MULTILINE)[1:]


def test_gunicorn_command_is_written_once_as_the_images_cmd():
    assert image_command()[0] == "gunicorn"
    assert "command" not in COMPOSE["services"]["web"]
    everything = DOCKERFILE + (ROOT / "docker-compose.yml").read_text()
    assert everything.count("qatif_partnerships.wsgi:application") == 1


def test_every_image_is_pinned_to_a_release():
    for name, service in COMPOSE["services"].items():
        if "image" in service and "build" not in service:
            image = service["image"]
            assert ":" in image and not image.endswith(":latest"), (name, image)
    assert "minio/minio:RELEASE." in COMPOSE["services"]["minio"]["image"]


def test_image_installs_the_runtime_lock_with_hash_checking():
    runtime = _stages()[-1]
    installs = re.findall(r"pip install[^\n]*", runtime)
    assert installs, "the runtime stage installs no Python packages"
    for install in installs:
        assert "--require-hashes" in install and "-r requirements.txt" in install, install
        assert "requirements-dev" not in install, install
    assert "honcho" not in (ROOT / "requirements.txt").read_text().lower()
    assert "honcho" not in runtime.lower()


def test_build_context_leaves_out_tests_benchmarks_and_local_environments():
    assert {"tests", "bench", "node_modules", ".venv", ".git", ".env", "var", "staticfiles"} <= DOCKERIGNORE
    assert "requirements-dev.txt" in DOCKERIGNORE


def test_runtime_image_gets_only_the_served_vendor_folders_from_the_npm_stage():
    frontend, runtime = _stages()[0], _stages()[-1]
    assert "npm ci" in frontend and "npm" not in runtime
    # Everything the runtime stage copies from another stage: the served folders, nothing else.
    copies = re.findall(r"^COPY --from=(\S+) (\S+) (\S+)", runtime, flags=re.MULTILINE)
    assert copies == [("frontend", "/served", "./node_modules")], copies
    # /served holds exactly the node_modules folders STATICFILES_DIRS names.
    served = set(re.search(r"for served in ([^;]+);", frontend).group(1).split())
    node_modules = Path(settings.NODE_MODULES)
    wanted = {
        Path(entry[1]).relative_to(node_modules).as_posix()
        for entry in settings.STATICFILES_DIRS
        if isinstance(entry, tuple) and Path(entry[1]).is_relative_to(node_modules)
    }
    assert served == wanted
    # collectstatic runs in the image after the vendor folders are in place.
    assert runtime.index("COPY --from=frontend") < runtime.index("collectstatic")
