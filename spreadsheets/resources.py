"""django-import-export plumbing: columns named by the models' verbose names.

Headers follow the active language (Arabic by default), so a file exported from the
Arabic admin opens in Excel with Arabic headers. Choices are written as their labels,
dates as real dates (XLSX) or ISO dates (CSV). An import accepts a column under its
Arabic or English header or its field name, so a file exported in either language
can be filled in and imported back.

Each app declares its own columns in its `resources.py` with `column()` and these bases.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from import_export import resources, widgets
from import_export.fields import Field

from common import dates


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
        accepted = pgettext("list of alternatives", ", ").join(str(label) for key, label in self.choices if key != "")
        raise ValueError(
            _("“%(value)s” is not one of the choices. Accepted values: %(choices)s.")
            % {"value": text, "choices": accepted}
        )


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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """As import-export's, but each error is named by its column's header, not its field name.

        The import preview lists a row's errors under these names: «القطاع», not "sector".
        """
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            headers = {field.attribute: str(field.column_name) for field in self.fields.values() if field.attribute}
            for name, column in list(headers.items()):
                headers.setdefault(name.split("__")[0], column)
            raise ValidationError(
                {headers.get(name, name): errors for name, errors in error.error_dict.items()}
            ) from error


def hijri_text(value) -> str:
    """A date's Hijri form for a spreadsheet cell; empty for no date."""
    return dates.hijri(value) if value else ""


class ExportOnlyResource(PortalResource):
    """Agreements and their content are written only through the portal (locked after draft)."""

    class Meta(PortalResource.Meta):
        abstract = True

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("export only")
