"""The count of what awaits the user's signature, in the top bar."""

from django.utils.functional import SimpleLazyObject


def signing(request) -> dict:
    """Template context processor: counted only when a page shows the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .signing.inbox import awaiting_signature

    return {"awaiting_my_signature": SimpleLazyObject(lambda: awaiting_signature(user).count())}
