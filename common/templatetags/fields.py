"""A form field laid out as crispy-forms' Bootstrap 5 pack lays it out, made in Python.

The agreement editor shows up to hundreds of commitment rows; crispy renders each field
through a dozen templates (about 8 ms a row of six fields here), this tag through the
widget's own template only. Same markup: label, widget with Bootstrap's class, errors, help.
"""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _widget_class(widget: forms.Widget) -> str:
    """The classes crispy's pack gives a widget: its kind, then Bootstrap's."""
    if isinstance(widget, forms.CheckboxInput):
        return "checkboxinput form-check-input"
    if isinstance(widget, forms.Select):
        return "select form-select"
    return f"{type(widget).__name__.lower()} form-control"


@register.simple_tag
def field_block(field) -> str:
    widget = field.field.widget
    classes = " ".join(c for c in (widget.attrs.get("class", ""), _widget_class(widget)) if c)
    if field.errors:
        classes += " is-invalid"
    control = field.as_widget(attrs={"class": classes})
    if widget.is_hidden:
        return control
    required = field.field.required
    label = format_html(
        '<label for="{}" class="form-label{}">{}{}</label>',
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )
    errors = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, field.auto_id, error) for number, error in enumerate(field.errors, start=1)),
            ),
        )
        if field.errors
        else ""
    )
    help_text = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    return format_html('<div id="div_{}" class="mb-3">{}{}{}{}</div>', field.auto_id, label, control, errors, help_text)
