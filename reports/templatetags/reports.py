from django import template

register = template.Library()


@register.simple_tag
def reports_menu() -> list:
    """The reports, for the link list on the admin index."""
    from reports.definitions import REPORTS

    return list(REPORTS.values())
