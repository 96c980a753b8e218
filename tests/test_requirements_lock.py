"""The lock files: every package, transitive ones included, pinned with `==` and its hashes; each
package the .in files ask for is in its lock at the version asked; the dev lock holds the runtime
versions; and every install (make setup, the image) checks the hashes."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _entries(path: Path) -> list[str]:
    """The requirement entries of a requirements file, continuation lines joined, comments dropped."""
    text = re.sub(r"\s*\\\n\s*", " ", path.read_text())
    lines = (re.sub(r"(^|\s)#.*", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for entry in _entries(path):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)", entry)
        assert match, f"{path.name}: not pinned with ==: {entry}"
        pins[_normalise(match.group(1))] = match.group(3)
    return pins


def test_every_locked_package_is_pinned_with_its_hashes():
    for name in ("requirements.txt", "requirements-dev.txt"):
        entries = _entries(ROOT / name)
        assert len(entries) > 50, name  # the transitive packages are in the lock too
        for entry in entries:
            assert re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*==\S+ ", entry), f"{name}: not pinned: {entry}"
            assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"{name}: no hash: {entry}"


def test_each_package_asked_for_is_locked_at_the_version_asked():
    for source, lock in (("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")):
        locked = _pins(ROOT / lock)
        for name, version in _pins(ROOT / source).items():
            assert locked.get(name) == version, f"{source} asks for {name}=={version}, {lock} has {locked.get(name)}"


def test_dev_lock_holds_the_runtime_lock_and_the_runtime_lock_no_dev_runner():
    runtime, dev = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert "honcho" not in runtime and "honcho" in dev
    assert "pytest" not in runtime


def test_every_install_checks_the_hashes():
    makefile = (ROOT / "Makefile").read_text()
    installs = re.findall(r"pip install[^\n]*-r requirements[^\n]*", makefile)
    assert installs and all("--require-hashes" in line for line in installs), installs
    assert re.search(r"^lock:", makefile, flags=re.MULTILINE) and "--generate-hashes" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements.txt" in dockerfile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make setup" in ci and "pip install" not in ci


def test_the_installer_is_pinned_with_its_hashes_and_upgraded_before_the_locks():
    (entry,) = _entries(ROOT / "requirements-pip.txt")
    assert re.match(r"pip==\d+\.\d+(\.\d+)? ", entry) and len(re.findall(r"--hash=sha256:[0-9a-f]{64}", entry)) >= 1
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.index("-r requirements-pip.txt") < makefile.index("-r requirements-dev.txt")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.index("-r requirements-pip.txt") < dockerfile.index("-r requirements.txt")
