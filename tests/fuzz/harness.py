"""One fuzzed request: run it in a rolled-back savepoint and judge the response.

The rules every response must follow:

- never a 5xx (an exception escaping the view fails the test just the same);
- a *rejection* carries a visible message, and leaves the database as it was;
- a POST is either accepted or rejected, never neither ("silent").

How a response is classified:

- 4xx: rejected. Its message is the text of an error page heading (`<h1>`) or of an
  error element (see `ERROR_CLASSES`); the text must contain Arabic letters, since the
  portal answers in Arabic unless the visitor chose English.
- 3xx: rejected when the messages framework queued an error or warning (its text must
  contain Arabic) and nothing else; with success messages too it was partly done (an admin
  action over several rows), which counts as accepted; accepted when it queued a success or info message, or when the
  database changed. A redirect with neither is silent: allowed only where the endpoint
  says so (`silent_ok`, e.g. the language switch or logout).
- 2xx: rejected when the page shows an error element with Arabic text; otherwise
  accepted when the database changed or a success message was queued, or when the
  endpoint answers with a result page (`result_ok`, e.g. the PDF verification).

"The database" is every row of the portal's own apps, the auth and two-factor tables;
see `fingerprint` for what it leaves out and why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import event
from hypothesis.control import currently_in_test_context

ARABIC = re.compile(r"[\u0600-\u06ff]")
ERROR_CLASSES = {"alert-danger", "alert-warning", "invalid-feedback", "errorlist", "errornote"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# Apps whose rows a request may change. Sessions, django-axes' login attempts and the
# cache are bookkeeping of rejections by design, so they are not compared.
FINGERPRINT_APPS = ["accounts", "agreements", "partners", "reminders", "outbox", "reports", "otp_totp", "otp_static"]
# Columns that count wrong attempts: a wrong code must change them (the throttle).
IGNORED_COLUMNS = {
    "otp_totp.totpdevice": {"throttling_failure_timestamp", "throttling_failure_count"},
    "otp_static.staticdevice": {"throttling_failure_timestamp", "throttling_failure_count"},
}


def _models():
    for label in FINGERPRINT_APPS:
        yield from apps.get_app_config(label).get_models()
    yield apps.get_model("auth", "Group")


_QUERY: str | None = None


def _fingerprint_sql() -> str:
    """One query: an md5 of every row of every compared table (PostgreSQL)."""
    from django.db import connection

    quote = connection.ops.quote_name
    parts = []
    for model in _models():
        label = model._meta.label_lower
        ignored = IGNORED_COLUMNS.get(label, set())
        columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields if f.attname not in ignored)
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts.append(
            f"SELECT '{label}', md5(coalesce(string_agg(row({columns})::text, '|' ORDER BY {pk}), '')) FROM {table}"  # noqa: S608 (names from the models)
        )
    return " UNION ALL ".join(parts)


def fingerprint() -> dict[str, str]:
    """A digest of every row of every compared table, by table."""
    global _QUERY
    from django.db import connection

    _QUERY = _QUERY or _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(_QUERY)
        return dict(cursor.fetchall())


class _ErrorText(HTMLParser):
    """Collects the text inside error elements and `<h1>` headings."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.inside: list[int] = []  # stack depths where a marked element starts
        self.errors: list[str] = []
        self.headings: list[str] = []
        self.heading_depth: int | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.stack.append(tag)
        classes = set((dict(attrs).get("class") or "").split())
        if classes & ERROR_CLASSES:
            self.inside.append(len(self.stack))
            self.errors.append("")
        if tag == "h1" and self.heading_depth is None:
            self.heading_depth = len(self.stack)
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            depth = len(self.stack)
            popped = self.stack.pop()
            if self.inside and self.inside[-1] == depth:
                self.inside.pop()
            if self.heading_depth == depth:
                self.heading_depth = None
            if popped == tag:
                break

    def handle_data(self, data):
        if self.inside:
            self.errors[-1] += data
        if self.heading_depth is not None:
            self.headings[-1] += data


def page_error_texts(html: str) -> tuple[list[str], list[str]]:
    parser = _ErrorText()
    parser.feed(html)
    parser.close()
    return [t.strip() for t in parser.errors if t.strip()], [t.strip() for t in parser.headings if t.strip()]


