from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control

from agreements.models import Agreement, AgreementStatus

from .models import CharityProfile, Partner


@login_required
def partner_list(request):
    partners = Partner.objects.visible_to(request.user).annotate(
        agreement_count=Count("agreements"),
        active_count=Count("agreements", filter=Q(agreements__status=AgreementStatus.ACTIVE)),
        contact_count=Count("contacts", distinct=True),
    )
    return render(request, "partners/partner_list.html", {"partners": partners})


@login_required
def partner_detail(request, pk: int):
    partner = get_object_or_404(Partner.objects.visible_to(request.user).prefetch_related("contacts"), pk=pk)
    agreements = Agreement.objects.visible_to(request.user).filter(partner=partner).order_by("-starts_on", "-id")
    return render(request, "partners/partner_detail.html", {"partner": partner, "agreements": agreements})


@cache_control(public=True, max_age=3600)
def charity_logo(request):
    """The charity's logo is public: it appears on the login page and on printouts."""
    profile = CharityProfile.load()
    if not profile.logo:
        raise Http404
    return FileResponse(profile.logo.open("rb"))
