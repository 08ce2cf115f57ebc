"""Everything lives here; dev, test and prod override only what differs.

With nothing set, Pilotage runs on SQLite with Celery tasks executed in-process (zero set-up).
DATABASE_URL switches to PostgreSQL; REDIS_URL makes Redis the Celery broker and the cache.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env_str("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "accounts",
    "integrations",
    "imports",
    "kpis",
    "budgets",
    "objectives",
    "alerts",
    "reports",
    "anymail",
    "portfolio",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserSessionActivityMiddleware",  # allauth's, throttled
    "accounts.middleware.OrganizationMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    # Last, so that a lockout short-circuits after authentication ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.tenancy",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Zero set-up mode: WAL lets pages read while a background sync writes; IMMEDIATE transactions
    # queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail is the login; TOTP and recovery codes for MFA.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"  # also asks the person's name
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# login_failed's "key" is the (login, IP) pair (accounts.adapters), like axes: 5 failures / 15 min. No
# per-IP-only limit: behind one NAT or proxy it would lock everybody out (ASVS 6.3.1, no malicious lockout).
ACCOUNT_RATE_LIMITS = {"login_failed": "5/15m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_PERIOD = 30
MFA_TOTP_ISSUER = "Pilotage"
USERSESSIONS_TRACK_ACTIVITY = True
# A session's "last seen" row is rewritten at most once a minute (at once when its IP or browser changes).
USERSESSIONS_ACTIVITY_INTERVAL = 60

# django-axes: lock the (username, IP) pair, never the username alone (no malicious lockout).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours = 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.security.login_username"  # allauth passes `email=`, not the form field
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Reverse proxies in front of the app that append to X-Forwarded-For (0: the socket's address is the
# client's). Lockouts and the audit log read the client address through accounts.security.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sessions: absolute 12 h lifetime, 30 min idle (accounts.middleware.SessionIdleTimeoutMiddleware).
SESSION_COOKIE_AGE = 12 * 3600
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Read from the cache, written to the database first (accounts/sessions.py): a page's session costs no query
# while Redis answers, one when it does not. A cached copy lives at most SESSION_CACHE_SECONDS, which bounds
# how long a logout that could not reach Redis could be undone by Redis coming back.
SESSION_ENGINE = "accounts.sessions"
SESSION_CACHE_SECONDS = 5 * 60

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]  # English dates day-first (config/formats/en/formats.py)
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))  # logos and report PDFs (Django storage)
MEDIA_URL = "/media/"  # never served as is: PDFs and logos go through capability-guarded views

# E-mail (README "E-mail"): the console locally; `django.core.mail.backends.filebased.EmailBackend` with
# EMAIL_FILE_PATH to keep each message as a file; SMTP (`django.core.mail.backends.smtp.EmailBackend`
# with EMAIL_HOST…) or an Anymail provider (`anymail.backends.<provider>.EmailBackend` with ANYMAIL_API_KEY)
# in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pilotage <no-reply@pilotage.localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)  # seconds: a stuck SMTP server fails one report, not the run
if EMAIL_BACKEND.startswith("anymail.backends."):
    # e.g. anymail.backends.postmark.EmailBackend → ANYMAIL = {"POSTMARK_SERVER_TOKEN"…}: Anymail reads
    # "<PROVIDER>_API_KEY" for most providers; ANYMAIL_SENDER_DOMAIN for those that need one (Mailgun).
    _esp = EMAIL_BACKEND.split(".")[2].upper()
    ANYMAIL = {f"{_esp}_API_KEY": env_str("ANYMAIL_API_KEY"), f"{_esp}_SERVER_TOKEN": env_str("ANYMAIL_API_KEY")}
    if env_str("ANYMAIL_SENDER_DOMAIN", ""):
        ANYMAIL[f"{_esp}_SENDER_DOMAIN"] = env_str("ANYMAIL_SENDER_DOMAIN")

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis cache that degrades to no cache while Redis is down (config/cache.py): pages keep answering.
    CACHES = {"default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: without Redis, tasks run in-process so the product works with zero set-up.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Survives Redis dying while a task runs (config/celery_consumer.py explains the Celery 5.7 crash it avoids).
CELERY_WORKER_CONSUMER = "config.celery_consumer:Consumer"
# A running sync is not killed when the broker drops: it waits for Redis and finishes (every service is
# idempotent, and a redelivered copy finds the run finished), instead of leaving the run to the stale sweep.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SOFT_TIME_LIMIT = 15 * 60
CELERY_TASK_TIME_LIMIT = 20 * 60
# Longer than the hard time limit and than any countdown, or Redis redelivers a running task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "integrations.tasks.*": {"queue": "sync"},
    "kpis.tasks.*": {"queue": "kpis"},
    "reports.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    # Machines send `Authorization: Api-Key <key>` (checked by the tenancy middleware); people use the session.
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.api_auth.ApiKeyAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api_auth.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env_str("API_KEY_THROTTLE_RATE", "600/min")},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Hostile input (config/limits.py): page sizes capped, JSON bodies bounded in depth.
    "DEFAULT_PAGINATION_CLASS": "accounts.api_input.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "accounts.api_input.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pilotage API",
    "DESCRIPTION": "Tenant-scoped API: every route lives under /api/v1/orgs/{org_slug}/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for logged-in users, in production as everywhere (README, Security).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "accounts.api_input.schema_error_responses"],
}

# django-csp 4: no inline scripts or styles anywhere; charts read JSON blocks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Integration secrets: comma-separated Fernet keys, newest first (MultiFernet rotation).
FIELD_ENCRYPTION_KEYS = env_str(
    "FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHkta2V5LWNoYW5nZS1tZS0wMDAwMDAwMDA="
).split(",")

# Whether an organization's Admins and consultants must enrol in MFA before reaching data.
MFA_REQUIRED_FOR_PRIVILEGED = env_bool("MFA_REQUIRED_FOR_PRIVILEGED", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"},
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
DEMO_SEED = env_int("DEMO_SEED", 42)
SPECTACULAR_SETTINGS.update({
    # Swagger UI is served from the sidecar package: no CDN, and the split view keeps CSP strict.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set shared by several serializers (check --deploy fails on collisions).
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.capabilities.Role",
        "ObjectiveStatusEnum": "objectives.models.Objective.Status",
    },
})
INSTALLED_APPS.append("drf_spectacular_sidecar")
# Outside production, whitenoise serves straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- imports settings (imports/): QUALITY.md's import contract and hostile-file bars ---
IMPORTS_MAX_BYTES = env_int("IMPORTS_MAX_BYTES", 10_000_000)
IMPORTS_MAX_ROWS = env_int("IMPORTS_MAX_ROWS", 100_000)
IMPORTS_MAX_COLUMNS = 50
IMPORTS_MAX_CELL_CHARS = 1_000
IMPORTS_XLSX_MAX_ENTRIES = 1_000  # checked on the zip before openpyxl opens anything
IMPORTS_XLSX_MAX_UNCOMPRESSED = 100_000_000
IMPORTS_XLSX_MAX_RATIO = 100
IMPORTS_YEAR_RANGE = (1990, 2100)  # dates outside are typing errors, not history
IMPORTS_MAX_REPORTED_ERRORS = 500  # listed on the page; the rejected-rows download has them all
IMPORTS_PREVIEW_ROWS = 10
IMPORTS_WRITE_PROGRESS_TTL = 3_600  # seconds the published write progress outlives a worker that died
IMPORTS_WRITE_CHUNK = 5_000  # rows upserted per statement batch; the page's progress moves once per chunk
API_PUSH_MAX_BATCH = env_int("API_PUSH_MAX_BATCH", 1_000)  # records per POST records/<type>/

# --- integrations settings (integrations/) ---
# No internet here: outside production settings, provider URLs point at the fakes served in-process
# (integrations/fakes/) unless INTEGRATIONS_USE_FAKES=false; each *_BASE_URL can also be set directly.
INTEGRATIONS_USE_FAKES = env_bool(
    "INTEGRATIONS_USE_FAKES", not env_str("DJANGO_SETTINGS_MODULE", "").endswith(".prod"))
INTEGRATIONS_IN_PROCESS_FAKES = (
    {"pennylane.fake": "integrations.fakes.pennylane.in_process_transport",
     "hubspot.fake": "integrations.fakes.hubspot.in_process_transport",
     "quickbooks.fake": "integrations.fakes.quickbooks.in_process_transport",
     "sage.fake": "integrations.fakes.sage.in_process_transport",
     "xero.fake": "integrations.fakes.xero.in_process_transport"}
    if INTEGRATIONS_USE_FAKES else {}
)
PENNYLANE_ENABLED = env_bool("PENNYLANE_ENABLED", True)
PENNYLANE_API_BASE_URL = env_str(
    "PENNYLANE_API_BASE_URL",
    "http://pennylane.fake/api/external/v2" if INTEGRATIONS_USE_FAKES else "https://app.pennylane.com/api/external/v2",
)
PENNYLANE_FIRM_API_BASE_URL = env_str(
    "PENNYLANE_FIRM_API_BASE_URL",
    "http://pennylane.fake/api/external/firm/v1" if INTEGRATIONS_USE_FAKES
    else "https://app.pennylane.com/api/external/firm/v1",
)
PENNYLANE_RATE_LIMIT = (env_int("PENNYLANE_RATE_LIMIT_REQUESTS", 25), env_int("PENNYLANE_RATE_LIMIT_SECONDS", 5))
PENNYLANE_FIRM_RATE_LIMIT = (env_int("PENNYLANE_FIRM_RATE_LIMIT_REQUESTS", 4), 1)
PENNYLANE_PAGE_LIMIT = env_int("PENNYLANE_PAGE_LIMIT", 100)  # lists accept 1..100
PENNYLANE_CHANGELOG_LIMIT = env_int("PENNYLANE_CHANGELOG_LIMIT", 1000)  # changelogs accept 1..1000
PENNYLANE_FULL_RECONCILIATION_DAYS = env_int("PENNYLANE_FULL_RECONCILIATION_DAYS", 7)
INTEGRATIONS_REDIS_URL = env_str("INTEGRATIONS_REDIS_URL", REDIS_URL)  # rate budgets and sync locks
INTEGRATIONS_HTTP_TIMEOUT = env_int("INTEGRATIONS_HTTP_TIMEOUT", 30)
INTEGRATIONS_HTTP_CONNECT_TIMEOUT = 5
INTEGRATIONS_HTTP_MAX_RETRIES = 5  # 5xx and network errors, full-jitter exponential back-off
INTEGRATIONS_HTTP_MAX_RATE_LIMIT_RETRIES = 10
INTEGRATIONS_HTTP_MAX_RATE_LIMIT_WAIT = env_int("INTEGRATIONS_HTTP_MAX_RATE_LIMIT_WAIT", 300)  # longer: re-queue
INTEGRATIONS_BACKOFF_BASE = 0.5  # seconds
INTEGRATIONS_BACKOFF_MAX = 60.0
# A sync whose rate budget cannot reach Redis waits this long for it to come back, then is retried later.
INTEGRATIONS_REDIS_WAIT_SECONDS = env_int("INTEGRATIONS_REDIS_WAIT_SECONDS", 120)
INTEGRATIONS_SYNC_LOCK_TTL = env_int("INTEGRATIONS_SYNC_LOCK_TTL", 120)  # seconds; renewed after every page
INTEGRATIONS_STALE_RUN_SECONDS = env_int("INTEGRATIONS_STALE_RUN_SECONDS", 15 * 60)  # silent live run → re-sent
# Without a broker, INTEGRATIONS_SYNC_IN_THREAD=true runs a queued sync in a background thread of the
# web process, so its progress can be watched (on PostgreSQL; SQLite's single writer makes pages wait).
INTEGRATIONS_SYNC_IN_THREAD = env_bool("INTEGRATIONS_SYNC_IN_THREAD", False)
INTEGRATIONS_SYNC_MAX_ATTEMPTS = 3  # then the run is dead and the connection needs attention
# A sync reads up to this many pages ahead of the one it writes (integrations/prefetch.py); off: page by page.
INTEGRATIONS_SYNC_PREFETCH = env_bool("INTEGRATIONS_SYNC_PREFETCH", True)
INTEGRATIONS_SYNC_PAGES_AHEAD = env_int("INTEGRATIONS_SYNC_PAGES_AHEAD", 3)
INTEGRATIONS_DEFAULT_SYNC_INTERVAL = 60  # minutes

# HubSpot CRM v3 (integrations/providers/hubspot.py). Private-app tokens need no client id; OAuth does.
HUBSPOT_ENABLED = env_bool("HUBSPOT_ENABLED", True)
HUBSPOT_API_BASE_URL = env_str(
    "HUBSPOT_API_BASE_URL", "http://hubspot.fake" if INTEGRATIONS_USE_FAKES else "https://api.hubapi.com")
# With the fakes, the consent screen is `manage.py fake_provider hubspot --port 8102` (run it, and point
# HUBSPOT_API_BASE_URL at it too, to try the OAuth flow in a browser).
HUBSPOT_AUTHORIZE_URL = env_str(
    "HUBSPOT_AUTHORIZE_URL",
    "http://127.0.0.1:8102/oauth/authorize" if INTEGRATIONS_USE_FAKES else "https://app.hubspot.com/oauth/authorize")
HUBSPOT_TOKEN_URL = env_str("HUBSPOT_TOKEN_URL", HUBSPOT_API_BASE_URL.rstrip("/") + "/oauth/v1/token")
HUBSPOT_CLIENT_ID = env_str("HUBSPOT_CLIENT_ID", "fake-client-id" if INTEGRATIONS_USE_FAKES else "")
HUBSPOT_CLIENT_SECRET = env_str("HUBSPOT_CLIENT_SECRET", "fake-client-secret" if INTEGRATIONS_USE_FAKES else "")
HUBSPOT_SCOPES = env_str("HUBSPOT_SCOPES", "oauth crm.objects.companies.read crm.objects.contacts.read "
                         "crm.objects.deals.read crm.objects.owners.read")
# QuickBooks Online (Accounting API v3, Intuit OAuth 2.0); see README "QuickBooks Online".
QUICKBOOKS_ENABLED = env_bool("QUICKBOOKS_ENABLED", True)
QUICKBOOKS_API_BASE_URL = env_str(
    "QUICKBOOKS_API_BASE_URL", "http://quickbooks.fake" if INTEGRATIONS_USE_FAKES else "https://quickbooks.api.intuit.com")
QUICKBOOKS_AUTHORIZE_URL = env_str(
    "QUICKBOOKS_AUTHORIZE_URL",
    "http://127.0.0.1:8103/connect/oauth2" if INTEGRATIONS_USE_FAKES else "https://appcenter.intuit.com/connect/oauth2")
QUICKBOOKS_TOKEN_URL = env_str(
    "QUICKBOOKS_TOKEN_URL", "http://quickbooks.fake/oauth2/v1/tokens/bearer" if INTEGRATIONS_USE_FAKES
    else "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer")
QUICKBOOKS_CLIENT_ID = env_str("QUICKBOOKS_CLIENT_ID", "fake-qbo-client-id" if INTEGRATIONS_USE_FAKES else "")
QUICKBOOKS_CLIENT_SECRET = env_str("QUICKBOOKS_CLIENT_SECRET", "fake-qbo-client-secret" if INTEGRATIONS_USE_FAKES else "")
QUICKBOOKS_SCOPES = env_str("QUICKBOOKS_SCOPES", "com.intuit.quickbooks.accounting")
QUICKBOOKS_MINOR_VERSION = env_str("QUICKBOOKS_MINOR_VERSION", "75")
QUICKBOOKS_RATE_LIMIT = (env_int("QUICKBOOKS_RATE_LIMIT_REQUESTS", 500), 60)  # per realm per minute
QUICKBOOKS_PAGE_SIZE = env_int("QUICKBOOKS_PAGE_SIZE", 1000)  # MAXRESULTS accepts 1..1000
QUICKBOOKS_GENERAL_LEDGER_MONTHS = env_int("QUICKBOOKS_GENERAL_LEDGER_MONTHS", 24)  # the report's window, re-read each sync
# Sage Business Cloud Accounting (API v3.1, Sage OAuth 2.0); see README "Sage Business Cloud Accounting".
SAGE_ENABLED = env_bool("SAGE_ENABLED", True)
SAGE_API_BASE_URL = env_str(
    "SAGE_API_BASE_URL", "http://sage.fake/v3.1" if INTEGRATIONS_USE_FAKES else "https://api.accounting.sage.com/v3.1")
SAGE_AUTHORIZE_URL = env_str(
    "SAGE_AUTHORIZE_URL", "http://127.0.0.1:8104/oauth2/auth/central?filter=apiv3.1" if INTEGRATIONS_USE_FAKES
    else "https://www.sageone.com/oauth2/auth/central?filter=apiv3.1")
SAGE_TOKEN_URL = env_str(
    "SAGE_TOKEN_URL", "http://sage.fake/token" if INTEGRATIONS_USE_FAKES else "https://oauth.accounting.sage.com/token")
SAGE_CLIENT_ID = env_str("SAGE_CLIENT_ID", "fake-sage-client-id" if INTEGRATIONS_USE_FAKES else "")
SAGE_CLIENT_SECRET = env_str("SAGE_CLIENT_SECRET", "fake-sage-client-secret" if INTEGRATIONS_USE_FAKES else "")
SAGE_SCOPES = env_str("SAGE_SCOPES", "readonly")
SAGE_RATE_LIMIT = (env_int("SAGE_RATE_LIMIT_REQUESTS", 100), 60)  # per business per minute (verify with Sage)
SAGE_ITEMS_PER_PAGE = env_int("SAGE_ITEMS_PER_PAGE", 200)  # items_per_page accepts 1..200
# Xero (Accounting API 2.0, Xero Identity OAuth 2.0); see README "Xero (Accounting API)".
XERO_ENABLED = env_bool("XERO_ENABLED", True)
XERO_API_BASE_URL = env_str("XERO_API_BASE_URL", "http://xero.fake" if INTEGRATIONS_USE_FAKES else "https://api.xero.com")
XERO_AUTHORIZE_URL = env_str(
    "XERO_AUTHORIZE_URL", "http://127.0.0.1:8105/identity/connect/authorize" if INTEGRATIONS_USE_FAKES
    else "https://login.xero.com/identity/connect/authorize")
XERO_TOKEN_URL = env_str(
    "XERO_TOKEN_URL", "http://xero.fake/connect/token" if INTEGRATIONS_USE_FAKES else "https://identity.xero.com/connect/token")
XERO_CLIENT_ID = env_str("XERO_CLIENT_ID", "fake-xero-client-id" if INTEGRATIONS_USE_FAKES else "")
XERO_CLIENT_SECRET = env_str("XERO_CLIENT_SECRET", "fake-xero-client-secret" if INTEGRATIONS_USE_FAKES else "")
XERO_SCOPES = env_str("XERO_SCOPES", "offline_access accounting.transactions.read accounting.journals.read "
                      "accounting.settings.read accounting.contacts.read")
XERO_RATE_LIMIT = (env_int("XERO_RATE_LIMIT_REQUESTS", 60), 60)  # per tenant per minute
XERO_DAILY_LIMIT = (env_int("XERO_DAILY_LIMIT_REQUESTS", 5000), 86400)  # per tenant per day
XERO_APP_RATE_LIMIT = (env_int("XERO_APP_RATE_LIMIT_REQUESTS", 10_000), 60)  # the app, all tenants, per minute
XERO_PAGE_SIZE = env_int("XERO_PAGE_SIZE", 100)  # page= lists 100 by default; pageSize accepts up to 1000
XERO_JOURNALS_PER_CALL = 100  # /Journals?offset= returns at most 100 journals
# Zoho CRM (API v8, OAuth 2.0 on the account's data centre); see README "Zoho CRM (API v8)".
ZOHO_ENABLED = env_bool("ZOHO_ENABLED", True)
# region → (accounts server, API domain), from Zoho's "Multi DC Support" page; the fakes stand in for them.
ZOHO_DATA_CENTRES = (
    {dc: (f"http://accounts.zoho-{dc}.fake", f"http://zohoapis-{dc}.fake") for dc in ("us", "eu", "in", "au", "jp", "ca", "cn")}
    if INTEGRATIONS_USE_FAKES else {
        "us": ("https://accounts.zoho.com", "https://www.zohoapis.com"),
        "eu": ("https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        "in": ("https://accounts.zoho.in", "https://www.zohoapis.in"),
        "au": ("https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
        "jp": ("https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        "ca": ("https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        "cn": ("https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
    })
if INTEGRATIONS_USE_FAKES:
    INTEGRATIONS_IN_PROCESS_FAKES.update({host.split("//")[1]: "integrations.fakes.zoho.in_process_transport"
                                          for servers in ZOHO_DATA_CENTRES.values() for host in servers})
ZOHO_DEFAULT_REGION = env_str("ZOHO_DEFAULT_REGION", "eu")  # a French company is usually on .eu
ZOHO_CLIENT_ID = env_str("ZOHO_CLIENT_ID", "fake-zoho-client-id" if INTEGRATIONS_USE_FAKES else "")
ZOHO_CLIENT_SECRET = env_str("ZOHO_CLIENT_SECRET", "fake-zoho-client-secret" if INTEGRATIONS_USE_FAKES else "")
ZOHO_NOTIFICATIONS_ENABLED = env_bool("ZOHO_NOTIFICATIONS_ENABLED", False)  # watch channels to $SITE_URL
ZOHO_SCOPES = env_str("ZOHO_SCOPES", "ZohoCRM.modules.READ,ZohoCRM.settings.READ,ZohoCRM.users.READ,ZohoCRM.org.READ"
                      + (",ZohoCRM.notifications.CREATE" if ZOHO_NOTIFICATIONS_ENABLED else ""))  # watch needs it
ZOHO_RATE_LIMIT = (env_int("ZOHO_RATE_LIMIT_REQUESTS", 10), 1)  # pacing per org, under the edition's concurrency
ZOHO_PAGE_SIZE = 200  # per_page accepts 1..200
ZOHO_CREDIT_RESERVE = env_int("ZOHO_CREDIT_RESERVE", 1000)  # leave the org's other integrations this many credits
ZOHO_CREDITS_RETRY_AFTER = 3600  # seconds: spent daily credits are retried hourly
ZOHO_INCREMENTAL_OVERLAP_SECONDS = 60  # If-Modified-Since is to the second: re-read the last minute
ZOHO_QUALIFIED_MIN_PROBABILITY = env_int("ZOHO_QUALIFIED_MIN_PROBABILITY", 30)  # a deal's Probability (%)
HUBSPOT_RATE_LIMIT = (env_int("HUBSPOT_RATE_LIMIT_REQUESTS", 100), 10)  # per account per 10 s (OAuth apps: 110)
HUBSPOT_SEARCH_RATE_LIMIT = (env_int("HUBSPOT_SEARCH_RATE_LIMIT_REQUESTS", 4), 1)  # search: its own ~4/s
HUBSPOT_SEARCH_PAGE_SIZE = 200  # search accepts 1..200
HUBSPOT_SEARCH_RESULT_CAP = env_int("HUBSPOT_SEARCH_RESULT_CAP", 10_000)  # paging past it is a 400: a new query
# starts before it (the served fake's is smaller: DEMO_SEARCH_CAP; match it to page up to it)
# Results read per search query before a new query starts from the last value seen (≤ the cap). 0 = one
# page (keyset paging): a record edited during the sync then cannot shift another out of view.
HUBSPOT_SEARCH_WINDOW = env_int("HUBSPOT_SEARCH_WINDOW", 0)
HUBSPOT_SEARCH_INDEX_LAG_SECONDS = env_int("HUBSPOT_SEARCH_INDEX_LAG_SECONDS", 5)  # search lags writes
HUBSPOT_TOKEN_REFRESH_MARGIN_SECONDS = 300  # refresh an OAuth access token this long before it expires
HUBSPOT_DAILY_LIMIT_RETRY_AFTER = 3600  # seconds: a spent daily budget is retried hourly, not hammered
# A deal counts as qualified from this stage probability on (or list stage ids in HUBSPOT_QUALIFIED_STAGES).
HUBSPOT_QUALIFIED_MIN_PROBABILITY = float(env_str("HUBSPOT_QUALIFIED_MIN_PROBABILITY", "0.3"))
HUBSPOT_QUALIFIED_STAGES = [s for s in env_str("HUBSPOT_QUALIFIED_STAGES", "").split(",") if s]
# Salesforce (REST API, OAuth 2.0 web-server flow); see README "Salesforce (REST API)". Each connection keeps
# its login host (production or sandbox, chosen on the connect page) and the instance URL its tokens name.
SALESFORCE_ENABLED = env_bool("SALESFORCE_ENABLED", True)
SALESFORCE_LOGIN_HOSTS = {  # token endpoint: <host>/services/oauth2/token
    "production": env_str("SALESFORCE_LOGIN_URL", "http://login.salesforce.fake" if INTEGRATIONS_USE_FAKES
                          else "https://login.salesforce.com"),
    "sandbox": env_str("SALESFORCE_SANDBOX_LOGIN_URL", "http://test.salesforce.fake" if INTEGRATIONS_USE_FAKES
                       else "https://test.salesforce.com"),
}
# The consent screen the admin's browser opens (with the fakes: `manage.py fake_provider salesforce --port 8106`).
SALESFORCE_AUTHORIZE_HOSTS = {key: env_str(f"SALESFORCE_{key.upper()}_AUTHORIZE_URL", "http://127.0.0.1:8106"
                                           if INTEGRATIONS_USE_FAKES else host)
                              for key, host in SALESFORCE_LOGIN_HOSTS.items()}
SALESFORCE_CLIENT_ID = env_str("SALESFORCE_CLIENT_ID", "fake-sf-consumer-key" if INTEGRATIONS_USE_FAKES else "")
SALESFORCE_CLIENT_SECRET = env_str("SALESFORCE_CLIENT_SECRET", "fake-sf-consumer-secret" if INTEGRATIONS_USE_FAKES else "")
SALESFORCE_SCOPES = env_str("SALESFORCE_SCOPES", "api refresh_token")
SALESFORCE_API_VERSION = env_str("SALESFORCE_API_VERSION", "62.0")
SALESFORCE_SESSION_SECONDS = env_int("SALESFORCE_SESSION_SECONDS", 7200)  # the org's session timeout (default 2 h)
SALESFORCE_RATE_LIMIT = (env_int("SALESFORCE_RATE_LIMIT_REQUESTS", 100), 10)  # per org per 10 s, shared in Redis
# A sync may spend this share of the daily API calls left when it starts (Sforce-Limit-Info), then stops till later.
SALESFORCE_API_SHARE = float(env_str("SALESFORCE_API_SHARE", "0.5"))
SALESFORCE_DAILY_LIMIT_RETRY_AFTER = 3600
SALESFORCE_MODSTAMP_OVERLAP_SECONDS = env_int("SALESFORCE_MODSTAMP_OVERLAP_SECONDS", 300)  # late commits
SALESFORCE_QUALIFIED_MIN_PROBABILITY = float(env_str("SALESFORCE_QUALIFIED_MIN_PROBABILITY", "30"))  # percent
SALESFORCE_BULK_THRESHOLD = env_int("SALESFORCE_BULK_THRESHOLD", 10_000)  # first syncs above: Bulk API 2.0 job
if INTEGRATIONS_USE_FAKES:
    INTEGRATIONS_IN_PROCESS_FAKES.update(dict.fromkeys(
        ("login.salesforce.fake", "test.salesforce.fake", "boisfin.my.salesforce.fake"),
        "integrations.fakes.salesforce.in_process_transport"))

# --- kpis settings (kpis/) ---
# A burst of syncs within this many seconds gives one recompute per organization.
KPIS_RECOMPUTE_DEBOUNCE_SECONDS = env_int("KPIS_RECOMPUTE_DEBOUNCE_SECONDS", 30)
# A recompute always covers at least this many months back, so new tenants see "no data yet" rows.
KPIS_MIN_HISTORY_MONTHS = env_int("KPIS_MIN_HISTORY_MONTHS", 12)
# Below this share of a month elapsed, the month is "too early to forecast" (same month last year shown).
KPIS_FORECAST_MIN_SHARE = env_str("KPIS_FORECAST_MIN_SHARE", "0.2")
# A ratio forecast further than this (relative) from its value to date is held at the value to date.
KPIS_FORECAST_RATIO_MAX_MOVE = env_str("KPIS_FORECAST_RATIO_MAX_MOVE", "0.4")

# --- reports settings (reports/) ---
REPORTS_LOGO_MAX_BYTES = env_int("REPORTS_LOGO_MAX_BYTES", 2_000_000)
REPORTS_LOGO_MAX_PIXELS = 25_000_000  # width × height refused above this before decoding (decompression bombs)
REPORTS_LOGO_BOX = (600, 200)  # the stored logo is resized to fit this box, re-encoded as PNG
REPORTS_HISTORY_MONTHS = 12  # months drawn on a digest's charts
# A claimed report still not sent after this long (its worker died) is claimed again by the next attempt.
REPORTS_CLAIM_STALE_SECONDS = env_int("REPORTS_CLAIM_STALE_SECONDS", 15 * 60)

# --- objectives settings (objectives/) ---
