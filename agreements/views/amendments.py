"""Amendment pages: the editor (record, change a draft), the amendment with its diff, deletion,
sending it for signature and pulling it back (signing itself: views.signing)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import editor_required, staff_required
from common.http import origin
from partners.models import CharityProfile

from ..amendments import services, standing
from ..amendments.content import ChangeConflict, apply_changes, base_content, changes_between
from ..amendments.diff import change_groups, change_rows
from ..amendments.forms import AmendmentClauseFormSet, AmendmentCommitmentFormSet, AmendmentForm
from ..forms import SendForSignatureForm
from ..lifecycle import TransitionError
from ..models import Agreement, Amendment, AmendmentStatus, Party, SigningRequest, SigningStatus
from ..signing.services import signing_request_for_user
from .browse import visible_agreement


def _amendment(agreement: Agreement, number: int) -> Amendment:
    return get_object_or_404(Amendment.objects.select_related("created_by"), agreement=agreement, number=number)


@editor_required
def amendment_create(request, reference: str):
    """Record an amendment: the agreement's editor, pre-filled with its current content."""
    agreement = get_object_or_404(Agreement, reference=reference)
    return _editor(request, agreement, None)


@editor_required
def amendment_edit(request, reference: str, number: int):
    """Change a draft amendment in the same editor, pre-filled with the content as it amends it."""
    agreement = get_object_or_404(Agreement, reference=reference)
    return _editor(request, agreement, _amendment(agreement, number))


def _editor(request, agreement: Agreement, amendment: Amendment | None):
    refusal = services.amendment_refusal(agreement, amendment)
    if refusal:
        messages.error(request, refusal)
        return redirect("agreements:detail", agreement.reference)
    try:
        base = base_content(agreement, amendment)
        shown = apply_changes(base, amendment.changes, number=amendment.number) if amendment else base
    except ChangeConflict:
        messages.error(
            request, _("This amendment no longer fits the agreement's content; delete it and record a new one.")
        )
        return redirect("agreements:detail", agreement.reference)
    instance = amendment or Amendment(agreement=agreement)
    if request.method == "POST":
        form = AmendmentForm(request.POST, instance=instance, content=base)
        clauses = AmendmentClauseFormSet(request.POST, prefix="clauses", base=base, shown=shown)
        valid = form.is_valid() & clauses.is_valid()
        if valid:
            valid = clauses.check_term(base.starts_on, form.cleaned_data["ends_on"])
        if valid:
            data = form.cleaned_data
            fields = {
                "changes": changes_between(base, clauses.edited(data["ends_on"])),
                "effective_on": data["effective_on"],
                "text_ar": data["text_ar"],
                "text_en": data["text_en"],
                **origin(request),
            }
            try:
                if amendment is None:
                    saved = services.amendment_create(agreement=agreement, by=request.user, **fields)
                else:
                    saved = services.amendment_update(amendment=amendment, by=request.user, **fields)
            except TransitionError as error:
                messages.error(request, str(error.message))
                return redirect("agreements:detail", agreement.reference)
            except ValidationError as error:
                form.add_error(None, error)
                messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": " ".join(error.messages)})
            else:
                messages.success(request, _("Amendment %(number)s was saved as a draft.") % {"number": saved.number})
                return redirect("agreements:amendment", agreement.reference, saved.number)
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    else:
        initial = {"ends_on": shown.ends_on}
        form = AmendmentForm(instance=instance, initial=initial, content=base)
        clauses = AmendmentClauseFormSet(prefix="clauses", base=base, shown=shown)
    context = {
        "agreement": agreement,
        "amendment": amendment,
        "form": form,
        "clauses": clauses,
        "commitment_template": AmendmentCommitmentFormSet(prefix="clauses-__clause__-commitments").empty_form,
    }
    return render(request, "agreements/amendment_form.html", context)


@staff_required
def amendment_detail(request, reference: str, number: int):
    """The amendment: number, status, dates, reason, and its changes, old struck and new marked."""
    agreement = visible_agreement(request, reference, Agreement.objects.select_related("partner"))
    amendment = _amendment(agreement, number)
    editor = request.user.can_edit_agreements
    can_change = editor and services.amendment_refusal(agreement, amendment) is None
    requests = list(
        SigningRequest.objects.filter(amendment=amendment)
        .exclude(status=SigningStatus.VOIDED)
        .select_related("signature")
        .order_by("position", "party", "id")
    )
    signed = any(r.status == SigningStatus.SIGNED for r in requests)
    awaiting = amendment.status == AmendmentStatus.AWAITING_SIGNATURES
    context = {
        "agreement": agreement,
        "amendment": amendment,
        "groups": change_groups(change_rows(amendment)),
        "can_change": can_change,
        "can_send": can_change and bool(amendment.changes),
        "can_recall": editor and awaiting and not signed,
        "can_manage_links": editor and awaiting,
        "signing_requests": requests,
        "my_request": signing_request_for_user(agreement, request.user, requests, amendment=amendment)
        if awaiting
        else None,
    }
    return render(request, "agreements/amendment_detail.html", context)


