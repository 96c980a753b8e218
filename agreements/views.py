from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from partners.models import Contact, Partner

from .models import Agreement, AgreementStatus, Clause, Commitment

PAGE_SIZE = 25


@login_required
def dashboard(request):
    agreements = Agreement.objects.visible_to(request.user)
    counts = dict(agreements.order_by().values_list("status").annotate(n=Count("id")))
    by_status = [(status, counts.get(status.value, 0)) for status in AgreementStatus]
    context = {
        "today": timezone.localdate(),
        "by_status": by_status,
        "total": sum(counts.values()),
        "partner_count": Partner.objects.visible_to(request.user).count(),
        "ending_soon": agreements.ending_within(90).select_related("partner").order_by("ends_on")[:10],
        "recent": agreements.select_related("partner").order_by("-created_at", "-id")[:8],
    }
    return render(request, "agreements/dashboard.html", context)


@login_required
def agreement_list(request):
    agreements = (
        Agreement.objects.visible_to(request.user)
        .select_related("partner", "owner")
        .annotate(clause_count=Count("clauses"))
        .order_by("-created_at", "-id")
    )
    status = request.GET.get("status", "")
    if status in AgreementStatus.values:
        agreements = agreements.filter(status=status)
    partner_id = request.GET.get("partner", "")
    if partner_id.isdigit():
        agreements = agreements.filter(partner_id=int(partner_id))
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": AgreementStatus.choices,
        "partners": Partner.objects.visible_to(request.user).only("id", "name_ar", "name_en"),
        "selected_status": status,
        "selected_partner": partner_id,
    }
    return render(request, "agreements/agreement_list.html", context)


@login_required
def agreement_detail(request, reference: str):
    commitments = Commitment.objects.with_progress().order_by("party", "id")
    clauses = Clause.objects.order_by("order").prefetch_related(Prefetch("commitments", queryset=commitments))
    agreement = get_object_or_404(
        Agreement.objects.visible_to(request.user)
        .select_related("partner", "owner", "renews", "renewed_by")
        .prefetch_related(
            Prefetch("clauses", queryset=clauses),
            Prefetch(
                "partner__contacts",
                queryset=Contact.objects.filter(can_sign=True, is_active=True),
                to_attr="signatories",
            ),
        ),
        reference=reference,
    )
    return render(request, "agreements/agreement_detail.html", {"agreement": agreement})
