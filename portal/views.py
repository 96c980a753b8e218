"""The partner portal: a partner's own agreements, commitments, progress and colleagues.

Every query starts from the logged-in user's partner, so another partner's rows are
never loaded; an id or reference that belongs to another partner is simply not found.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import InviteForm, RoleForm
from accounts.models import Invitation, PartnerRole, User
from accounts.permissions import partner_required
from accounts.services import (
    invitation_create,
    partner_user_set_active,
    partner_user_set_role,
)
from accounts.services import invitation_resend as invitation_resend_service
from accounts.services import invitation_withdraw as invitation_withdraw_service
from agreements.amendments import standing
from agreements.amendments.diff import change_groups, change_rows
from agreements.dashboard import impact, partner_queues
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
    PeriodReportStatus,
    ProgressComment,
    ProgressUpdate,
    visible_q,
)
from agreements.periods import may_fill
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
    figures = impact(user, request.GET, with_partners=False)
    if figures.invalid_year:
        messages.warning(request, _("The year was not understood; every year is shown."))
    context = {
        "agreements": agreements,
        "awaiting": waiting,
        "queues": partner_queues(user, today, waiting),
        "impact": figures,
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
    form = ProgressForm(request.POST or None, request.FILES or None, commitment=commitment)
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
    if not request.user.may_report_progress:
        raise PermissionDenied
    agreement = update.commitment.clause.agreement
    done_url = reverse("portal:agreement", args=[agreement.reference]) + f"#progress-{update.pk}"
    sent = _("Your corrected report was sent to the charity for review.")
    return resubmit_page(request, update, template="portal/resubmit_progress.html", done_url=done_url, sent=sent)


def _officer(request) -> None:
    """Managing colleagues is for the partner's authorised officers: others are refused (403)."""
    if not request.user.is_partner_officer:
        raise PermissionDenied


@partner_required
def period_report(request, pk: int):
    """The partner's report on one period of one of its agreements; another partner's is a 404."""
    report = get_object_or_404(
        PeriodReport.objects.visible_to(request.user).select_related("agreement__partner", "submitted_by"), pk=pk
    )
    if (request.method == "POST" or report.status == PeriodReportStatus.DUE) and not may_fill(request.user, report):
        raise PermissionDenied  # a viewer reads a sent report; the form is for officers and editors
    done_url = reverse("portal:home")
    return period_report_page(request, report, template="portal/period_report.html", done_url=done_url)


@partner_required
def team(request):
    """The partner's users with their roles; officers also invite, change roles, deactivate and
    see the pending invitations (resend, withdraw)."""
    user = request.user
    officer = user.is_partner_officer
    colleagues = User.objects.filter(partner_id=user.partner_id).order_by("-is_active", "first_name", "username")
    form = InviteForm(request.POST or None) if officer else None
    if request.method == "POST":
        _officer(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation_create(
                    partner=user.partner, email=data["email"], name=data["name"], role=data["role"], by=user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The same answer whether or not the address already has an account (that person
                # is e-mailed a note instead): the page does not tell who has one.
                messages.success(
                    request,
                    _("Done: %(email)s will receive an e-mail about the portal shortly.") % {"email": data["email"]},
                )
                return redirect("portal:team")
        else:
            messages.error(request, _("Nothing was sent: correct the fields marked below."))
    context = {
        "colleagues": colleagues,
        "form": form,
        "roles": PartnerRole.choices,
        "invitations": Invitation.objects.pending().filter(partner_id=user.partner_id).select_related("invited_by")
        if officer
        else [],
    }
    return render(request, "portal/team.html", context)


def _colleague(request, pk: int) -> User:
    _officer(request)
    return get_object_or_404(User, pk=pk, partner_id=request.user.partner_id)


@partner_required
@require_POST
def team_member_active(request, pk: int):
    colleague = _colleague(request, pk)
    try:
        partner_user_set_active(user=colleague, active=request.POST.get("active") == "1", by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("portal:team")


@partner_required
@require_POST
def team_member_role(request, pk: int):
    colleague = _colleague(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return redirect("portal:team")
    try:
        partner_user_set_role(user=colleague, role=form.cleaned_data["role"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        names = {"name": colleague.display_name, "role": colleague.get_partner_role_display()}
        messages.success(request, _("%(name)s is now: %(role)s.") % names)
    return redirect("portal:team")


def _invitation(request, pk: int) -> Invitation:
    _officer(request)
    return get_object_or_404(Invitation.objects.pending(), pk=pk, partner_id=request.user.partner_id)


@partner_required
@require_POST
def invitation_resend(request, pk: int):
    invitation = _invitation(request, pk)
    try:
        invitation_resend_service(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was e-mailed again with a new link; the earlier link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("portal:team")


@partner_required
def invitation_withdraw(request, pk: int):
    """GET asks to confirm; POST withdraws the invitation, and its link stops working."""
    invitation = _invitation(request, pk)
    if request.method == "POST":
        try:
            invitation_withdraw_service(invitation=invitation, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            withdrawn = _("The invitation to %(email)s was withdrawn; its link no longer works.")
            messages.success(request, withdrawn % {"email": invitation.email})
        return redirect("portal:team")
    return render(request, "portal/invitation_withdraw.html", {"invitation": invitation})


@partner_required
def search(request):
    """The same search as staff have, over what this partner user may see (agreements.search)."""
    return results_page(request, action="portal:search")
