"""Progress reports on the staff side: the review queue, reporting the charity's own progress, evidence files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import editor_required, staff_required

from ..forms import ProgressForm, ResubmitForm, ReviewForm
from ..models import Commitment, Evidence, ProgressComment, ProgressStatus, ProgressUpdate, visible_q
from ..progress import progress_report, progress_resubmit, progress_review, removed_refusal


def evidence_visible_to(user):
    """Evidence files a user may download: those of the agreements the user may see."""
    return Evidence.objects.filter(visible_q(user, prefix="update__commitment__clause__agreement__"))


@login_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(evidence_visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
def progress_queue(request):
    """Progress reports waiting for the charity's review, oldest first."""
    updates = list(
        ProgressUpdate.objects.filter(status=ProgressStatus.SUBMITTED)
        .select_related("commitment__clause__agreement__partner", "reported_by")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("id")),
            Prefetch("comments", queryset=ProgressComment.objects.select_related("author")),
        )
        .order_by("created_at", "id")
    )
    # The card shows each commitment's target, accepted progress and what waits: one query for all.
    sums = {
        pk: (achieved, pending)
        for pk, achieved, pending in Commitment.objects.with_progress()
        .filter(pk__in={update.commitment_id for update in updates})
        .values_list("pk", "achieved", "pending")
    }
    for update in updates:
        commitment = update.commitment
        commitment.achieved, commitment.pending = sums[commitment.pk]
        update.passes_target = commitment.would_pass_target(update.amount)
        update.others_pending = commitment.pending - update.amount
    return render(request, "agreements/progress_queue.html", {"updates": updates, "form": ReviewForm()})


@editor_required
@require_POST
def progress_review_view(request, pk: int):
    update = get_object_or_404(ProgressUpdate, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or send back."))
        return redirect("agreements:progress_queue")
    accept = form.cleaned_data["decision"] == "accept"
    try:
        progress_review(update=update, accept=accept, comment=form.cleaned_data["comment"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Accepted: the report now counts toward the target.")
            if accept
            else _("Sent back to the reporter with your comment."),
        )
    return redirect("agreements:progress_queue")


@editor_required
def report_progress(request, pk: int):
    """Staff report progress (the charity's own commitments, or on a partner's behalf)."""
    commitment = get_object_or_404(Commitment.objects.with_progress().select_related("clause__agreement"), pk=pk)
    refusal = removed_refusal(commitment)
    if refusal:
        messages.error(request, refusal)
        return redirect("agreements:detail", commitment.clause.agreement.reference)
    form = ProgressForm(request.POST or None, request.FILES or None, commitment=commitment)
    if request.method == "POST" and form.is_valid():
        try:
            progress_report(commitment=commitment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The progress report was recorded; accept it in the review list."))
            return redirect("agreements:detail", commitment.clause.agreement.reference)
    elif request.method == "POST":
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "agreements/report_progress.html", {"commitment": commitment, "form": form})


def resubmit_page(request, update: ProgressUpdate, *, template: str, done_url: str, sent: str) -> HttpResponse:
    """The correction form of a returned report (staff's and the portal's): it keeps its evidence and thread.

    Access is the caller's to check; `done_url` is where the report is read afterwards, `sent`
    the message shown there.
    """
    if update.status != ProgressStatus.RETURNED:
        messages.info(request, _("This progress report is not waiting for a correction."))
        return redirect(done_url)
    commitment = Commitment.objects.with_progress().select_related("clause__agreement").get(pk=update.commitment_id)
    initial = {"amount": update.amount, "reported_on": update.reported_on, "note": update.note}
    initial |= {f"b_{key}": count for key, count in (update.breakdown or {}).items()}
    form = ResubmitForm(request.POST or None, request.FILES or None, initial=initial, commitment=commitment)
    if request.method == "POST" and form.is_valid():
        try:
            progress_resubmit(update=update, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, sent)
            return redirect(done_url)
    elif request.method == "POST":
        messages.error(request, _("Nothing was sent: correct the fields marked below."))
    context = {
        "update": update,
        "commitment": commitment,
        "form": form,
        "comments": update.comments.select_related("author"),
        "evidence": update.evidence.order_by("id"),
    }
    return render(request, template, context)


@editor_required
def resubmit_progress(request, pk: int):
    """Staff correct a returned report they made (the charity's own, or on a partner's behalf)."""
    update = get_object_or_404(ProgressUpdate.objects.select_related("commitment__clause__agreement"), pk=pk)
    agreement = update.commitment.clause.agreement
    done_url = reverse("agreements:detail", args=[agreement.reference]) + f"#commitment-{update.commitment_id}"
    sent = _("The corrected report is back in the list of progress to review.")
    return resubmit_page(request, update, template="agreements/resubmit_progress.html", done_url=done_url, sent=sent)
