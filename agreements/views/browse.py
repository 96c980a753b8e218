"""Read-only pages: dashboard, agreement list with search, agreement page, history, files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import staff_required
from common import clock
from partners.models import Contact, Partner

from .. import lifecycle
from ..amendments import standing
from ..audit import audit_verify
from ..dashboard import impact, staff_queues
from ..forms import AgreementFilterForm, TerminateForm
from ..history import agreement_timeline
from ..models import (
    Agreement,
    AgreementStatus,
    Attachment,
    AuditEvent,
    Clause,
    Commitment,
    ReportingSchedule,
    SigningRequest,
    SigningStatus,
)
from ..search import agreements_matching
from ..signing.inbox import awaiting_signature
from ..signing.services import signing_request_for_user

PAGE_SIZE = 25


@login_required
def dashboard(request):
    if request.user.is_partner_user:
        return redirect("portal:home")
    today = clock.today()
    agreements = Agreement.objects.visible_to(request.user)
    counts = dict(agreements.order_by().values_list("status").annotate(n=Count("id")))
    by_status = [(status, counts.get(status.value, 0)) for status in AgreementStatus]
    awaiting = list(awaiting_signature(request.user))
    figures = impact(request.user, request.GET)
    if figures.invalid_year:
        messages.warning(request, _("The year was not understood; every year is shown."))
    context = {
        "today": today,
        "by_status": by_status,
        "total": sum(counts.values()),
        "partner_count": Partner.objects.visible_to(request.user).count(),
        "queues": staff_queues(request.user, today, awaiting),
        "impact": figures,
        "recent": agreements.select_related("partner").order_by("-created_at", "-id")[:8],
        "awaiting": awaiting,
    }
    return render(request, "agreements/dashboard.html", context)


@staff_required
def agreement_list(request):
    visible = Agreement.objects.visible_to(request.user)
    partners = Partner.objects.visible_to(request.user).only("id", "name_ar", "name_en")
    form = AgreementFilterForm(request.GET or None, partners=partners)
    clause_count = (
        Clause.objects.filter(agreement=OuterRef("pk")).order_by().values("agreement").annotate(n=Count("pk"))
    )
    agreements = visible.select_related("partner", "owner").annotate(clause_count=Subquery(clause_count.values("n")))
    sort = None
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("Some filters were not understood and were ignored."))
    # An invalid filter is left out of cleaned_data; the valid ones still apply.
    filters = form.cleaned_data if form.is_bound else {}
    if filters.get("q"):
        # The same terms as the top bar's search; best matches first unless a sort is chosen.
        agreements = agreements_matching(agreements, filters["q"])
    if filters.get("status"):
        agreements = agreements.filter(status=filters["status"])
    if filters.get("partner"):
        agreements = agreements.filter(partner=filters["partner"])
    if filters.get("sector"):
        agreements = agreements.filter(partner__sector=filters["sector"])
    if filters.get("kind"):
        agreements = agreements.filter(Exists(Clause.objects.filter(agreement=OuterRef("pk"), kind=filters["kind"])))
    if filters.get("ending_within"):
        agreements = agreements.ending_within(filters["ending_within"])
    if filters.get("renewals"):
        agreements = agreements.renewals_in_progress()
    if filters.get("sort"):
        key = filters["sort"].lstrip("-")
        sort = ("-" if filters["sort"].startswith("-") else "") + AgreementFilterForm.SORTS[key]
    if sort:
        agreements = agreements.order_by(sort, "-id")
    elif filters.get("q"):
        agreements = agreements.order_by("-rank", "-created_at", "-id")
    else:
        agreements = agreements.order_by("-created_at", "-id")
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "current_sort": filters.get("sort") or "",
        "sort_columns": [
            ("reference", _("Reference")),
            ("title", _("Title")),
            ("partner", _("Partner")),
            ("status", _("Status")),
            ("starts_on", _("Starts on")),
            ("ends_on", _("Ends on")),
        ],
    }
    return render(request, "agreements/agreement_list.html", context)


def visible_agreement(request, reference: str, queryset=None) -> Agreement:
    """The agreement if this user may see it; a 404 otherwise (never a hint it exists)."""
    queryset = queryset if queryset is not None else Agreement.objects.all()
    return get_object_or_404(queryset.visible_to(request.user), reference=reference)


@staff_required
def agreement_detail(request, reference: str):
    # The text in force: what amendments removed is listed apart, never as current content.
    commitments = Commitment.objects.current().with_progress().order_by("party", "id")
    clauses = Clause.objects.current().order_by("order").prefetch_related(Prefetch("commitments", queryset=commitments))
    agreement = visible_agreement(
        request,
        reference,
        # The renewal links need only the two references: annotated, instead of two more whole
        # agreements in the select_related (each ~0.4 ms to compile and load).
        Agreement.objects.select_related("partner", "owner")
        .annotate(
            renews_reference=F("renews__reference"),
            renewed_by_reference=Subquery(Agreement.objects.filter(renews=OuterRef("pk")).values("reference")[:1]),
        )
        .prefetch_related(
            Prefetch("clauses", queryset=clauses),
            Prefetch(
                "partner__contacts",
                queryset=Contact.objects.filter(can_sign=True, is_active=True),
                to_attr="signatories",
            ),
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
            "amendments",
            Prefetch(
                "signing_requests",
                queryset=SigningRequest.objects.select_related("signature").order_by("position", "party", "id"),
            ),
        ),
    )
    user = request.user
    can_edit = user.can_edit_agreements
    amendments = list(agreement.amendments.all())
    amended_by = standing.in_force(amendments)
    standing.attach_pdfs(agreement, amendments)
    signing_requests = [r for r in agreement.signing_requests.all() if r.amendment_id is None]
    transitions = {t.name for t in lifecycle.available(agreement)} if can_edit else set()
    if any(r.status == SigningStatus.SIGNED for r in signing_requests):
        transitions.discard("recall")  # refused once anyone has signed: not offered
    context = {
        "agreement": agreement,
        "schedule_choices": ReportingSchedule.choices,
        "amendments": amendments,
        "amended_by": amended_by,
        "as_amended": standing.as_amended_line(
            amended_by, lambda a: reverse("agreements:amendment", args=[agreement.reference, a.number])
        )
        if amended_by
        else "",
        "removed": standing.removed_items(agreement) if amended_by else [],
        "can_edit": can_edit,
        "transitions": transitions,
        "can_renew": can_edit
        and agreement.status in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED)
        and not agreement.renewed_by_reference,
        "accepts_progress": agreement.accepts_progress,
        "terminate_form": TerminateForm(),
        "signing_requests": signing_requests,
        "my_signing_request": signing_request_for_user(agreement, user, agreement.signing_requests.all())
        if agreement.status == AgreementStatus.AWAITING_SIGNATURES
        else None,
    }
    return render(request, "agreements/agreement_detail.html", context)


@staff_required
def agreement_history(request, reference: str):
    """The change timeline; loaded into the agreement page, or opened on its own."""
    agreement = visible_agreement(request, reference)
    template = "agreements/_history.html" if request.headers.get("HX-Request") else "agreements/history.html"
    return render(request, template, {"agreement": agreement, "timeline": agreement_timeline(agreement)})


@login_required
def agreement_audit(request, reference: str):
    """The audit trail and whether its hash chain verifies; loaded into the agreement page."""
    agreement = visible_agreement(request, reference)
    events = (
        AuditEvent.objects.filter(agreement=agreement)
        .select_related("actor", "signing_request__amendment")
        .order_by("sequence")
    )
    context = {"agreement": agreement, "events": events, "check": audit_verify(agreement)}
    template = "agreements/_audit.html" if request.headers.get("HX-Request") else "agreements/audit.html"
    return render(request, template, context)


@login_required
def attachment_download(request, reference: str, pk: int):
    """Files are never at a public URL: this view checks the reader may see the agreement."""
    agreement = visible_agreement(request, reference)
    attachment = get_object_or_404(Attachment, pk=pk, agreement=agreement)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
