"""Django admin behind the portal's own login and its two-factor step."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from .two_factor import admin_must_enrol, has_two_factor


class PortalAdminSite(admin.AdminSite):
    """The admin site (`admin.site`).

    - Its login page sends people to the portal's login, so the two-factor step cannot be
      skipped through admin's own login form.
    - A user with two-factor must have passed it in this session to use admin.
    - With OTP_REQUIRED_FOR_ADMINS, a superuser without two-factor is sent to set it up first.
    """

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and self._second_factor_passed(request)

    @staticmethod
    def _second_factor_passed(request) -> bool:
        # Asked twice per admin page (the view and its context): looked up once.
        passed = getattr(request, "_admin_second_factor_passed", None)
        if passed is None:
            user = request.user
            if getattr(user, "is_verified", lambda: False)():
                passed = True
            else:
                passed = not has_two_factor(user) and not admin_must_enrol(user)
            request._admin_second_factor_passed = passed
        return passed

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("accounts:login"))
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if user.is_active and user.is_staff:
            query = urlencode({REDIRECT_FIELD_NAME: next_url})
            if has_two_factor(user):
                return HttpResponseRedirect(f"{reverse('accounts:login_code')}?{query}")
            if admin_must_enrol(user):
                return HttpResponseRedirect(f"{reverse('accounts:two_factor')}?{query}")
        # Logged in, but not someone admin is for (a partner user, or staff without admin access).
        raise PermissionDenied
