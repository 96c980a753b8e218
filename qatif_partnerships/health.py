"""Liveness and readiness endpoints for load balancers and container health checks."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The process is up and answering; touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Ready to serve: the database answers and the Celery broker accepts connections."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # any failure means "not ready", reported, never raised
        checks["database"] = f"error: {type(error).__name__}"
    try:
        from qatif_partnerships.celery import app

        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as error:
        checks["broker"] = f"error: {type(error).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


class HealthCheckMiddleware:
    """Answer `/healthz` and `/readyz` before anything else looks at the request.

    Container probes call `http://127.0.0.1:8000/readyz` from inside the container: that
    address is not in ALLOWED_HOSTS and it is plain http. Answered here, ahead of
    SecurityMiddleware and host validation, the probes pass with the production settings
    unchanged (https redirect, strict hosts); nothing else is reachable this way.
    """

    PATHS = {"/healthz": healthz, "/healthz/": healthz, "/readyz": readyz, "/readyz/": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.PATHS.get(request.path_info) if request.method in ("GET", "HEAD") else None
        if view is not None:
            return view(request)
        return self.get_response(request)
