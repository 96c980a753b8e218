"""gunicorn's settings file: read from the working directory (the image's /app) by every
gunicorn command, so compose's web service and `make run` alike.

gunicorn's own lines (starting, workers booting, errors) use the portal's log format: one
JSON object per line in production (LOG_FORMAT), like every request and task line. Requests
are logged by the portal itself (common.logging.RequestLogMiddleware), so no access log here.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")

from django.conf import settings  # (after the environment above)

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": settings.LOGGING["formatters"],
    "filters": settings.LOGGING["filters"],
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": settings.LOG_FORMAT, "filters": ["redact_tokens"]}
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
