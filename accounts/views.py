import time
from urllib.parse import urlsplit

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from common.http import client_ip
from common.throttle import attempt
from common.tokens import hash_token

from .forms import (
    AcceptInvitationForm,
    AuthenticatorConfirmForm,
    BackupCodesRenewForm,
    LoginCodeForm,
    PortalLoginForm,
    TwoFactorDisableForm,
)
from .models import User
from .permissions import two_factor_user_required
from .services import invitation_accept, invitation_by_token
from .two_factor import (
    admin_must_enrol,
    authenticator_pending,
    authenticator_qr_data_uri,
    authenticator_secret,
    authenticator_setup_confirm,
    authenticator_setup_start,
    backup_codes_left,
    backup_codes_renew,
    has_two_factor,
    two_factor_disable,
    verify_code,
)

# Session keys. A login waiting for its code: {"user", "backend", "next", "at"}.
PENDING_LOGIN = "two_factor_login"
# Where to go once two-factor is set up (Django admin sends superusers to set it up).
AFTER_SETUP = "two_factor_next"
# New backup codes, kept only until the page that shows them once.
NEW_BACKUP_CODES = "two_factor_backup_codes"
# Seconds between the accepted password and the code before the login starts over.
PENDING_LOGIN_SECONDS = 300


@never_cache
def invitation(request, token: str):
    """Set a password from an invitation link; the link works once and expires."""
    found = invitation_by_token(token)
    if found is None:
        response = render(request, "accounts/invitation_invalid.html", status=404)
        response["Referrer-Policy"] = "same-origin"
        return response
    form = AcceptInvitationForm(request.POST or None, email=found.email, initial={"first_name": found.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=found, first_name=form.cleaned_data["first_name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:login")
        login(request, user, backend="accounts.backends.UsernameOrEmailBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("portal:home")
    return render(request, "accounts/invitation.html", {"form": form, "invitation": found})


def _safe_next(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with its link built from SITE_URL (never the request's Host
    header) and requests limited per client address and per e-mail address.

    Past the address's limit the page answers as if the mail were sent (it does not say which
    addresses have accounts); past the client's limit it asks to wait.
    """

    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
        if not attempt(
            f"password-reset:ip:{client_ip(self.request)}", limit=settings.PASSWORD_RESET_PER_IP, window=window
        ):
            form.add_error(None, _("Too many password reset requests from here. Try again later."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        address = form.cleaned_data["email"].strip().lower()
        if not attempt(
            f"password-reset:email:{hash_token(address)}", limit=settings.PASSWORD_RESET_PER_EMAIL, window=window
        ):
            return redirect(self.get_success_url())
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return redirect(self.get_success_url())


class PortalLoginView(auth_views.LoginView):
    """The password step. A user with two-factor is not logged in yet: the code step finishes it."""

    template_name = "accounts/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_LOGIN] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return redirect("accounts:login_code")


@sensitive_post_parameters("code")
@never_cache
def login_code(request):
    """The second step of the login: a code from the authenticator app, or a backup code.

    It serves a login whose password was just accepted (not logged in yet), and a logged-in
    user with two-factor whose session has not passed it (Django admin sends them here).
    Every wrong code counts toward the django-axes lockout of the username from this address.
    """
    pending = request.session.get(PENDING_LOGIN)
    user = None
    if pending:
        if time.time() - pending["at"] > PENDING_LOGIN_SECONDS:
            del request.session[PENDING_LOGIN]
            messages.error(request, _("The time to enter the code ran out. Log in again."))
            return redirect("accounts:login")
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
        next_url = pending["next"]
    elif request.user.is_authenticated and not request.user.is_verified() and has_two_factor(request.user):
        user = request.user
        next_url = _safe_next(request, request.GET.get("next")) or resolve_url(settings.LOGIN_REDIRECT_URL)
    if user is None:
        request.session.pop(PENDING_LOGIN, None)
        return redirect("accounts:login")

    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_LOGIN, None)
        return get_lockout_response(request, None, credentials)

    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = verify_code(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                # AxesMiddleware answers with the lockout page; the password must be given again.
                request.session.pop(PENDING_LOGIN, None)
        else:
            if pending:
                del request.session[PENDING_LOGIN]
                user.otp_device = device  # django-otp records the device in the new session
                login(request, user, backend=pending["backend"])
            else:
                otp_login(request, device)
                request.session.cycle_key()
            return redirect(next_url)
    context = {"form": form, "logged_in": not pending, "issuer": settings.OTP_TOTP_ISSUER}
    return render(request, "accounts/login_code.html", context)


# --- Managing one's own two-factor -------------------------------------------------------


def _two_factor_is_off(request) -> bool:
    """Backup codes and switching off need two-factor on: say so instead of a page without the form."""
    if has_two_factor(request.user):
        return False
    messages.error(request, _("Two-factor login is not on for your account."))
    return True


def _two_factor_page(request, *, disable_form=None, renew_form=None):
    user = request.user
    enabled = has_two_factor(user)
    context = {
        "enabled": enabled,
        "must_enrol": admin_must_enrol(user),
        "backup_codes_left": backup_codes_left(user) if enabled else 0,
        "disable_form": disable_form or TwoFactorDisableForm(prefix="disable"),
        "renew_form": renew_form or BackupCodesRenewForm(prefix="renew"),
    }
    return render(request, "accounts/two_factor.html", context)


@two_factor_user_required
@never_cache
def two_factor(request):
    """Whether two-factor login is on, and the buttons to turn it on or off."""
    after = _safe_next(request, request.GET.get("next"))
    if after:
        request.session[AFTER_SETUP] = after
    return _two_factor_page(request)


@two_factor_user_required
@require_POST
def two_factor_start(request):
    try:
        authenticator_setup_start(user=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("accounts:two_factor")
    return redirect("accounts:two_factor_setup")


@two_factor_user_required
@sensitive_post_parameters("code")
@never_cache
def two_factor_setup(request):
    """The QR code and the secret of the new authenticator; a code from it turns two-factor on."""
    device = authenticator_pending(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    form = AuthenticatorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = authenticator_setup_confirm(device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            device.refresh_from_db()
            otp_login(request, device)  # this session has just passed the second factor
            request.session[NEW_BACKUP_CODES] = codes
            messages.success(request, _("Two-factor login is on."))
            return redirect("accounts:two_factor_backup_codes")
    context = {
        "form": form,
        "qr": authenticator_qr_data_uri(device),
        "secret": authenticator_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "accounts/two_factor_setup.html", context)


@two_factor_user_required
@sensitive_post_parameters("renew-code")
@never_cache
def two_factor_backup_codes(request):
    """GET: the new backup codes, shown this once. POST: new codes in place of the old ones."""
    if request.method == "POST":
        if _two_factor_is_off(request):
            return redirect("accounts:two_factor")
        form = BackupCodesRenewForm(request.POST, prefix="renew")
        if form.is_valid():
            try:
                codes = backup_codes_renew(user=request.user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                request.session[NEW_BACKUP_CODES] = codes
                return redirect("accounts:two_factor_backup_codes")
        return _two_factor_page(request, renew_form=form)
    codes = request.session.pop(NEW_BACKUP_CODES, None)
    if not codes:
        return redirect("accounts:two_factor")
    after = request.session.pop(AFTER_SETUP, None) or reverse("accounts:two_factor")
    return render(request, "accounts/two_factor_backup_codes.html", {"codes": codes, "after": after})


@two_factor_user_required
@require_POST
@sensitive_post_parameters("disable-code", "disable-password")
def two_factor_off(request):
    if _two_factor_is_off(request):
        return redirect("accounts:two_factor")
    form = TwoFactorDisableForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            two_factor_disable(
                user=request.user, code=form.cleaned_data["code"], password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "code", error)
        else:
            messages.success(request, _("Two-factor login is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, disable_form=form)
