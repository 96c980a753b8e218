"""Through the real proxy (Caddy, as compose runs it), people at different addresses: one
address failing logins or guessing signing links locks out that address only, and each
person's own address is what axes and the audit trail record (#21 finding 3, #17)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from agreements.models import AuditEvent, SigningRequest
from tests.agreements.signing_helpers import sent_agreement, token_sent_to
from tests.factories import StaffFactory

from .conftest import Browser

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ATTACKER, VICTIM, SIGNATORY = "127.0.0.2", "127.0.0.3", "127.0.0.4"


def test_one_address_locks_out_itself_not_the_others(stack_on_test_db, own_redis, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    StaffFactory(username="victim", password="victim-pass-2026")
    sent_agreement()
    link_token = token_sent_to("rep@partner.example")
    stack = stack_on_test_db(own_redis.url, AXES_FAILURE_LIMIT="5", SIGNING_TOKEN_ATTEMPTS="5")
    stack.start("web")
    stack.wait_ready()

    attacker = Browser(stack.url, stack.tls(), source=ATTACKER)
    attacker.get("/accounts/login/")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": "victim", "password": "wrong"})
    # Locked out from that address, even with the right password...
    status, page = attacker.post("/accounts/login/", {"username": "victim", "password": "victim-pass-2026"})
    assert "logout" not in page.lower(), (status, page[:500])
    # ...while the user logs in from their own address.
    Browser(stack.url, stack.tls(), source=VICTIM).login("victim", "victim-pass-2026")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}

    # Guessing signing links: that address is throttled; the signatory's link still opens.
    statuses = [attacker.get(f"/sign/{'Zx9' + str(n) * 40}/")[0] for n in range(6)]
    assert statuses[:5] == [404] * 5 and statuses[5] == 429
    signatory = Browser(stack.url, stack.tls(), source=SIGNATORY)
    status, page = signatory.get(f"/sign/{link_token}/")
    assert status == 200 and 'data-testid="code-page"' in page, page[:500]
    opened = AuditEvent.objects.get(
        signing_request=SigningRequest.objects.get(email="rep@partner.example"), kind="opened"
    )
    assert opened.ip == SIGNATORY
