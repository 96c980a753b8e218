"""The unread-notification count in the top bar."""

from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request) -> dict:
    """Template context processor: counted only when a page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: Notification.unread_count(user))}
