"""The partner portal: a partner's own agreements, commitments, progress and colleagues.

Every query starts from the logged-in user's partner, so another partner's rows are
never loaded; an id or reference that belongs to another partner is simply not found.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import InviteForm
from accounts.models import User
from accounts.permissions import partner_required
from accounts.services import invitation_create, partner_user_set_active
from agreements.amendments import standing
from agreements.amendments.diff import change_groups, change_rows
from agreements.forms import ProgressForm
from agreements.models import (
    Agreement,
    AgreementStatus,
    Amendment,
    Attachment,
    Clause,
    ClauseKind,
    Commitment,
    CommitmentStatus,
    Party,
    PeriodReport,
    ProgressComment,
    ProgressUpdate,
    visible_q,
)
from agreements.progress import may_report, progress_report, removed_refusal
from agreements.signing.inbox import awaiting_signature
from agreements.signing.services import signing_request_for_user
from agreements.views.amendments import before_context
from agreements.views.periods import period_report_page
from agreements.views.progress import resubmit_page
from agreements.views.search import results_page
from common import clock
from reminders.models import Notification

# Active first, then signed (in force from a later date), awaiting signature, drafts, the ended ones.
_STATUS_ORDER = Case(
    When(status=AgreementStatus.ACTIVE, then=Value(0)),
    When(status=AgreementStatus.SIGNED, then=Value(1)),
    When(status=AgreementStatus.AWAITING_SIGNATURES, then=Value(2)),
    When(status=AgreementStatus.DRAFT, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)
# As many rows as a page of Django admin's lists.
COMMITMENTS_PAGE_SIZE = 100


def _agreements(user):
    # The partner's agreements once sent (drafts stay internal): Agreement.objects.visible_to.
    return Agreement.objects.visible_to(user)


def _commitments(user):
    # The agreements' text in force: what an amendment removed is no longer work to do.
    return Commitment.objects.visible_to(user).current()


@partner_required
def home(request):
    user = request.user
    today = clock.today()
    agreements = list(
        _agreements(user)
        .annotate(
            order=_STATUS_ORDER,
            commitment_count=Count("clauses__commitments", filter=Q(clauses__commitments__removed_by=None)),
        )
        .order_by("order", "-starts_on", "-id")
    )
    waiting = list(awaiting_signature(user))
    own = (
        _commitments(user)
        .open()
        .filter(party=Party.PARTNER, clause__agreement__status=AgreementStatus.ACTIVE)
        # Only the rows shown below (overdue or due within 14 days), not every open commitment.
        .filter(due_on__lte=today + datetime.timedelta(days=14))
        # The list shows the description and the due date only: no progress sum, no clause or agreement.
        .order_by("due_on", "id")
    )
    context = {
        "agreements": agreements,
        "awaiting": waiting,
        "due_soon": [c for c in own if today <= c.due_on <= today + datetime.timedelta(days=14)],
        "overdue": [c for c in own if c.overdue_on(today)],
        "notifications": Notification.objects.filter(user=user).order_by("-created_at")[:5],
        "reports_due": PeriodReport.objects.visible_to(user)
        .to_report()
        .select_related("agreement")
        .order_by("due_on", "id")[:20],
        "today": today,
    }
    return render(request, "portal/home.html", context)


@partner_required
def commitments(request):
    """Every commitment of both parties under the partner's agreements, grouped."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    # The clause with each row, the agreement from a dict: 50 agreements built instead of one per commitment.
    rows = (
        _commitments(request.user)
        .with_progress()
        .select_related("clause")
        .order_by("clause__agreement__ends_on", "clause__agreement_id", "clause__kind", "clause__order", "party", "id")
    )
    agreements = {agreement.pk: agreement for agreement in _agreements(request.user)}
    today = clock.today()
    if status == "overdue":
        rows = rows.overdue(today)
    elif status in CommitmentStatus.values:
        rows = rows.filter(status=status)
    if kind in ClauseKind.values:
        rows = rows.filter(clause__kind=kind)
    page = Paginator(rows, COMMITMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    groups: dict[tuple, list] = {}
    for commitment in page:
        agreement = agreements[commitment.clause.agreement_id]
        commitment.overdue = commitment.overdue_on(today)
        groups.setdefault((agreement, commitment.clause.get_kind_display()), []).append(commitment)
    context = {
        "groups": [(agreement, kind_label, items) for (agreement, kind_label), items in groups.items()],
        "page": page,
        "statuses": [*CommitmentStatus.choices, ("overdue", _("Overdue"))],
        "kinds": ClauseKind.choices,
        "selected_status": status,
        "selected_kind": kind,
    }
    return render(request, "portal/commitments.html", context)


def _agreement(user, reference: str) -> Agreement:
    """One of the partner's agreements; another partner's is simply not found."""
    return get_object_or_404(_agreements(user).select_related("partner"), reference=reference)


def _amendment(agreement: Agreement, number: int) -> Amendment:
    """An amendment the partner sees: once sent for signature (drafts stay internal)."""
    return get_object_or_404(
        Amendment.objects.filter(status__in=standing.SHOWN_TO_PARTNER), agreement=agreement, number=number
    )


@partner_required
def agreement(request, reference: str):
    # The text in force; what amendments removed is listed apart.
    commitments_qs = Commitment.objects.current().with_progress().order_by("party", "id")
    clauses = (
        Clause.objects.current().order_by("order").prefetch_related(Prefetch("commitments", queryset=commitments_qs))
    )
    agreement = get_object_or_404(
        _agreements(request.user).prefetch_related(
            Prefetch("clauses", queryset=clauses),
            "signing_requests",
            Prefetch("attachments", queryset=Attachment.objects.order_by("-uploaded_at")),
            Prefetch("amendments", queryset=Amendment.objects.filter(status__in=standing.SHOWN_TO_PARTNER)),
        ),
        reference=reference,
    )
    updates = (
        ProgressUpdate.objects.filter(commitment__clause__agreement=agreement)
        .select_related("commitment", "reported_by")
        .prefetch_related("evidence", Prefetch("comments", queryset=ProgressComment.objects.select_related("author")))
        .order_by("-reported_on", "-id")
    )
    amendments = list(agreement.amendments.all())
    amended_by = standing.in_force(amendments)
    standing.attach_pdfs(agreement, amendments)
    for amendment in amendments:
        amendment.my_signing_request = signing_request_for_user(
            agreement, request.user, agreement.signing_requests.all(), amendment=amendment
        )
    context = {
        "agreement": agreement,
        "updates": updates,
        "amendments": amendments,
        "amended_by": amended_by,
        "as_amended": standing.as_amended_line(
            amended_by, lambda a: reverse("portal:amendment", args=[agreement.reference, a.number])
        )
        if amended_by
        else "",
        "removed": standing.removed_items(agreement) if amended_by else [],
        "my_signing_request": signing_request_for_user(agreement, request.user, agreement.signing_requests.all())
        if agreement.status == AgreementStatus.AWAITING_SIGNATURES
        else None,
    }
    return render(request, "portal/agreement.html", context)


@partner_required
def amendment(request, reference: str, number: int):
    """One amendment of the partner's agreement: its changes, who signs, its documents."""
    agreement = _agreement(request.user, reference)
    amendment = _amendment(agreement, number)
    standing.attach_pdfs(agreement, [amendment])
    context = {
        "agreement": agreement,
        "amendment": amendment,
        "groups": change_groups(change_rows(amendment)),
        "my_signing_request": signing_request_for_user(agreement, request.user, amendment=amendment),
    }
    return render(request, "portal/amendment.html", context)


@partner_required
def amendment_before(request, reference: str, number: int):
    """The agreement's text as it stood before one of its amendments came into force."""
    agreement = _agreement(request.user, reference)
    amendment = _amendment(agreement, number)
    context = before_context(
        agreement,
        amendment,
        route="portal:amendment",
        agreement_url=reverse("portal:agreement", args=[agreement.reference]),
    )
    return render(request, "agreements/amendment_before.html", context)


@partner_required
def report_progress(request, pk: int):
    # Not only the current ones: a removed commitment gets a clear refusal, not a 404.
    commitment = get_object_or_404(
        Commitment.objects.visible_to(request.user).with_progress().select_related("clause__agreement"), pk=pk
    )
    if not may_report(request.user, commitment):
        raise PermissionDenied
    refusal = removed_refusal(commitment)
    if refusal:
        messages.error(request, refusal)
        return redirect("portal:agreement", commitment.clause.agreement.reference)
    form = ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            progress_report(commitment=commitment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your progress report was sent to the charity for review."))
            return redirect("portal:agreement", commitment.clause.agreement.reference)
    elif request.method == "POST":
        messages.error(request, _("Nothing was sent: correct the fields marked below."))
    return render(request, "portal/report_progress.html", {"commitment": commitment, "form": form})


@partner_required
def resubmit_progress(request, pk: int):
    """A returned report of the partner's, corrected and sent again; its evidence and thread stay."""
    update = get_object_or_404(
        ProgressUpdate.objects.filter(
            visible_q(request.user, prefix="commitment__clause__agreement__"), commitment__party=Party.PARTNER
        ).select_related("commitment__clause__agreement", "reported_by"),
        pk=pk,
    )
    agreement = update.commitment.clause.agreement
    done_url = reverse("portal:agreement", args=[agreement.reference]) + f"#progress-{update.pk}"
    sent = _("Your corrected report was sent to the charity for review.")
    return resubmit_page(request, update, template="portal/resubmit_progress.html", done_url=done_url, sent=sent)


@partner_required
def period_report(request, pk: int):
    """The partner's report on one period of one of its agreements; another partner's is a 404."""
    report = get_object_or_404(
        PeriodReport.objects.visible_to(request.user).select_related("agreement__partner", "submitted_by"), pk=pk
    )
    done_url = reverse("portal:home")
    return period_report_page(request, report, template="portal/period_report.html", done_url=done_url)


@partner_required
def team(request):
    user = request.user
    colleagues = User.objects.filter(partner_id=user.partner_id).order_by("-is_active", "first_name", "username")
    form = InviteForm(request.POST or None) if user.is_partner_admin else None
    if request.method == "POST":
        if not user.is_partner_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                invitation_create(
                    partner=user.partner, email=form.cleaned_data["email"], name=form.cleaned_data["name"], by=user
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                messages.success(request, _("The invitation was emailed."))
                return redirect("portal:team")
    return render(request, "portal/team.html", {"colleagues": colleagues, "form": form})


@partner_required
@require_POST
def team_member_active(request, pk: int):
    colleague = get_object_or_404(User, pk=pk, partner_id=request.user.partner_id)
    try:
        partner_user_set_active(user=colleague, active=request.POST.get("active") == "1", by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("portal:team")


@partner_required
def search(request):
    """The same search as staff have, over what this partner user may see (agreements.search)."""
    return results_page(request, action="portal:search")
