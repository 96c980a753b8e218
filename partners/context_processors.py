"""The charity's profile (name, logo, chairman) for every page and every e-mail."""

from django.utils.functional import SimpleLazyObject

from .models import CharityProfile


def charity(request) -> dict:
    """Template context processor: loaded only when a page uses it."""
    return mail()


def mail() -> dict:
    """Mail context processor (`settings.MAIL_CONTEXT_PROCESSORS`, read by `common.mail`)."""
    return {"charity": SimpleLazyObject(CharityProfile.load)}
