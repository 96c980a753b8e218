"""Settings for the Qatif partnership portal.

Every value comes from the environment (see `.env.example`). The defaults run the
embedded demo: SQLite, a filesystem Celery broker and emails written to files, so
`make run` needs no database or broker server. Production sets `DEBUG=false` and
must then provide a real `SECRET_KEY`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _env(name: str) -> str | None:
    """The variable's value, or None when it is absent or empty.

    `NAME=` in an env file (docker-compose passes it as an empty string) means "not set":
    the default applies, for every setting, never an empty value.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    return raw


def env_str(name: str, default: str = "") -> str:
    raw = _env(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _env(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int_list(name: str, default: list[int]) -> list[int]:
    try:
        values = [int(item) for item in env_list(name, [str(d) for d in default])]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be whole numbers separated by commas") from None
    if any(value <= 0 for value in values):
        raise ImproperlyConfigured(f"{name} must be positive numbers of days")
    return values


def env_time(name: str, default: str) -> tuple[int, int]:
    raw = env_str(name, default)
    try:
        hour, minute = (int(part) for part in raw.split(":"))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time like 07:00, not {raw!r}") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ImproperlyConfigured(f"{name} must be a time like 07:00, not {raw!r}")
    return hour, minute


# --- Core -----------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)

_DEMO_SECRET_KEY = "demo-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEMO_SECRET_KEY)
# Earlier SECRET_KEYs, still accepted for sessions and links made before a rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# The audit trail's keys, newest first (agreements/audit_keys.py); empty: derived from SECRET_KEY.
AUDIT_KEYS = env_list("AUDIT_KEYS", [])
if not DEBUG and SECRET_KEY in {"", _DEMO_SECRET_KEY}:
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value when DEBUG is off.")

# Absolute address of the portal, used for links in emails and QR codes. Production has no
# default: a wrong guess would send every signing link to the wrong place.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not DEBUG and not SITE_URL:
    raise ImproperlyConfigured("SITE_URL must be set to the portal's address (e.g. https://portal.example.org).")

# The host people use is SITE_URL's (the demo's: the loopback names). The containers' probes
# ask http://127.0.0.1:8000/readyz of the web process itself; they are answered ahead of the host
# check (qatif_partnerships.health.HealthCheckMiddleware), so no other host needs allowing.
_LOOPBACK = ["127.0.0.1", "localhost"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _LOOPBACK if DEBUG else [urlsplit(SITE_URL).hostname or ""])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Redis: Celery broker and shared cache when set; the demo runs without it.
REDIS_URL = env_str("REDIS_URL")

# Agreement references read `<prefix>-<year>-<number>`, e.g. QC-2026-0001.
AGREEMENT_REFERENCE_PREFIX = env_str("AGREEMENT_REFERENCE_PREFIX", "QC")

# Days a personal signing link stays valid after it is sent.
SIGNING_LINK_DAYS = env_int("SIGNING_LINK_DAYS", 14)
# The one-time code a link signer types before signing (agreements/signing/identity.py):
# minutes it stays valid, tries per code, seconds between codes, codes per link, and how
# long the link is locked after the last wrong try.
SIGNER_CODE_MINUTES = 10
SIGNER_CODE_TRIES = 5
SIGNER_CODE_RESEND_SECONDS = 60
SIGNER_CODE_MAX_SENT = 5
SIGNER_CODE_LOCK_MINUTES = 15
# Days a partner's invitation link to the portal stays valid.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
# Wrong signing-link tokens allowed per IP address in 10 minutes before refusing.
SIGNING_TOKEN_ATTEMPTS = env_int("SIGNING_TOKEN_ATTEMPTS", 20)
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# --- Security -------------------------------------------------------------------------

# Signing links must not leak through the Referer header to other sites.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The health probes answer plain http: the container's health check reaches the web process
# directly, without the proxy and its X-Forwarded-Proto (and without TLS to redirect to).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)

# Content-Security-Policy (django-csp): scripts only from the portal's own static files,
# never inline, on every page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Bootstrap's progress bars and htmx's indicator rules use inline style attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for a username from
# one address, that login is refused for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# Password reset e-mails: at most PASSWORD_RESET_PER_EMAIL per address and PASSWORD_RESET_PER_IP
# requests per client address within PASSWORD_RESET_WINDOW_MINUTES.
PASSWORD_RESET_PER_EMAIL = env_int("PASSWORD_RESET_PER_EMAIL", 3)
PASSWORD_RESET_PER_IP = env_int("PASSWORD_RESET_PER_IP", 10)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The portal's one reading of the client's address (X-Forwarded-For after TRUSTED_PROXY_COUNT
# proxies), the same as the audit trail, the signing-link throttle and the request log use;
# axes alone would see the proxy's address and lock a username out for everyone.
AXES_CLIENT_IP_CALLABLE = "common.http.client_ip"
# Masked in the failed-attempt records axes keeps (the two-factor code step posts "code").
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Failures count per account, however its username or e-mail was typed.
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, finding the account by its username or e-mail in any case.
    "accounts.backends.UsernameOrEmailBackend",
]

# Two-factor authentication (django-otp) for charity staff and admins: an authenticator
# app's 6-digit codes (TOTP) plus single-use backup codes. Wrong codes at login count
# toward the django-axes lockout above, on top of django-otp's own growing delays.
# The name of the portal's entry in the authenticator app.
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "Qatif Charity")
# When true, superusers without two-factor must set it up before they can use Django admin.
OTP_REQUIRED_FOR_ADMINS = env_bool("OTP_REQUIRED_FOR_ADMINS", False)
# Device secrets and backup codes are never shown in Django admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Reminders ---
# Default days before an agreement's end date when renewal reminders go out.
REMINDER_OFFSETS = sorted(set(env_int_list("REMINDER_OFFSETS", [90, 60, 30, 7])), reverse=True)
# Days after sending when an unsigned signatory is reminded.
SIGNING_REMINDER_DAYS = env_int_list("SIGNING_REMINDER_DAYS", [3, 7])
# Progress reports are still accepted this many days after an agreement's end date
# (the final report), marked as late.
FINAL_REPORT_GRACE_DAYS = env_int("FINAL_REPORT_GRACE_DAYS", 30)
# A period report (agreements.models.periods) is due this many days after its period ends;
# the partner is reminded PERIOD_REPORT_DUE_SOON_DAYS before that, and once the day after.
PERIOD_REPORT_GRACE_DAYS = env_int("PERIOD_REPORT_GRACE_DAYS", 14)
PERIOD_REPORT_DUE_SOON_DAYS = env_int("PERIOD_REPORT_DUE_SOON_DAYS", 7)
# Commitments due within this many days are reminded.
COMMITMENT_DUE_WITHIN_DAYS = env_int("COMMITMENT_DUE_WITHIN_DAYS", 14)
# Time of the daily sweep, in TIME_ZONE (HH:MM).
REMINDER_SWEEP_AT = env_time("REMINDER_SWEEP_AT", "07:00")
# Testing and demos only: run the sweep every N seconds instead of daily (0 = daily).
REMINDER_SWEEP_INTERVAL = env_int("REMINDER_SWEEP_INTERVAL", 0)
# Testing and demos only, never in production (common/clock.py): the date every process
# takes as today (YYYY-MM-DD), or a file holding it that `manage.py portal_clock` moves.
PORTAL_TODAY = env_str("PORTAL_TODAY", "")
PORTAL_TODAY_FILE = env_str("PORTAL_TODAY_FILE", "")

# Runtime files of the embedded demo (SQLite database, media, mail, broker queue).
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    # Django admin with the portal's site: the portal's login (with its two-factor step) and
    # a second-factor check on every admin page (accounts/admin_site.py).
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "import_export",
    # Floors, top to bottom (the layers contract in .importlinter keeps them): the portal's
    # pages and reports; reminders; agreements; partners; accounts; the outbox and the
    # spreadsheet plumbing; `common` (text, dates, mail, template filters) at the bottom.
    "demo",
    "portal",
    "reports",
    "reminders",
    "agreements",
    "partners",
    "accounts",
    "outbox",
    "spreadsheets",
    "common",
]

