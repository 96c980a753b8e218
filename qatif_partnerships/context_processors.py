from django.utils.functional import SimpleLazyObject


def portal(request):
    """The charity's profile for headers and footers, loaded only when a page uses it."""
    from partners.models import CharityProfile
    from reminders.models import Notification

    context = {"charity": SimpleLazyObject(CharityProfile.load)}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = SimpleLazyObject(lambda: Notification.unread_count(user))
    return context
