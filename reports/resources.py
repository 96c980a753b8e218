"""django-import-export resources: columns named by the models' verbose names.

Headers follow the active language (Arabic by default), so a file exported from the
Arabic admin opens in Excel with Arabic headers. Choices are written as their labels,
dates as real dates (XLSX) or ISO dates (CSV). An import accepts a column under its
Arabic or English header or its field name, so a file exported in either language
can be filled in and imported back.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.fields import Field

from agreements.models import Agreement, Clause, Commitment, ProgressUpdate
from partners.models import Contact, Partner
from qatif_partnerships import dates
from reminders.models import Reminder

from .measures import percent


class ChoicesWidget(widgets.Widget):
    """Writes a choice's label; reads back a label (Arabic or English) or the stored value."""

    def __init__(self, choices):
        super().__init__()
        self.choices = list(choices)

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        for key, label in self.choices:
            if text.casefold() == str(key).casefold():
                return key
            for language in ("ar", "en"):
                with translation.override(language):
                    if text.casefold() == str(label).casefold():
                        return key
        raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": text})


class YesNoWidget(widgets.BooleanWidget):
    """Yes/No in the active language; reads yes/no, نعم/لا, true/false, 1/0."""

    TRUE = {"1", "true", "yes", "نعم", "y"}
    FALSE = {"0", "false", "no", "لا", "n"}

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return str(_("Yes") if value else _("No"))

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE or text == "":
            return False
        raise ValueError(_("Write yes or no."))


def _model_field(model: type[models.Model], path: str) -> models.Field:
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return field


def column(model: type[models.Model], path: str, *, label=None, lookup: str | None = None, **kwargs) -> Field:
    """A resource column for `path` (e.g. "partner__sector"), headed by the field's verbose name.

    `lookup` names the related model's field that identifies a foreign key in the
    file (e.g. the partner's Arabic name), instead of its database id.
    """
    field = _model_field(model, path)
    if field.choices:
        widget = ChoicesWidget(field.choices)
    elif isinstance(field, models.ForeignKey):
        widget = widgets.ForeignKeyWidget(field.related_model, field=lookup or "pk")
    elif isinstance(field, models.BooleanField):
        widget = YesNoWidget()
    elif isinstance(field, models.DateTimeField):
        widget = widgets.DateTimeWidget()
    elif isinstance(field, models.DateField):
        widget = widgets.DateWidget()
    elif isinstance(field, (models.IntegerField, models.PositiveIntegerField)):
        widget = widgets.IntegerWidget(coerce_to_string=False)
    else:
        widget = widgets.CharWidget(allow_blank=True)
    return Field(attribute=path, column_name=label or capfirst(field.verbose_name), widget=widget, **kwargs)


class PortalResource(resources.ModelResource):
    """Base: verbose headers, header aliases on import, full validation of each row."""

    class Meta:
        abstract = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import(self, dataset, **kwargs):
        """Rename each header the file uses (Arabic, English or field name) to this language's."""
        aliases: dict[str, str] = {}
        for name, field in self.fields.items():
            current = str(field.column_name)
            aliases[name.casefold()] = current
            for language in ("ar", "en"):
                with translation.override(language):
                    aliases[str(field.column_name).strip().casefold()] = current
        if dataset.headers:
            dataset.headers = [aliases.get(str(h or "").strip().casefold(), h) for h in dataset.headers]
        super().before_import(dataset, **kwargs)


def _hijri(value) -> str:
    return dates.hijri(value) if value else ""


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


class ExportOnlyResource(PortalResource):
    """Agreements and their content are written only through the portal (locked after draft)."""

    class Meta(PortalResource.Meta):
        abstract = True

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("export only")