MIDDLEWARE = [
    # First: container probes over plain http to 127.0.0.1 (qatif_partnerships.health).
    "qatif_partnerships.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.ArabicFirstLocaleMiddleware",
    "common.middleware.RejectNulInPathMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Logged-in pages and downloads: Cache-Control private, no-store.
    "common.middleware.PrivatePagesMiddleware",
    # Sets request.user.otp_device / is_verified() from the session.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "common.logging.RequestLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qatif_partnerships.urls"
WSGI_APPLICATION = "qatif_partnerships.wsgi.application"

# What every e-mail's templates get besides their own context (see common/mail.py).
MAIL_CONTEXT_PROCESSORS = ["partners.context_processors.mail"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partners.context_processors.charity",
                "reminders.context_processors.notifications",
                "agreements.context_processors.signing",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs web, worker and beat against one SQLite file: WAL lets readers
    # proceed during a write, IMMEDIATE avoids lock upgrades failing mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------

# Shared through Redis when it is configured, so every process sees the same values.
# The cache only speeds pages up and counts wrong signing-link attempts: while Redis is down,
# pages are served without it (misses, logged) instead of failing.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions are read from the cache and written through to the database, so a page view costs
# no session query and a cache outage loses no login.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


# --- Accounts -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "common.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Riyadh")
USE_TZ = True

# --- Static and media -----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm at set-up time; only their built files are exposed.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/signature_pad", NODE_MODULES / "signature_pad" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/fonts/amiri", NODE_MODULES / "@fontsource" / "amiri"),
    ("vendor/fonts/ibm-plex-sans-arabic", NODE_MODULES / "@fontsource" / "ibm-plex-sans-arabic"),
]
# Media (PDFs, signatures, evidence, attachments) in an S3-compatible store when
# AWS_STORAGE_BUCKET_NAME is set, so web and workers on different machines share files;
# the local folder MEDIA_ROOT otherwise.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
_default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID"),
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
            # Private objects: files are only ever served through permission-checked views.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Media holds agreements, signatures and evidence: never served by a public URL,
# only through views that check who may see the file.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
# Largest attachment or evidence file accepted, in bytes.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# The agreement (and amendment) editor's limits, and so the fields its largest page posts: a
# clause row is at most 14 fields (its own, its commitments' management form), a commitment row
# at most 11; the header and the rest stay under 500. Django's default of 1 000 refused the
# editor's own pages from 28 clauses of 3 commitments on. The limits are what one page can show
# and save in seconds (each commitment row is six form widgets): 30 × 15 is 450 commitments.
AGREEMENT_MAX_CLAUSES = 30
CLAUSE_MAX_COMMITMENTS = 15
DATA_UPLOAD_MAX_NUMBER_FIELDS = AGREEMENT_MAX_CLAUSES * (14 + CLAUSE_MAX_COMMITMENTS * 11) + 500

# --- Email ----------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
# Without DEBUG, mail that never leaves the machine is a mistake unless asked for by name
# (a trial, or tests that read the files).
ALLOW_FILE_EMAIL = env_bool("ALLOW_FILE_EMAIL", False)
_LOCAL_EMAIL_BACKENDS = {
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("filebased", "console", "locmem", "dummy")
}
if not DEBUG and EMAIL_BACKEND in _LOCAL_EMAIL_BACKENDS and not ALLOW_FILE_EMAIL:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND {EMAIL_BACKEND} does not send mail; use SMTP or set ALLOW_FILE_EMAIL=true."
    )
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds to wait for the mail server. The signer's code is sent while they wait at the page.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@qatif-charity.example")

