import logging

import pytest

from common.logging import RedactSigningTokens, redact


def test_signing_tokens_never_reach_the_logs(caplog):
    token = "rtrN5QWjrEp1fstIHE269HPaBib1FefiBsXEi1XNj0c"
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactSigningTokens())
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info('"%s" %s %s', f"GET /sign/{token}/ HTTP/1.1", 302, 0)
    assert token not in caplog.text
    assert "/sign/[redacted]/" in caplog.text


def test_other_paths_are_left_alone():
    assert redact("GET /agreements/QC-2026-0001/ HTTP/1.1") == "GET /agreements/QC-2026-0001/ HTTP/1.1"
    assert redact("GET /sign/ HTTP/1.1") == "GET /sign/ HTTP/1.1"


def _capture():
    """The configured console handler (web, worker and beat all log through it), writing to a buffer."""
    import io

    handler = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    buffer = io.StringIO()
    return handler, buffer, handler.setStream(buffer)


@pytest.mark.django_db
def test_no_secret_address_reaches_any_field_of_a_log_record(client, settings, django_user_model):
    """Signing, invitation, calendar and password-reset tokens, driven as their users (and
    attackers) drive them: Django's `request` field, the request line, exception text."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from reminders.calendar import feed_issue

    settings.SIGNING_TOKEN_ATTEMPTS = 3
    user = django_user_model.objects.create_user("logged", "logged@charity.example", "pw-logged-2026")
    feed = feed_issue(user).rsplit("/", 1)[1].removesuffix(".ics")
    uid, reset = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    unknown = ["Zx9" + str(n) * 40 for n in range(4)]
    handler, buffer, stream = _capture()
    try:
        for token in unknown:  # 404s, then the throttle's 429: Django warns with the request
            client.get(f"/sign/{token}/")
        client.get(f"/accounts/invitation/{unknown[0]}/")
        assert client.get(f"/calendar/{feed}.ics").status_code == 200
        assert client.get(f"/accounts/password-reset/{uid}/{reset}/").status_code == 302
        try:
            raise ValueError(f"could not open /sign/{unknown[1]}/")
        except ValueError:
            logging.getLogger("portal.test").exception("failed", extra={"url": f"/calendar/{feed}.ics"})
    finally:
        handler.setStream(stream)
    text = buffer.getvalue()
    assert "[redacted]" in text
    for secret in [*unknown, feed, reset]:
        assert secret not in text, secret
    assert "Not Found" in text and "Traceback" in text  # the records themselves are kept
