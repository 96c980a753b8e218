from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from accounts.models import PartnerRole
from accounts.permissions import editor_required, staff_required
from accounts.services import invitation_create

from .forms import ContactFormSet, PartnerForm
from .models import CharityProfile, Contact, Partner
from .services import partner_save


@staff_required
def partner_list(request):
    partners = Partner.objects.visible_to(request.user).listed_with_agreement_counts()
    for partner in partners:
        # Worded here rather than by three {% blocktranslate %} per card (~20 µs each); same messages.
        n = partner.agreement_count
        partner.agreements_label = ngettext("%(n)s agreement", "%(n)s agreements", n) % {"n": n}
        partner.active_label = _("%(n)s active") % {"n": partner.active_count}
        n = partner.contact_count
        partner.contacts_label = ngettext("%(n)s contact", "%(n)s contacts", n) % {"n": n}
    return render(request, "partners/partner_list.html", {"partners": partners})


@staff_required
def partner_detail(request, pk: int):
    partner = get_object_or_404(Partner.objects.visible_to(request.user).prefetch_related("contacts"), pk=pk)
    # Through the reverse relation: the agreements' own visibility rule, without importing them.
    agreements = partner.agreements.visible_to(request.user).order_by("-starts_on", "-id")
    context = {"partner": partner, "agreements": agreements, "roles": PartnerRole.choices}
    return render(request, "partners/partner_detail.html", context)


@cache_control(public=True, max_age=3600)
def charity_logo(request):
    """The charity's logo is public: it appears on the login page and on printouts."""
    profile = CharityProfile.load()
    if not profile.logo:
        raise Http404
    return FileResponse(profile.logo.open("rb"))


@editor_required
def partner_edit(request, pk: int | None = None):
    """Create or edit a partner and its contacts on one page."""
    partner = get_object_or_404(Partner, pk=pk) if pk else Partner()
    if request.method == "POST":
        form = PartnerForm(request.POST, instance=partner)
        contacts = ContactFormSet(request.POST, instance=partner, prefix="contacts")
        if form.is_valid() and contacts.is_valid():
            try:
                partner = partner_save(form=form, contacts=contacts, by=request.user)
            except ProtectedError:
                messages.error(
                    request, _("A contact who was asked to sign an agreement cannot be deleted; deactivate it instead.")
                )
            else:
                messages.success(request, _("The partner was saved."))
                return redirect("partners:detail", partner.pk)
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    else:
        form = PartnerForm(instance=partner)
        contacts = ContactFormSet(instance=partner, prefix="contacts")
    return render(request, "partners/partner_form.html", {"form": form, "contacts": contacts, "partner": partner})


@editor_required
@require_POST
def contact_invite(request, pk: int, contact_pk: int):
    """Invite a partner's contact to the portal by email."""
    contact = get_object_or_404(Contact, pk=contact_pk, partner_id=pk)
    if not contact.email:
        messages.error(request, _("This contact has no email address."))
        return redirect("partners:detail", pk)
    role = request.POST.get("role") or PartnerRole.EDITOR
    try:
        invitation = invitation_create(
            partner=contact.partner, email=contact.email, name=contact.name_ar, by=request.user, role=role
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if invitation is None:
            # Staff may know who has an account (they see the users in the admin).
            messages.info(
                request,
                _("%(email)s already has a portal account; they were e-mailed how to log in.")
                % {"email": contact.email},
            )
        else:
            messages.success(
                request, _("An invitation to the portal was emailed to %(email)s.") % {"email": contact.email}
            )
    return redirect("partners:detail", pk)