# --- Celery ---------------------------------------------------------------------------

# The demo's embedded filesystem broker only works with every process on one machine:
# without DEBUG the broker is Redis (CELERY_BROKER_URL, else REDIS_URL) or nothing starts.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or ("filesystem://localhost/" if DEBUG else ""))
if not DEBUG and not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        # The scheme only: the URL may hold a password.
        "CELERY_BROKER_URL or REDIS_URL must be a redis:// URL when DEBUG is off, "
        f"not {(urlsplit(CELERY_BROKER_URL).scheme + '://') if CELERY_BROKER_URL else 'empty'}."
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded broker for the demo: messages are files in one shared folder.
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
elif CELERY_BROKER_URL.startswith("redis"):
    # A task whose worker died unacknowledged goes back to the queue after this many seconds;
    # keep it above the longest task (CELERY_TASK_TIME_LIMIT) so nothing runs twice.
    _visibility = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Connecting to publish is tried once: a page must not wait on a dead broker (kombu
        # would retry for seconds per message). What is not published stays in the outbox
        # and the drain publishes it later; the worker's own reconnecting is not affected.
        "max_retries": 0,
        "visibility_timeout": _visibility,
        "unacked_restore_interval": max(1, min(10, _visibility // 2)),
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": max(5, min(300, _visibility)),
    }
CELERY_RESULT_BACKEND = (
    env_str(
        "CELERY_RESULT_BACKEND",
        CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
    )
    or None
)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The outbox (see outbox/models.py): how often beat publishes what is waiting, and after how
# long a published message that no worker started counts as lost by the broker.
OUTBOX_DRAIN_INTERVAL = env_int("OUTBOX_DRAIN_INTERVAL", 30)
OUTBOX_REDELIVER_AFTER = env_int("OUTBOX_REDELIVER_AFTER", 300)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "daily-reminder-sweep": {
        "task": "reminders.sweep",
        "schedule": REMINDER_SWEEP_INTERVAL or crontab(hour=REMINDER_SWEEP_AT[0], minute=REMINDER_SWEEP_AT[1]),
    },
    # Queued work the broker never received (it was down) or lost: published again.
    "outbox-drain": {"task": "outbox.drain", "schedule": OUTBOX_DRAIN_INTERVAL},
    "daily-export-purge": {"task": "spreadsheets.purge_exports", "schedule": crontab(hour=3, minute=30)},
}

# --- Reports and exports (Django admin) ---
# A changelist export of more rows than this runs in a Celery task; the user
# downloads the file from the export's page when it is ready.
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 2000)
# Days a finished export file is kept before the daily sweep deletes it.
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)
# Imports and exports need the model's add/change/view permission, like the admin pages.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Each import runs in one transaction: a file with an error imports nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Spreadsheet imports in admin: refused past this many rows, or bytes once unpacked (an XLSX
# is a zip: a small upload can unpack to far more), before any parsing.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)

