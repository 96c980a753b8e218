"""Amendment pages: the editor (record, change a draft), the amendment with its diff, deletion."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import editor_required, staff_required
from common.http import origin

from ..amendments import services, standing
from ..amendments.content import ChangeConflict, apply_changes, base_content, changes_between
from ..amendments.diff import change_groups, change_rows
from ..amendments.forms import AmendmentClauseFormSet, AmendmentCommitmentFormSet, AmendmentForm
from ..lifecycle import TransitionError
from ..models import Agreement, Amendment
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
    can_change = request.user.can_edit_agreements and services.amendment_refusal(agreement, amendment) is None
    context = {
        "agreement": agreement,
        "amendment": amendment,
        "groups": change_groups(change_rows(amendment)),
        "can_change": can_change,
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
