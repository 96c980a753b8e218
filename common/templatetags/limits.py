"""What one request can carry, for forms that check it before sending (the agreement editor)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def upload_limits() -> dict[str, int]:
    return {"fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, "bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
