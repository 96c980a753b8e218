from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from common.validators import reject_bidi_controls

from .models import PartnerRole


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Your name"), max_length=150, validators=[reject_bidi_controls])
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            from .models import User

            try:
                password_validation.validate_password(first, User(username=self.email, email=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False, validators=[reject_bidi_controls])
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=PartnerRole.choices,
        initial=PartnerRole.EDITOR,
        help_text=_(
            "Authorised officer: signs from the account and manages colleagues. Editor: reports progress. "
            "Viewer: reads only."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices)


def _code_field(label, *, numeric: bool = False) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "dir": "ltr", "spellcheck": "false", "autocapitalize": "off"}
    if numeric:
        attrs["inputmode"] = "numeric"
    return forms.CharField(label=label, max_length=32, widget=forms.TextInput(attrs=attrs))


class LoginCodeForm(forms.Form):
    """The second step of the login: the authenticator's code or a backup code."""

    code = _code_field(_("Verification code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True


class AuthenticatorConfirmForm(forms.Form):
    code = _code_field(_("The 6-digit code the app shows"), numeric=True)


class BackupCodesRenewForm(forms.Form):
    code = _code_field(_("Code from the app or a backup code"))


class TwoFactorDisableForm(forms.Form):
    code = _code_field(_("Code from the app or a backup code"))
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PortalLoginForm(AuthenticationForm):
    """Django's login form, refusing an overlong username before it is looked up.

    AuthenticationForm sets the field's max_length after the field is built, so it is only
    a hint to the browser; a longer username went on to django-axes, whose record of the
    failed login cannot store it (a 500).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "No account matches this username or e-mail with this password. The password is case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = _("Username or e-mail")
        field.help_text = _("Either one; capital and small letters are the same.")
        field.widget.attrs.update({"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"})

    def clean_username(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.username_field.max_length:
            raise self.get_invalid_login_error()
        return username
