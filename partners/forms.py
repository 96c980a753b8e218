from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import Contact, Partner


class PartnerForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = [
            "name_ar",
            "name_en",
            "sector",
            "kind",
            "city",
            "registration_number",
            "phone",
            "email",
            "website",
            "address",
            "is_active",
        ]
        widgets = {
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "phone": forms.TextInput(attrs={"dir": "ltr"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "website": forms.URLInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("name_ar", css_class="col-md-6"), Column("name_en", css_class="col-md-6")),
            Row(
                Column("sector", css_class="col-md-4"),
                Column("kind", css_class="col-md-4"),
                Column("city", css_class="col-md-4"),
            ),
            Row(
                Column("registration_number", css_class="col-md-4"),
                Column("phone", css_class="col-md-4"),
                Column("email", css_class="col-md-4"),
            ),
            Row(Column("website", css_class="col-md-6"), Column("address", css_class="col-md-6")),
            "is_active",
        )


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name_ar", "name_en", "title_ar", "title_en", "email", "phone", "can_sign", "is_primary", "is_active"]
        widgets = {
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "title_en": forms.TextInput(attrs={"dir": "ltr"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "phone": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("can_sign") and not cleaned.get("email"):
            self.add_error("email", _("A contact who may sign needs an email address to receive the signing link."))
        return cleaned


ContactFormSet = inlineformset_factory(
    Partner, Contact, form=ContactForm, extra=1, can_delete=True, max_num=50, validate_max=True
)
