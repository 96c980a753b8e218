"""The signing pages: by personal link (no account needed) or from a portal account."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import editor_required
from common.http import client_ip, origin, user_agent

from ..amendments.diff import change_groups, change_rows
from ..forms import DeclineForm, SignForm
from ..models import Agreement, Amendment, AmendmentStatus, Clause, Commitment, SignatureMethod, SigningRequest
from ..signing import identity, services
from ..signing.images import decode_signature_png
from ..signing.order import turn_refusal
from ..signing.services import SigningRefused

SESSION_KEY = "signing_request_id"
# The hash of the token that opened the page: a signing session lasts only as long as its link.
LINK_KEY = "signing_link_hash"
# The token hash whose signer typed the right e-mail code in this browser.
IDENTITY_KEY = "signing_identity"
ATTEMPT_WINDOW = 600


def _private(response, referrer_policy: str = "same-origin"):
    """Signing pages are never cached and never pass their address to another site.

    Only the redirect away from the token link uses "no-referrer": on pages with forms
    it would make browsers send `Origin: null`, which CSRF protection rightly refuses.
    """
    response["Referrer-Policy"] = referrer_policy
    response["Cache-Control"] = "no-store"
    return response


def _invalid(request, status: int = 404):
    """One page for every unusable link: wrong, reused, expired, revoked or withdrawn.

    It says nothing about whether an agreement exists behind the link.
    """
    # The language switch must not carry the link's token back into the page.
    context = {"language_next": reverse("signing:page")}
    return _private(render(request, "signing/invalid.html", context, status=status))


def _too_many_attempts(request) -> bool:
    key = f"signing-attempts:{client_ip(request)}"
    return cache.get(key, 0) >= settings.SIGNING_TOKEN_ATTEMPTS


def _count_failed_attempt(request) -> None:
    key = f"signing-attempts:{client_ip(request)}"
    if not cache.add(key, 1, ATTEMPT_WINDOW):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, ATTEMPT_WINDOW)


def _visitor(request) -> services.Visitor:
    return services.Visitor(user=request.user, ip=client_ip(request), user_agent=user_agent(request))


@never_cache
def sign_link(request, token: str):
    """The address in the email: checks the token, remembers it in the session, moves on.

    The redirect takes the token out of the address bar, the browser history and any
    later Referer header.
    """
    if _too_many_attempts(request):
        context = {"throttled": True, "language_next": reverse("signing:page")}
        return _private(render(request, "signing/invalid.html", context, status=429))
    signing_request = services.find_by_token(token)
    if signing_request is None:
        _count_failed_attempt(request)
        return _invalid(request)
    request.session.cycle_key()
    request.session[SESSION_KEY] = signing_request.pk
    request.session[LINK_KEY] = signing_request.token_hash
    services.signing_open(signing_request=signing_request, visitor=_visitor(request))
    return _private(redirect("signing:page"), referrer_policy="no-referrer")


def _agreement_for_signing(pk: int) -> Agreement:
    commitments = Commitment.objects.order_by("party", "id")
    clauses = Clause.objects.order_by("order").prefetch_related(Prefetch("commitments", queryset=commitments))
    return (
        Agreement.objects.select_related("partner").prefetch_related(Prefetch("clauses", queryset=clauses)).get(pk=pk)
    )


def _sign(request, signing_request: SigningRequest, *, account: bool):
    """The signing page of an agreement or, when the request names one, of an amendment (its diff)."""
    agreement = _agreement_for_signing(signing_request.agreement_id)
    amendment = signing_request.amendment
    content_hash = amendment.content_hash if amendment else agreement.content_hash
    sign_form = SignForm(
        request.POST if request.POST.get("action") == "sign" else None,
        initial={"name": signing_request.name, "title": signing_request.title, "content_hash": content_hash},
        amendment=amendment,
    )
    decline_form = DeclineForm(request.POST if request.POST.get("action") == "decline" else None)
    if request.method == "POST" and sign_form.is_bound and sign_form.is_valid():
        data = sign_form.cleaned_data
        try:
            image = decode_signature_png(data["drawn"]) if data["method"] == SignatureMethod.DRAWN else None
            services.signature_record(
                signing_request=signing_request,
                visitor=_visitor(request),
                channel=services.channel_for(account),
                identity="account" if account else _identity_of(request, signing_request),
                name=data["name"],
                title=data["title"],
                content_hash_seen=data["content_hash"],
                method=data["method"],
                image_png=image,
                typed_text=data["typed"],
            )
        except ValidationError as error:
            sign_form.add_error("drawn" if data["method"] == SignatureMethod.DRAWN else "typed", error)
        except services.SigningRefused as refused:
            messages.error(request, refused.message)
            return redirect(request.path)
        else:
            _end_link_session(request)
            signing_request.refresh_from_db(fields=["status"])
            done = {
                "agreement": agreement,
                "amendment": amendment,
                "signed": True,
                "last": not _still_open(signing_request),
            }
            return _private(render(request, "signing/done.html", done))
    elif request.method == "POST" and decline_form.is_bound and decline_form.is_valid():
        try:
            services.signing_decline(
                signing_request=signing_request, visitor=_visitor(request), reason=decline_form.cleaned_data["reason"]
            )
        except services.SigningRefused as refused:
            messages.error(request, refused.message)
            return redirect(request.path)
        _end_link_session(request)
        done = {"agreement": agreement, "amendment": amendment, "signed": False}
        return _private(render(request, "signing/done.html", done))
    elif request.method == "POST":
        messages.error(request, _("Nothing was signed: correct the fields marked below."))
    context = {
        "agreement": agreement,
        "amendment": amendment,
        "groups": change_groups(change_rows(amendment)) if amendment else None,
        "content_hash": content_hash,
        "hidden_direction": services.has_hidden_direction(agreement, amendment),
        "signing_request": signing_request,
        "not_your_turn": turn_refusal(signing_request),
        "form": sign_form,
        "decline_form": decline_form,
        "account": account,
    }
    return _private(render(request, "signing/sign.html", context))


def _end_link_session(request) -> None:
    for key in (SESSION_KEY, LINK_KEY, IDENTITY_KEY):
        request.session.pop(key, None)


def _still_open(signing_request: SigningRequest) -> bool:
    """Do others still have to sign what this request signed (the agreement, or its amendment)?"""
    return (
        SigningRequest.objects.open()
        .filter(agreement_id=signing_request.agreement_id, amendment_id=signing_request.amendment_id)
        .exists()
    )


def _identity_of(request, signing_request: SigningRequest) -> str:
    """How this browser's signer was checked: by the e-mail code for this very link, or not."""
    verified = request.session.get(IDENTITY_KEY)
    if verified and signing_request.token_hash and verified == signing_request.token_hash:
        return "email_code"
    return ""