class AgreementResource(ExportOnlyResource):
    reference = column(Agreement, "reference")
    title_ar = column(Agreement, "title_ar")
    title_en = column(Agreement, "title_en")
    partner = column(Agreement, "partner", lookup="name_ar")
    sector = column(Agreement, "partner__sector")
    status = column(Agreement, "status")
    signed_on = column(Agreement, "signed_on")
    starts_on = column(Agreement, "starts_on")
    starts_on_hijri = Field(column_name=_("starts on (Hijri)"))
    ends_on = column(Agreement, "ends_on")
    ends_on_hijri = Field(column_name=_("ends on (Hijri)"))
    days_left = Field(column_name=_("days left"), widget=widgets.IntegerWidget(coerce_to_string=False))
    progress = Field(column_name=_("progress %"), widget=widgets.IntegerWidget(coerce_to_string=False))
    owner = column(Agreement, "owner", lookup="username")

    class Meta(ExportOnlyResource.Meta):
        model = Agreement
        fields = (
            "reference",
            "title_ar",
            "title_en",
            "partner",
            "sector",
            "status",
            "signed_on",
            "starts_on",
            "starts_on_hijri",
            "ends_on",
            "ends_on_hijri",
            "days_left",
            "progress",
            "owner",
        )

    def dehydrate_starts_on_hijri(self, agreement):
        return _hijri(agreement.starts_on)

    def dehydrate_ends_on_hijri(self, agreement):
        return _hijri(agreement.ends_on)

    def dehydrate_days_left(self, agreement):
        return agreement.days_left

    def dehydrate_progress(self, agreement):
        # Annotated by AgreementAdmin.get_queryset (target and capped progress).
        return percent(getattr(agreement, "progress_counted", None), getattr(agreement, "progress_target", None))


class ClauseResource(ExportOnlyResource):
    agreement = column(Clause, "agreement__reference", label=capfirst(_("agreement")))
    partner = column(Clause, "agreement__partner", lookup="name_ar")
    order = column(Clause, "order")
    kind = column(Clause, "kind")
    responsible_party = column(Clause, "responsible_party")
    text_ar = column(Clause, "text_ar")
    text_en = column(Clause, "text_en")

    class Meta(ExportOnlyResource.Meta):
        model = Clause
        fields = (
            "agreement",
            "partner",
            "order",
            "kind",
            "responsible_party",
            "text_ar",
            "text_en",
        )


class CommitmentResource(ExportOnlyResource):
    agreement = column(Commitment, "clause__agreement__reference", label=capfirst(_("agreement")))
    partner = column(Commitment, "clause__agreement__partner", lookup="name_ar")
    kind = column(Commitment, "clause__kind")
    party = column(Commitment, "party")
    description_ar = column(Commitment, "description_ar")
    target_quantity = column(Commitment, "target_quantity")
    achieved = Field(column_name=_("achieved"), widget=widgets.IntegerWidget(coerce_to_string=False))
    unit = column(Commitment, "unit")
    due_on = column(Commitment, "due_on")
    due_on_hijri = Field(column_name=_("due on (Hijri)"))
    status = column(Commitment, "status")

    class Meta(ExportOnlyResource.Meta):
        model = Commitment
        fields = (
            "agreement",
            "partner",
            "kind",
            "party",
            "description_ar",
            "target_quantity",
            "achieved",
            "unit",
            "due_on",
            "due_on_hijri",
            "status",
        )

    def dehydrate_achieved(self, commitment):
        return getattr(commitment, "achieved", None)

    def dehydrate_due_on_hijri(self, commitment):
        return _hijri(commitment.due_on)


class ProgressUpdateResource(ExportOnlyResource):
    agreement = column(ProgressUpdate, "commitment__clause__agreement__reference", label=capfirst(_("agreement")))
    commitment = column(ProgressUpdate, "commitment__description_ar", label=capfirst(_("commitment")))
    reported_on = column(ProgressUpdate, "reported_on")
    amount = column(ProgressUpdate, "amount")
    status = column(ProgressUpdate, "status")
    reported_by = column(ProgressUpdate, "reported_by", lookup="username")
    note = column(ProgressUpdate, "note")

    class Meta(ExportOnlyResource.Meta):
        model = ProgressUpdate
        fields = (
            "agreement",
            "commitment",
            "reported_on",
            "amount",
            "status",
            "reported_by",
            "note",
        )


class ReminderResource(ExportOnlyResource):
    kind = column(Reminder, "kind")
    agreement = column(Reminder, "agreement__reference", label=capfirst(_("agreement")))
    partner = column(Reminder, "agreement__partner", lookup="name_ar")
    offset_days = column(Reminder, "offset_days")
    due_on = column(Reminder, "due_on")
    recipient_email = column(Reminder, "recipient_email")
    status = column(Reminder, "status")
    sent_at = column(Reminder, "sent_at")
    attempts = column(Reminder, "attempts")

    class Meta(ExportOnlyResource.Meta):
        model = Reminder
        fields = (
            "kind",
            "agreement",
            "partner",
            "offset_days",
            "due_on",
            "recipient_email",
            "status",
            "sent_at",
            "attempts",
        )
