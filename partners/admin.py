from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from spreadsheets.exports import ImportExportAdminMixin

from .models import CharityProfile, Contact, Partner
from .resources import ContactResource, PartnerResource


@admin.register(CharityProfile)
class CharityProfileAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Charity"), {"fields": ["name_ar", "name_en", "logo", "committee_ar", "committee_en"]}),
        (
            _("Chairman"),
            {
                "fields": [
                    "chairman_name_ar",
                    "chairman_name_en",
                    "chairman_title_ar",
                    "chairman_title_en",
                    "chairman_email",
                ]
            },
        ),
        (_("Contact details"), {"fields": ["address_ar", "address_en", "phone", "email", "website"]}),
    ]

    def has_add_permission(self, request) -> bool:
        # One profile only: it is created on first use and then edited.
        return not CharityProfile.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name_ar", "name_en", "title_ar", "email", "phone", "can_sign", "is_primary", "is_active"]


@admin.register(Partner)
class PartnerAdmin(ImportExportAdminMixin, admin.ModelAdmin):
    list_display = [
        "name_ar",
        "name_en",
        "sector",
        "kind",
        "city",
        "agreements_total",
        "agreements_active",
        "is_active",
    ]
    list_filter = ["sector", "kind", "is_active", "city"]
    search_fields = ["name_ar", "name_en", "registration_number", "contacts__name_ar", "contacts__email"]
    list_per_page = 100
    inlines = [ContactInline]
    resource_classes = [PartnerResource]

    def get_queryset(self, request):
        return super().get_queryset(request).with_agreement_counts()

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreements_total(self, obj):
        return obj.agreement_count

    @admin.display(description=_("active agreements"), ordering="active_count")
    def agreements_active(self, obj):
        return obj.active_count


@admin.register(Contact)
class ContactAdmin(ImportExportAdminMixin, admin.ModelAdmin):
    list_display = ["name_ar", "partner", "title_ar", "email", "phone", "can_sign", "is_primary", "is_active"]
    list_filter = ["can_sign", "is_active", "partner__sector", "partner"]
    search_fields = ["name_ar", "name_en", "email", "phone", "partner__name_ar", "partner__name_en"]
    list_select_related = ["partner"]
    list_per_page = 100
    resource_classes = [ContactResource]
