"""Arabic-first language selection; addresses no view can answer."""

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class ArabicFirstLocaleMiddleware:
    """Pick the language from the user's explicit choice, else Arabic.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so an
    English-configured browser would open the portal in English. The charity's users
    read Arabic first: only the language cookie (set by the language switch) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class RejectNulInPathMiddleware:
    """No page's address contains a NUL character: answer 404 before any view sees it.

    Views look references, codes and tokens from the address up in PostgreSQL, which
    refuses a NUL in a string with an exception (a 500) instead of finding nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages and downloads made for a logged-in user are kept by no browser or proxy cache
    (`Cache-Control: private, no-store`): on a shared office computer, the back button after
    logging out must not show them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
