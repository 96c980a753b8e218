import logging

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
