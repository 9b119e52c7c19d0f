"""Settings of the portal, read from the environment.

Every value has a safe production default: DEBUG is off, cookies are secure
and HSTS is on unless the environment says otherwise. `make run` and
`make test` set the few variables that development needs.
"""

import os
import re
from email.headerregistry import Address
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envaddresses(name: str) -> list[str]:
    """Comma-separated email addresses, each bare or as `Name <address>`."""
    value = os.environ.get(name, "")
    addresses = getaddresses([value]) if value.strip() else []
    try:
        for _name, address in addresses:
            validate_email(address)
    except ValidationError:
        raise ImproperlyConfigured(
            f"{name} must be comma-separated email addresses (a@b.example or "
            f"Name <a@b.example>), not {value!r}"
        ) from None
    # Accented names stay readable here; Django encodes them in the message headers.
    return [str(Address(display_name=name, addr_spec=address)) for name, address in addresses]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# What the emails and pages call the site (allauth's emails included: `portal.accounts`).
SITE_NAME = os.environ.get("SITE_NAME", "Health Data Hub")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "catalog",
    "projects",
]

MIDDLEWARE = [
    "portal.errors.request_id_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.AdminInTheBrowsersLanguage",
    "portal.middleware.RejectNulBytes",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.mfa.StaffMFAMiddleware",
    "portal.replica.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# make run uses an embedded SQLite file; tests and production use PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A read replica, when there is one: the public read-only pages read from it, every
# write and everything after it in a request go to the primary (`portal.replica`).
# In tests the replica is the test database itself (a TEST mirror of the primary).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=envint("CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["portal.replica.PrimaryReplicaRouter"]
# Mutation testing starts a test database per mutant: copying a migrated template
# (`make mutation` prepares it) takes a second where migrating takes ten.
if os.environ.get("TEST_DATABASE_TEMPLATE"):
    DATABASES["default"]["TEST"] = {"TEMPLATE": os.environ["TEST_DATABASE_TEMPLATE"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my:projects"
LOGOUT_REDIRECT_URL = "home"

# Accounts (django-allauth): sign in with an email address, confirmed before the
# first sign-in. Sign-up, sign-in and password reset answer the same whether or not
# an address has an account (allauth needs mandatory verification for that at
# sign-up: a known address gets "someone tried to sign up with your address"
# instead of a second account, and both visitors see "check your inbox").
# The confirmation link signs the person in, so they go on where they were.
ACCOUNT_ADAPTER = "portal.accounts.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Health Data Hub] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Counted in the shared cache (Redis), so every worker sees the same counts.
# "key" is the address typed, "ip" the client address (see ALLAUTH_TRUSTED_PROXY_COUNT).
ACCOUNT_RATE_LIMITS = {
    # 5 failed passwords for one account in 15 minutes lock it for the rest of the
    # 15 minutes, right password included; 10 failures a minute from one address.
    "login_failed": "10/m/ip,5/15m/key",
    "login": "30/m/ip",
    "signup": "20/h/ip",
    # Each request emails the address typed: few per address, to keep it from flooding.
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
# Behind N reverse proxies that each append to X-Forwarded-For, allauth takes the
# client address N places from the end; 0 (the default) ignores the header, which
# a client can forge, and uses the connection's address.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("ALLAUTH_TRUSTED_PROXY_COUNT", 0)

# Shared cache: rate limits, cached pages and counts. Redis, shared by every worker
# (a per-process memory cache would let each worker count failed sign-ins on its
# own). Local memory only for `make run` (DEBUG on, no REDIS_URL).
REDIS_URL = os.environ.get("REDIS_URL", "" if DEBUG else "redis://127.0.0.1:6379/0")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Personal data: the data protection officer named on the notice.
DPO_EMAIL = os.environ.get("DPO_EMAIL", "dpo@health-data-hub.example")

# The legal notice (`/legal/`, LCEN art. 6) and the accessibility statement
# (`/accessibility/`, RGAA): who publishes the portal, who hosts it, whom to write to.
LEGAL_PUBLISHER = os.environ.get(
    "LEGAL_PUBLISHER",
    "Health Data Hub (Plateforme des données de santé), groupement d'intérêt public, "
    "9 rue Georges Pitard, 75015 Paris",
)
LEGAL_DIRECTOR = os.environ.get(
    "LEGAL_DIRECTOR", "la direction de la Plateforme des données de santé"
)
LEGAL_HOST = os.environ.get(
    "LEGAL_HOST", "la Plateforme des données de santé, sur ses serveurs en France"
)
ACCESSIBILITY_EMAIL = os.environ.get("ACCESSIBILITY_EMAIL", "accessibilite@health-data-hub.example")

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) or a passkey /
# security key (WebAuthn), with recovery codes. Any account may turn it on; staff
# must (STAFF_MFA_REQUIRED): without an authenticator they cannot open the admin.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# Sign in with a passkey alone: it proves possession and, through the device's
# user verification (PIN or biometrics), the person; no password to phish.
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Health Data Hub"
# One 30-second step either way, for phones whose clock drifts; a code is still
# accepted only once (allauth remembers used codes in the cache).
MFA_TOTP_TOLERANCE = 1
# fido2 accepts https origins and http://localhost, which covers production and
# `make run` opened at http://localhost:8000 (an IP address such as 127.0.0.1 cannot
# be a WebAuthn relying party). Turning this on would skip the origin check entirely.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
STAFF_MFA_REQUIRED = envbool("STAFF_MFA_REQUIRED", not DEBUG)

# Attachments: 20 MB each; larger requests are streamed to disk, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Internationalisation: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English in British formats (25/10/2006, 25 Oct 2006): `portal/formats/en/`.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments go through Django's storage API only (never a local path), so that every
# web server and worker can share them: on local disk under MEDIA_ROOT by default, in
# an S3-compatible object store when AWS_STORAGE_BUCKET_NAME is set (the `s3` extra:
# pip install '.[s3]'). Its credentials come from the usual AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY variables (or the host's role), read by boto3 itself.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Another provider's S3 API (https://s3.example.net), or AWS's when empty.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Private objects, never overwritten; the portal serves them itself, after
            # checking who asks, so no link to the store is ever given out.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "private-media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email through Django 6.1's MAILERS: SMTP in production, the console when DEBUG is on.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", False),
                # A mail server that does not answer fails the attempt (retried
                # later) instead of holding a worker forever.
                "timeout": envint("EMAIL_TIMEOUT", 10),
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portail@health-data-hub.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who is emailed each server error (through the task queue): "Name <a@b>, c@d".
ADMINS = envaddresses("ADMINS")
EMAIL_SUBJECT_PREFIX = "[Health Data Hub] "

# Security. HTTPS is assumed in production; set HTTPS=0 only to serve over
# plain HTTP on a developer's machine.
HTTPS = envbool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", HTTPS)
if envbool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content Security Policy: only this origin, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Background tasks (notification emails): run at once unless a worker backend is
# configured; production uses the database-backed one and `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Logs on standard error. Request errors (every 500) are one JSON line each, with
# the request id the error page shows; the administrators get an email through the
# task queue (Django's own `mail_admins` handler would send it inside the request).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.errors.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "portal.errors.JsonFormatter"},
        "admin_email": {"format": "%(message)s\n\nRequest id: %(request_id)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
        },
        "mail_admins": {
            "class": "portal.errors.AdminEmailTaskHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_id"],
            "formatter": "admin_email",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Drops the handlers of Django's default "django" logger, whose mail_admins
        # sends at once: its records go to the root console like every other.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"handlers": ["json", "mail_admins"], "propagate": False},
        "django.security": {"handlers": ["json", "mail_admins"], "propagate": False},
        # Scanners send wrong Host headers all day: logged, not emailed.
        "django.security.DisallowedHost": {"handlers": ["json"], "propagate": False},
        "django.tasks": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF at INFO; its warnings (a refused URL,
        # an unsupported CSS rule) still show.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# The open data API under /api/v1/ (projects/api/): read-only, anonymous, JSON only.
# Its rate limit counts per client address in the cache, which Redis shares between
# every worker and server (API_RATE_LIMIT: "120/minute", or per second, hour, day).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/minute")
if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT must be a number of requests per second, minute, hour or day "
        f"(120/minute), not {API_RATE_LIMIT!r}"
    )
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["projects.api.throttling.PerAddressThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # The proxies of the sign-in limits: 0 takes REMOTE_ADDR, never X-Forwarded-For.
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Health Data Hub open data API",
    "DESCRIPTION": _(
        "The public directory of projects with their results, the catalog of bases, the "
        "statistics and the open library of health algorithms, read-only. Public fields only."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": False,
}

# EHDS regulation (EU) 2025/327, Art. 61(4): a project's results are due this many
# months after its completion (`projects.results`).
RESULTS_DUE_MONTHS = envint("RESULTS_DUE_MONTHS", 18)