@editor_required
def amendment_delete(request, reference: str, number: int):
    """A confirmation page; its POST deletes the draft amendment."""
    agreement = get_object_or_404(Agreement, reference=reference)
    amendment = _amendment(agreement, number)
    if request.method != "POST":
        refusal = services.amendment_refusal(agreement, amendment)
        if refusal:
            messages.error(request, refusal)
            return redirect("agreements:amendment", agreement.reference, number)
        return render(request, "agreements/amendment_delete.html", {"agreement": agreement, "amendment": amendment})
    try:
        services.amendment_delete(amendment=amendment, by=request.user, **origin(request))
    except TransitionError as error:
        messages.error(request, str(error.message))
        return redirect("agreements:amendment", agreement.reference, number)
    messages.success(request, _("Draft amendment %(number)s was deleted.") % {"number": number})
    return redirect("agreements:detail", agreement.reference)


def _send_initial(agreement: Agreement) -> dict:
    """Who signed the agreement (or its last amendment) as the send form's initial values.

    An agreement signed on paper before the portal has no signatories recorded: then the
    charity's chairman and the partner's primary contact able to sign.
    """
    charity = CharityProfile.load()
    initial: dict = {
        "charity_name": charity.chairman_name_ar,
        "charity_title": charity.chairman_title_ar,
        "charity_email": charity.chairman_email,
        "partner_contacts": [],
    }
    for request in services.previous_signatories(agreement):
        if request.party == Party.CHARITY:
            initial |= {"charity_name": request.name, "charity_title": request.title, "charity_email": request.email}
            if request.user_id:
                initial["charity_user"] = request.user
        elif request.contact_id:
            initial["partner_contacts"].append(request.contact_id)
    if not initial["partner_contacts"]:
        primary = agreement.partner.contacts.filter(is_active=True, can_sign=True).order_by("-is_primary", "pk")
        initial["partner_contacts"] = list(primary.values_list("pk", flat=True)[:1])
    if "charity_user" not in initial and initial["charity_email"]:
        initial["charity_user"] = User.objects.filter(
            email__iexact=initial["charity_email"], is_active=True, partner__isnull=True
        ).first()
    return initial


@editor_required
def amendment_send(request, reference: str, number: int):
    """Choose the signatories (the agreement's by default) and send the amendment for signature."""
    agreement = get_object_or_404(Agreement.objects.select_related("partner"), reference=reference)
    amendment = _amendment(agreement, number)
    refusal = services.amendment_refusal(agreement, amendment)
    if refusal:
        messages.error(request, refusal)
        return redirect("agreements:amendment", agreement.reference, number)
    if request.method == "POST":
        form = SendForSignatureForm(request.POST, agreement=agreement)
        if form.is_valid():
            try:
                services.amendment_send(
                    amendment=amendment,
                    by=request.user,
                    signatories=form.signatories(),
                    **form.options(),
                    **origin(request),
                )
            except TransitionError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _("Amendment %(number)s was sent for signature. Its content is now locked.") % {"number": number},
                )
            return redirect("agreements:amendment", agreement.reference, number)
    else:
        form = SendForSignatureForm(agreement=agreement, initial=_send_initial(agreement))
    context = {"agreement": agreement, "amendment": amendment, "form": form}
    return render(request, "agreements/send_for_signature.html", context)


@editor_required
@require_POST
def amendment_recall(request, reference: str, number: int):
    agreement = get_object_or_404(Agreement, reference=reference)
    amendment = _amendment(agreement, number)
    try:
        services.amendment_recall(amendment=amendment, by=request.user, **origin(request))
    except TransitionError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Amendment %(number)s is a draft again; open signing links no longer work.") % {"number": number},
        )
    return redirect("agreements:amendment", agreement.reference, number)


@staff_required
def amendment_before(request, reference: str, number: int):
    """The agreement's text as it stood before an amendment in force: superseded, kept to read."""
    agreement = visible_agreement(request, reference, Agreement.objects.select_related("partner"))
    amendment = _amendment(agreement, number)
    context = before_context(
        agreement,
        amendment,
        route="agreements:amendment",
        agreement_url=reverse("agreements:detail", args=[agreement.reference]),
    )
    return render(request, "agreements/amendment_before.html", context)


def before_context(agreement: Agreement, amendment: Amendment, *, route: str, agreement_url: str) -> dict:
    """The text-before page's context (a 404 until the amendment is in force). `route` names
    the amendment page the links go to: the staff one or the partner portal's."""
    content = standing.text_before(amendment)
    if content is None:
        raise Http404
    earlier = [a for a in standing.in_force(agreement.amendments.all()) if a.number < amendment.number]
    return {
        "agreement": agreement,
        "amendment": amendment,
        "content": content,
        "clauses": standing.shown_clauses(content),
        "earlier": standing.as_amended_line(earlier, lambda a: reverse(route, args=[agreement.reference, a.number]))
        if earlier
        else "",
        "agreement_url": agreement_url,
        "amendment_url": reverse(route, args=[agreement.reference, amendment.number]),
    }
