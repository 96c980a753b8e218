"""The secrets that key the audit trail's hashes, kept outside the database.

Each event's hash is an HMAC-SHA256 under one key, named in the event by a short id (the first
16 hex digits of the key's own SHA-256), so keys can be rotated: new events use the first key;
events written under an older one verify as long as that key is still listed.

`AUDIT_KEYS` (environment): the secrets, newest first, comma-separated. Empty: keys derived from
`SECRET_KEY` and `SECRET_KEY_FALLBACKS` (the README's rotation procedure moves to AUDIT_KEYS).
Someone who can write the database but does not hold a key cannot recompute a valid chain.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from django.conf import settings


@cache
def _keys(secrets: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    derived = [
        hmac.new(secret.encode(), b"qatif-partnerships.audit-trail", hashlib.sha256).digest() for secret in secrets
    ]
    return tuple((hashlib.sha256(key).hexdigest()[:16], key) for key in derived)


def keys() -> tuple[tuple[str, bytes], ...]:
    """(id, key) pairs, the key for new events first."""
    secrets = tuple(settings.AUDIT_KEYS) or (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    return _keys(tuple(s for s in secrets if s))


def current() -> tuple[str, bytes]:
    return keys()[0]


def key(key_id: str) -> bytes | None:
    return dict(keys()).get(key_id)