# --- Signed PDF -----------------------------------------------------------------------

# The Amiri font files (Debian `fonts-hosny-amiri`) embedded in agreement PDFs.
PDF_FONT_DIR = Path(env_str("PDF_FONT_DIR", "/usr/share/fonts/opentype/fonts-hosny-amiri"))
# The charity's seal: a PKCS#12 file (certificate + private key) and its password.
# `python manage.py create_seal_certificate` writes a self-signed one for development.
SEAL_PKCS12_PATH = Path(env_str("SEAL_PKCS12_PATH", str(VAR_DIR / "seal" / "dev-seal.p12")))
SEAL_PKCS12_PASSWORD = env_str("SEAL_PKCS12_PASSWORD")
# An RFC 3161 time-stamping authority: every seal carries its timestamp and the chain's
# validation data (PAdES B-LT). Empty (the demo): the seal is B-B, and says so.
SEAL_TSA_URL = env_str("SEAL_TSA_URL")
SEAL_TSA_TIMEOUT = env_int("SEAL_TSA_TIMEOUT", 10)
# A document timestamp over the sealed file as well (PAdES B-LTA); needs SEAL_TSA_URL.
SEAL_LTA = env_bool("SEAL_LTA", False)
if SEAL_LTA and not SEAL_TSA_URL:
    raise ImproperlyConfigured("SEAL_LTA=true needs a time-stamping authority in SEAL_TSA_URL")
# Root certificates (PEM or DER files, comma-separated) trusted for the seal's chain and the
# time-stamping authority. Empty: only the seal certificate itself (the demo's self-signed one).
SEAL_TRUST_ROOTS = [Path(path.strip()) for path in env_str("SEAL_TRUST_ROOTS").split(",") if path.strip()]

# --- Forms ----------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging --------------------------------------------------------------------------

# "json": one JSON object per line (production, log collectors); "plain": readable text.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "common.logging.PortalJsonFormatter"},
    },
    "filters": {"redact_tokens": {"()": "common.logging.RedactSigningTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_tokens"]},
        # runserver's request lines carry the URL, so the signing token too.
        "django.server": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default handlers for these loggers, which would bypass the filter.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # In development runserver already prints a line per request.
        "portal.request": {"handlers": ["console"], "level": "WARNING" if DEBUG else "INFO", "propagate": False},
        # One object per task run comes from portal.task (qatif_partnerships/celery.py); Celery's
        # own "received" and "succeeded" lines would repeat it. Failures still show here.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO; its warnings and errors still show.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
