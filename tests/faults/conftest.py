"""Real processes and real outages: a Redis server and a PostgreSQL cluster of the test's own,
so stopping them disturbs nothing else on the machine, and the compose commands from
tests/stack.py for web, worker and beat."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import os
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL, service_missing
from tests.integration.conftest import *  # noqa: F403  (the same real-process fixtures)
from tests.stack import Stack, free_port


class RedisServer:
    """A Redis of the test's own that can go away (with everything in memory) and come back."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.folder / "redis.log").open("a")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        import redis

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the test's Redis did not start")

    def stop(self) -> None:
        """Gone at once, as in a crash: the queue in memory is lost."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        service_missing("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _static_collected(tmp_path_factory):
    """The web process runs with DEBUG off and serves static files from the collected manifest,
    which only the production storage writes: collect as the stack runs, not as the tests do."""
    # collectstatic touches neither the database nor Redis, but the settings must parse: an
    # unset DATABASE_URL is not handed on as an empty one.
    folder = tmp_path_factory.mktemp("static")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'unused.sqlite3'}"
    Stack(folder, database_url=database_url, redis_url=REDIS_URL).manage("collectstatic", "--noinput", "-v0")


@pytest.fixture
def stack_on_test_db(shared_database, tmp_path, _session_seal, _static_collected):
    """Returns a function making a Stack on this test's database (web, worker, beat not started)."""
    stacks: list[Stack] = []

    def make(redis_url: str, **env: str) -> Stack:
        folder = tmp_path / f"stack{len(stacks)}"
        folder.mkdir()
        stack = Stack(
            folder,
            database_url=shared_database,
            redis_url=redis_url,
            SEAL_PKCS12_PATH=str(_session_seal),
            SEAL_PKCS12_PASSWORD="tests",
            **env,
        )
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()


class _FromAddress(urllib.request.HTTPSHandler):
    """https from a chosen local address (or the default one)."""

    def __init__(self, *, context: ssl.SSLContext | None, source: str | None):
        super().__init__(context=context)
        self.source = source

    def https_open(self, req):
        if self.source is None:
            return super().https_open(req)
        connection = functools.partial(http.client.HTTPSConnection, source_address=(self.source, 0))
        return self.do_open(connection, req, context=self._context)


class Browser:
    """A person's HTTP session: cookies, CSRF token, Referer, like a browser sends them."""

    def __init__(self, base_url: str, tls: ssl.SSLContext | None = None, source: str | None = None):
        """`tls`: the authority to trust for an https `base_url` (the stack's Caddy); `source`:
        the loopback address this person connects from (127.0.0.2, 127.0.0.3, …), so that
        several people reach the proxy from different client addresses."""
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _FromAddress(context=tls, source=source)
        )

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        csrf = next((cookie.value for cookie in self.jar if cookie.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        headers = {"Referer": self.base_url + path}
        return self._open(urllib.request.Request(self.base_url + path, data=body, headers=headers))

    def login(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        status, page = self.post("/accounts/login/", {"username": username, "password": password})
        assert status == 200 and "logout" in page.lower(), (status, page[:500])


class PostgresCluster:
    """A PostgreSQL cluster of the test's own, that can be restarted under a running web server."""

    def __init__(self, folder: Path):
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not versions:
            service_missing("PostgreSQL server binaries are not installed")
        self.bin = versions[-1].parent
        self.data = folder / "pgdata"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"
        # The server refuses to run as root: the files and the processes belong to `postgres`.
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        folder.mkdir(exist_ok=True)
        if self.as_postgres:
            shutil.chown(folder, "postgres")

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self.as_postgres, *command], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

    def create(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "portal")

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.data.parent / "postgres.log"),
            action,
            *extra,
        )

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """Every connection is cut, as when the database server is restarted for an upgrade."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("stop", "-m", "immediate")


@pytest.fixture
def own_postgres():
    # Not under pytest's tmp_path: the `postgres` user cannot enter root's private folders.
    folder = Path(tempfile.mkdtemp(prefix="qatif-faults-pg-"))
    cluster = PostgresCluster(folder)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