@dataclass
class Verdict:
    status: int
    outcome: str  # "accepted" | "rejected"
    message: str = ""
    changed: list[str] = field(default_factory=list)


# Requests per test and outcome, printed at the end of the run (tests/fuzz/conftest.py).
TALLY: Counter = Counter()
CURRENT_TEST = ["?"]


class Silent(AssertionError):
    pass


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    content_type = response.get("Content-Type", "")
    if "html" not in content_type:
        return ""
    return response.content.decode(response.charset or "utf-8", "replace")


def judge(response, before: dict, after: dict, *, silent_ok: bool = False, result_ok: bool = False) -> Verdict:
    status = response.status_code
    assert status < 500, f"server error {status}"
    changed = sorted(label for label in before if before[label] != after[label])
    queued = list(get_messages(response.wsgi_request))
    errors = [str(m) for m in queued if m.level >= constants.WARNING]
    successes = [str(m) for m in queued if m.level < constants.WARNING]
    html = _body(response)
    error_texts, headings = page_error_texts(html) if html else ([], [])

    def rejected(message_candidates: list[str], what: str) -> Verdict:
        message = next((m for m in message_candidates if ARABIC.search(m)), "")
        assert message, f"{what} without an Arabic message (status {status}); saw {message_candidates!r}"
        assert not changed, f"rejected ({status}: {message!r}) but the database changed: {changed}"
        return Verdict(status, "rejected", message, changed)

    if 400 <= status < 500:
        return rejected(errors + error_texts + headings, "rejection")
    if 300 <= status < 400:
        if errors and successes:
            # Partly done: an admin action on several rows, some refused (each says why).
            assert any(ARABIC.search(m) for m in errors), f"partial refusal without an Arabic message: {errors!r}"
            return Verdict(status, "accepted", errors[0], changed)
        if errors:
            return rejected(errors, "rejection")
        if successes or changed or silent_ok:
            return Verdict(status, "accepted", "", changed)
        raise Silent(f"redirect to {response.get('Location')} with no message and no change")
    if error_texts or errors:
        return rejected(errors + error_texts, "form rejection")
    if changed or successes or result_ok:
        return Verdict(status, "accepted", "", changed)
    raise Silent(f"{status} page with no error, no message and no change")


def exercise(
    login: Callable[[Client], None] | None,
    method: str,
    url: str,
    data=None,
    *,
    silent_ok: bool = False,
    result_ok: bool = False,
    session: dict | None = None,
    **extra,
) -> Verdict:
    """Send one request as the user `login` logs in, inside a savepoint that is rolled back."""
    with transaction.atomic():
        cache.clear()  # throttles (signing links, axes) start afresh for each example
        client = Client(REMOTE_ADDR="10.0.0.1")
        if login is not None:
            login(client)
        if session:
            stored = client.session
            stored.update(session)
            stored.save()
            client.cookies["sessionid"] = stored.session_key
        before = fingerprint()
        if method == "GET":
            response = client.get(url, data or {}, **extra)
        else:
            # A browser always sends the form's CSRF token (the test client does not check it).
            response = client.post(url, {"csrfmiddlewaretoken": "x" * 64, **(data or {})}, **extra)
        after = fingerprint()
        if method == "GET":
            assert response.status_code < 500, f"server error {response.status_code}"
            verdict = _judge_get(response, before, after)
        else:
            verdict = judge(response, before, after, silent_ok=silent_ok, result_ok=result_ok)
        transaction.set_rollback(True)
    if currently_in_test_context():
        event(f"{method} {verdict.outcome} {verdict.status}")
    TALLY[(CURRENT_TEST[0], verdict.outcome)] += 1
    return verdict


def _judge_get(response, before, after) -> Verdict:
    """A GET must not change anything but may answer quietly; a 4xx still says why."""
    changed = sorted(label for label in before if before[label] != after[label])
    status = response.status_code
    if 400 <= status < 500:
        html = _body(response)
        texts = [t for group in page_error_texts(html) for t in group] if html else []
        assert any(ARABIC.search(t) for t in texts), f"{status} without an Arabic message"
        assert not changed, f"rejected GET changed {changed}"
        return Verdict(status, "rejected", changed=changed)
    return Verdict(status, "accepted", changed=changed)
