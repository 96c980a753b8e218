"""Spreadsheet columns of partners and contacts (import and export in Django admin)."""

from __future__ import annotations

from spreadsheets.resources import PortalResource, column

from .models import Contact, Partner


class PartnerResource(PortalResource):
    name_ar = column(Partner, "name_ar")
    name_en = column(Partner, "name_en")
    sector = column(Partner, "sector")
    kind = column(Partner, "kind")
    city = column(Partner, "city")
    registration_number = column(Partner, "registration_number")
    phone = column(Partner, "phone")
    email = column(Partner, "email")
    website = column(Partner, "website")
    address = column(Partner, "address")
    is_active = column(Partner, "is_active")

    class Meta(PortalResource.Meta):
        model = Partner
        fields = (
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
        )
        import_id_fields = ["name_ar"]


class ContactResource(PortalResource):
    partner = column(Contact, "partner", lookup="name_ar")
    name_ar = column(Contact, "name_ar")
    name_en = column(Contact, "name_en")
    title_ar = column(Contact, "title_ar")
    title_en = column(Contact, "title_en")
    email = column(Contact, "email")
    phone = column(Contact, "phone")
    can_sign = column(Contact, "can_sign")
    is_primary = column(Contact, "is_primary")
    is_active = column(Contact, "is_active")

    class Meta(PortalResource.Meta):
        model = Contact
        fields = (
            "partner",
            "name_ar",
            "name_en",
            "title_ar",
            "title_en",
            "email",
            "phone",
            "can_sign",
            "is_primary",
            "is_active",
        )
        import_id_fields = ["partner", "name_ar"]
