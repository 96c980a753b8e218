from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms import AcceptInvitationForm
from .services import invitation_accept, invitation_by_token


@never_cache
def invitation(request, token: str):
    """Set a password from an invitation link; the link works once and expires."""
    found = invitation_by_token(token)
    if found is None:
        response = render(request, "accounts/invitation_invalid.html", status=404)
        response["Referrer-Policy"] = "same-origin"
        return response
    form = AcceptInvitationForm(request.POST or None, email=found.email, initial={"first_name": found.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=found, first_name=form.cleaned_data["first_name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("portal:home")
    return render(request, "accounts/invitation.html", {"form": form, "invitation": found})
