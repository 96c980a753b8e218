"""Pages that change agreements: edit, lifecycle actions, renewal, attachments (amendments: views.amendments)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import editor_required
from common.http import origin
from partners.models import CharityProfile

from .. import lifecycle, services
from ..forms import (
    AgreementForm,
    AttachmentForm,
    ClauseFormSet,
    CommitmentFormSet,
    SendForSignatureForm,
    TerminateForm,
)
from ..models import Agreement, AgreementLocked, Clause


def _error_text(error: ValidationError | lifecycle.TransitionError) -> str:
    if isinstance(error, lifecycle.TransitionError):
        return str(error.message)
    return " ".join(error.messages)


@editor_required
def agreement_edit(request, reference: str | None = None):
    """Create or edit an agreement with its clauses and commitments on one page."""
    agreement = get_object_or_404(Agreement, reference=reference) if reference else Agreement()
    if agreement.pk and agreement.is_locked:
        messages.error(request, AgreementLocked().message)
        return redirect("agreements:detail", agreement.reference)
    if request.method == "POST":
        form = AgreementForm(request.POST, instance=agreement)
        clauses = ClauseFormSet(request.POST, instance=agreement, prefix="clauses")
        valid = form.is_valid() & clauses.is_valid()
        if valid:
            valid = clauses.check_term(form.cleaned_data["starts_on"], form.cleaned_data["ends_on"])
        if valid:
            try:
                agreement = services.agreement_save(form=form, clauses=clauses, by=request.user)
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _("The agreement was saved."))
                return redirect("agreements:detail", agreement.reference)
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    else:
        initial = {} if agreement.pk else {"owner": request.user, "renewal_notice_days": 90}
        form = AgreementForm(instance=agreement, initial=initial)
        clauses = ClauseFormSet(instance=agreement, prefix="clauses")
    context = {
        "form": form,
        "clauses": clauses,
        "agreement": agreement,
        # The row the page's script copies when "add commitment" is clicked in any clause.
        "commitment_template": CommitmentFormSet(instance=Clause(), prefix="clauses-__clause__-commitments").empty_form,
    }
    return render(request, "agreements/agreement_form.html", context)


def _attempt(request, action, success: str):
    """Run a service or transition; report success, or the refusal, as a message.

    Returns the action's result, or None when it was refused (nothing changed then).
    """
    try:
        result = action()
    except (lifecycle.TransitionError, ValidationError) as error:
        messages.error(request, _error_text(error))
        return None
    messages.success(request, success)
    return result


@editor_required
def send_for_signature(request, reference: str):
    agreement = get_object_or_404(Agreement.objects.select_related("partner"), reference=reference)
    charity = CharityProfile.load()
    if request.method == "POST":
        form = SendForSignatureForm(request.POST, agreement=agreement)
        if form.is_valid():
            signatories = form.signatories()
            _attempt(
                request,
                lambda: lifecycle.transition(
                    agreement,
                    "send_for_signature",
                    by=request.user,
                    signatories=signatories,
                    **form.options(),
                    **origin(request),
                ),
                _("The agreement was sent for signature. Its content is now locked."),
            )
            return redirect("agreements:detail", agreement.reference)
    else:
        form = SendForSignatureForm(
            agreement=agreement,
            initial={
                "charity_name": charity.chairman_name_ar,
                "charity_title": charity.chairman_title_ar,
                "charity_email": charity.chairman_email,
                # The chairman signs from his account when he has one.
                "charity_user": User.objects.filter(
                    email__iexact=charity.chairman_email, is_active=True, partner__isnull=True
                ).first()
                if charity.chairman_email
                else None,
                # The partner's primary signing contact is proposed, as for an amendment.
                "partner_contacts": list(
                    agreement.partner.contacts.filter(is_active=True, can_sign=True, is_primary=True).values_list(
                        "pk", flat=True
                    )
                ),
            },
        )
    return render(request, "agreements/send_for_signature.html", {"agreement": agreement, "form": form})


@editor_required
@require_POST
def recall(request, reference: str):
    agreement = get_object_or_404(Agreement, reference=reference)
    _attempt(
        request,
        lambda: lifecycle.transition(agreement, "recall", by=request.user, **origin(request)),
        _("The agreement is a draft again; open signing links no longer work."),
    )
    return redirect("agreements:detail", agreement.reference)


@editor_required
@require_POST
def terminate(request, reference: str):
    agreement = get_object_or_404(Agreement, reference=reference)
    form = TerminateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("agreements:detail", agreement.reference)
    _attempt(
        request,
        lambda: lifecycle.transition(
            agreement,
            "terminate",
            by=request.user,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
            **origin(request),
        ),
        _("The agreement was terminated."),
    )
    return redirect("agreements:detail", agreement.reference)


@editor_required
def renew(request, reference: str):
    """Renewal reminders link here: a confirmation page, then one click (POST) renews."""
    agreement = get_object_or_404(Agreement.objects.select_related("partner"), reference=reference)
    if request.method != "POST":
        starts_on, ends_on, _move = services.renewal_term(agreement)
        return render(
            request,
            "agreements/renew_confirm.html",
            {"agreement": agreement, "starts_on": starts_on, "ends_on": ends_on},
        )
    result = _attempt(
        request,
        lambda: services.agreement_renew(agreement=agreement, by=request.user, **origin(request)),
        _("A renewal was drafted with the same clauses. Review it and send it for signature."),
    )
    return redirect("agreements:detail", (result or agreement).reference)


@editor_required
@require_POST
def attachment_upload(request, reference: str):
    agreement = get_object_or_404(Agreement, reference=reference)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                agreement=agreement,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The file was attached."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("agreements:detail", agreement.reference)
