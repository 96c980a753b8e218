"""Secret tokens in links (signing, invitations, calendar feeds) are stored only hashed."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: a database leak gives no working link."""
    return hashlib.sha256(token.encode()).hexdigest()