@never_cache
def sign_page(request):
    """The signing page of the link this browser opened, while that link works.

    The session remembers the link's token hash: a link replaced (resent), revoked, declined,
    signed, recalled or expired ends every session it opened. Where the agreement asks for it,
    the signer first types the code e-mailed to the signatory.
    """
    pk = request.session.get(SESSION_KEY)
    token_hash = request.session.get(LINK_KEY)
    signing_request = (
        SigningRequest.objects.select_related("agreement", "amendment").filter(pk=pk).first() if pk else None
    )
    if (
        signing_request is None
        or not signing_request.link_is_usable()
        or not token_hash
        or signing_request.token_hash != token_hash
    ):
        _end_link_session(request)
        return _invalid(request)
    if identity.code_required(signing_request) and not _identity_of(request, signing_request):
        return _code_page(request, signing_request)
    return _sign(request, signing_request, account=False)


def _code_page(request, signing_request: SigningRequest):
    """Ask for the e-mailed code (and send it on request) before the agreement is shown."""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send_code":
                identity.code_request(signing_request=signing_request, visitor=_visitor(request))
                messages.success(
                    request,
                    _("A code is on its way to %(email)s. It can take a minute to arrive.")
                    % {"email": identity.masked_email(signing_request.email)},
                )
            elif action == "check_code":
                identity.code_check(
                    signing_request=signing_request, visitor=_visitor(request), code=request.POST.get("code", "")[:50]
                )
                request.session[IDENTITY_KEY] = signing_request.token_hash
                messages.success(request, _("Thank you: your e-mail address is confirmed. Read the agreement below."))
        except SigningRefused as refused:
            messages.error(request, refused.message)
        return _private(redirect("signing:page"))
    context = {
        "agreement": signing_request.agreement,
        "amendment": signing_request.amendment,
        "signing_request": signing_request,
        "masked_email": identity.masked_email(signing_request.email),
        "state": identity.code_state(signing_request),
        "minutes": settings.SIGNER_CODE_MINUTES,
    }
    return _private(render(request, "signing/code.html", context))


@never_cache
@login_required
def sign_from_account(request, reference: str):
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), reference=reference)
    signing_request = services.signing_request_for_user(agreement, request.user)
    if signing_request is None or agreement.status != "awaiting_signatures":
        messages.error(request, _("There is nothing for you to sign on this agreement."))
        return redirect("agreements:detail", reference)
    if request.method == "GET":
        services.signing_open(signing_request=signing_request, visitor=_visitor(request))
    return _sign(request, signing_request, account=True)


@never_cache
@login_required
def sign_amendment_from_account(request, reference: str, number: int):
    """A signatory with an account signs an amendment from the portal."""
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), reference=reference)
    amendment = get_object_or_404(Amendment, agreement=agreement, number=number)
    signing_request = services.signing_request_for_user(agreement, request.user, amendment=amendment)
    if signing_request is None or amendment.status != AmendmentStatus.AWAITING_SIGNATURES:
        messages.error(request, _("There is nothing for you to sign on this amendment."))
        return redirect(_amendment_page(request.user, agreement, amendment))
    signing_request.amendment = amendment
    if request.method == "GET":
        services.signing_open(signing_request=signing_request, visitor=_visitor(request))
    return _sign(request, signing_request, account=True)


def _amendment_page(user, agreement: Agreement, amendment: Amendment) -> str:
    if user.is_charity_staff:
        return reverse("agreements:amendment", args=[agreement.reference, amendment.number])
    return reverse("portal:agreement", args=[agreement.reference])


def _back(signing_request: SigningRequest, reference: str):
    """Staff manage links on the page of what is signed: the agreement, or the amendment."""
    if signing_request.amendment_id:
        return redirect("agreements:amendment", reference, signing_request.amendment.number)
    return redirect("agreements:detail", reference)


@editor_required
@require_POST
def signatory_resend(request, reference: str, pk: int):
    signing_request = get_object_or_404(SigningRequest, pk=pk, agreement__reference=reference)
    try:
        services.signing_resend(signing_request=signing_request, by=request.user, **origin(request))
    except services.SigningRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("A new signing link was sent to %(email)s; the old one no longer works.")
            % {"email": signing_request.email},
        )
    return _back(signing_request, reference)


@editor_required
@require_POST
def signatory_revoke(request, reference: str, pk: int):
    signing_request = get_object_or_404(SigningRequest, pk=pk, agreement__reference=reference)
    try:
        services.signing_revoke(signing_request=signing_request, by=request.user, **origin(request))
    except services.SigningRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The signing request was revoked; its link no longer works."))
    return _back(signing_request, reference)
