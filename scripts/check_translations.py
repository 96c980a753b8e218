#!/usr/bin/env python
"""Fail when a UI string has no Arabic translation or the catalogue is out of date.

1. `makemessages` must not find any string that `locale/ar/.../django.po` lacks
   (the file is restored afterwards: this script changes nothing).
2. The catalogue must have no untranslated and no fuzzy entry.
3. The committed `django.mo` must be what `msgfmt` makes of the `.po`.
Needs GNU gettext (msgattrib, msgfmt), as `makemessages` itself does.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/ar/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
MAKEMESSAGES = [
    sys.executable,
    "manage.py",
    "makemessages",
    "-l",
    "ar",
    "--no-location",
    "--ignore=.venv",
    "--ignore=node_modules",
    "--ignore=staticfiles",
    "-v0",
]


def _body(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date')]


def main() -> int:
    problems: list[str] = []
    original = PO.read_bytes()
    try:
        subprocess.run(MAKEMESSAGES, cwd=ROOT, check=True)
        regenerated = PO.read_text("utf-8")
    finally:
        PO.write_bytes(original)
    diff = list(
        difflib.unified_diff(_body(original.decode()), _body(regenerated), "committed", "from code", lineterm="")
    )
    if diff:
        problems.append(
            "locale/ar is out of date with the code; run `make messages` and translate:\n" + "\n".join(diff[:60])
        )

    for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
        out = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", str(PO)], capture_output=True, text=True, check=True
        ).stdout
        if out.strip():
            problems.append(f"{what} entries in {PO.relative_to(ROOT)}:\n{out[:3000]}")

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "django.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
        if not MO.exists() or fresh.read_bytes() != MO.read_bytes():
            problems.append("django.mo does not match django.po; run `make messages`.")

    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("translations: every string has an Arabic translation")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
