"""Login by username or e-mail address, in any case."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User


def user_for_login(login: str) -> User | None:
    """The account a typed login names: its username first, else its e-mail, either in any case.

    Both are unique in any case (database constraints), so at most one account has the
    username and at most one the e-mail; should the username of one be the e-mail of
    another, the username wins.
    """
    login = (login or "").strip()
    if not login:
        return None
    found = list(User._default_manager.filter(Q(username__iexact=login) | Q(email__iexact=login))[:2])
    for user in found:
        if user.username.lower() == login.lower():
            return user
    return found[0] if found else None


class UsernameOrEmailBackend(ModelBackend):
    """Django's ModelBackend, finding the account by `user_for_login`."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_for_login(username)
        if user is None:
            # The same work as a wrong password, so the time taken does not tell which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """The name django-axes counts failed logins under: the account's own username, lower-cased.

    Without it, `Ahmed@Example.com`, `ahmed@example.com` and the username would each get
    their own allowance of failures for the same account.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "data", request.POST).get("username")
    if typed is None:
        return None
    user = user_for_login(typed)
    return (user.username if user is not None else typed.strip()).lower()
