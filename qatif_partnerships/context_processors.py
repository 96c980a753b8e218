from django.utils.functional import SimpleLazyObject


def portal(request):
    """The charity's profile for headers and footers, loaded only when a page uses it."""
    from partners.models import CharityProfile

    return {"charity": SimpleLazyObject(CharityProfile.load)}
