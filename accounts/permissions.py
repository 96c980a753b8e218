"""Access checks for views: who may look, who may change."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404


def staff_required(view):
    """Charity staff only (read-only staff included). Others get a 404: the page does not exist for them."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_charity_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def editor_required(view):
    """Staff who may create and change agreements and partners.

    Read-only staff are told they lack the permission (403); anyone else gets a 404.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_charity_staff:
            raise Http404
        if not request.user.can_edit_agreements:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def partner_required(view):
    """The partner portal: people of a partner organisation only; charity staff get a 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_partner_user:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def two_factor_user_required(view):
    """Pages to manage one's own two-factor login: charity staff and admins; others get a 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.may_use_two_factor:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
