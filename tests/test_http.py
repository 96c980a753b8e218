import pytest

from common.http import browser_summary


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
            "Edge 131 · Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.6778.135 Mobile Safari/537.36",
            "Chrome 131 · Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari 18 · iOS",
        ),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 · macOS"),
        ("curl/8.5.0", "curl/8.5.0"),
        ("python-requests/2.32.3 with a long tail of words after it", "python-requests/2.32.3 with a long tail…"),
        ("", ""),
    ],
)
def test_browser_summary_names_browser_version_and_system_or_shortens(user_agent, shown):
    assert browser_summary(user_agent) == shown
