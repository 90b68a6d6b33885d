"""Sinergi settings: one module, driven by the environment, with safe development defaults.

Every variable is documented in `.env.example`. With nothing set, the portal runs on SQLite
with Celery in eager mode (tasks run in the web process), which is what `make run` and the
default test run use. `DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to a real broker.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
PRODUCTION = env.bool("SINERGI_PRODUCTION", default=False)
# Production must bring its own key; the development key is a fixed, public placeholder.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when SINERGI_PRODUCTION=1")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SINERGI_SITE_URL", default="http://127.0.0.1:8000")

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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "agencies",
    "incidents",
    "coordination",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # 413 before anything reads an oversized body (CSRF reads the form; uploads spool to disk).
    "common.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.request_cache.RequestCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agencies.accounts.middleware.IdleSessionMiddleware",
    "agencies.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into agencies.accounts.lockout's page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "agencies.context_processors.portal",
                "incidents.context_processors.inbox_badge",
                "coordination.context_processors.inbox_bell",
            ],
        },
    },
]

# SQLite by default so that one command brings up a demo; PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a management command writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The covering indexes (INCLUDE) of the lists are PostgreSQL's; SQLite builds them without
    # the extra columns, which is all the demo needs: no warning on every `make run`.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif "postgresql" in DATABASES["default"]["ENGINE"] and not env.bool("SINERGI_PG_JIT", default=False):
    # No JIT compilation: the pages' queries are short, but the access rules' EXISTS make
    # their cost estimates pass jit_above_cost, and compiling took 100-200 ms of a desk query
    # that runs in 30 (bench/desk.py). SINERGI_PG_JIT=1 leaves the server's setting.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# django-axes counts failed logins (the portal's and Django admin's) before Django's backend
# checks the password: AXES_FAILURE_LIMIT failures for one username from one client address lock
# that pair out for AXES_COOLOFF_TIME, during which even the right password is refused (the page
# says so, agencies/accounts/lockout.py); a successful login clears the count. Attempts are kept in
# the database (AccessAttempt, shown in Django admin; works on SQLite and PostgreSQL alike). The
# client address is the one the rate limits use (common.throttling.client_ident: REMOTE_ADDR, or
# X-Forwarded-For as far as SINERGI_NUM_PROXIES trusts it).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SINERGI_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("SINERGI_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout, as the page says: tries during it do not lengthen it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "agencies.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "agencies.accounts.lockout.client_ip"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# Two-factor login (agencies/accounts/): TOTP authenticator apps with recovery codes, required of
# staff, commanders and the members of agencies that ask for it. Off only for a closed demo.
SINERGI_REQUIRE_2FA = env.bool("SINERGI_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = env.str("SINERGI_OTP_ISSUER", default="Sinergi")
# Sessions: at most SINERGI_SESSION_MAX_HOURS (12) after login, and logged out after
# SINERGI_SESSION_IDLE_MINUTES (30) without a request of the user's own
# (agencies.accounts.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = env.int("SINERGI_SESSION_MAX_HOURS", default=12) * 3600
SINERGI_SESSION_IDLE_MINUTES = env.float("SINERGI_SESSION_IDLE_MINUTES", default=30.0)

# Bahasa Indonesia first, English second. Strings in the code are English msgids; the
# Indonesian catalogue in locale/id carries the default language.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Stored in UTC; shown in the area's zone (WIB, WITA, WIT). Jakarta is the default display zone.
TIME_ZONE = env.str("SINERGI_TIME_ZONE", default="Asia/Jakarta")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("SINERGI_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploads that only authorised users may fetch (citizens' photos): never under MEDIA_URL, served
# by a view that checks access.
PRIVATE_MEDIA_ROOT = Path(env.str("SINERGI_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed file names in production (collectstatic runs in `make serve`);
        # plain files elsewhere so that tests and the dev server need no collectstatic.
        "BACKEND": env.str(
            "SINERGI_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Request sizes, largest first: a whole request (common.middleware answers 413 from its
# Content-Length before reading it: a citizen's three photos of 10 MiB and the text); the form
# fields Django keeps in memory (files aside); an upload kept in memory rather than spooled to disk.
SINERGI_MAX_REQUEST_BYTES = env.int("SINERGI_MAX_REQUEST_BYTES", default=32 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sinergi <noreply@sinergi.local>")

# --- REST API -------------------------------------------------------------------------------
# django-filter's empty choice: "All" (Semua), not "---------", wherever a FilterSet does not name
# its own ("All categories"); tests/test_pages.py holds every page to it.
FILTERS_EMPTY_CHOICE_LABEL = _("All")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Failed tokens are counted per client address (429 past the limit; common/authentication.py);
        # a browser session must have passed its second factor (agencies/accounts/authentication.py).
        "common.authentication.ThrottledTokenAuthentication",
        "agencies.accounts.authentication.TwoFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": env.str("SINERGI_PUBLIC_RATE", default="60/minute")},
    # Behind a reverse proxy, the client address is the last-but-N entry of X-Forwarded-For;
    # 0 ignores the header, which anyone could forge to escape the rate limits.
    "NUM_PROXIES": env.int("SINERGI_NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sinergi API",
    "DESCRIPTION": "Multi-agency security coordination portal: areas, agencies, incidents, "
    "threats and alerts, joint operations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status` or `kind` with different values: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "OperationKindEnum": "coordination.models.JointOperation.Kind",
        "OperationStatusEnum": "coordination.models.JointOperation.Status",
        "ExerciseKindEnum": "coordination.models.Exercise.Kind",
        "ActionItemStatusEnum": "coordination.models.ActionItem.Status",
        "MeetingStatusEnum": "coordination.models.Meeting.Status",
        "ProgrammeKindEnum": "coordination.models.Programme.Kind",
        "ProgrammeStatusEnum": "coordination.models.Programme.Status",
        "SurveyKindEnum": "coordination.models.Survey.Kind",
        "SurveyStatusEnum": "coordination.models.Survey.Status",
        "EvaluationStatusEnum": "coordination.models.Evaluation.Status",
        "EvaluationPeriodKindEnum": "coordination.models.Evaluation.PeriodKind",
        "EvaluationScopeKindEnum": "coordination.models.Evaluation.ScopeKind",
        "SurveyQuestionKindEnum": "coordination.models.SurveyQuestion.Kind",
        "ShiftKindEnum": "coordination.models.PatrolShift.Kind",
        "AgencyKindEnum": "agencies.models.Agency.Kind",
        "ClassificationEnum": "agencies.models.Classification",
        "CapSourceKindEnum": "incidents.models.CapSource.Kind",
        "CapCategoryEnum": "incidents.models.CapCategory",
        "CapFetchOutcomeEnum": "incidents.models.CapFetch.Outcome",
    },
}

# --- Celery ---------------------------------------------------------------------------------
# Without REDIS_URL tasks run eagerly in-process: the embedded default needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
# A task that hangs must not hold a worker forever; senders use their own shorter timeouts.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
# Prefetch one at a time: with acks_late a crashed worker hands back only what it held.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# max_retries 0: a broker that is down must not hold a liaison's request. threat_log publishes
# with retry=False, but kombu's connection set-up would still retry for ~6 s; the sweep sends
# whatever could not be queued. (The worker's consumer has its own retry policy.)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into django-celery-beat's tables at beat start-up; admins can tune them in the admin.
CELERY_BEAT_SCHEDULE = {
    "alerts-sweep": {
        "task": "incidents.tasks.alerts_sweep",
        "schedule": env.float("SINERGI_SWEEP_EVERY", default=30.0),
    },
    "cameras-mark-stale": {"task": "agencies.tasks.camera_mark_stale", "schedule": 300.0},
    "bulletins-remind": {"task": "coordination.bulletins.tasks.bulletins_remind", "schedule": 60.0},
    # A reporter's notice of a question whose task was lost (the broker down when it was asked).
    "report-questions-sweep": {"task": "incidents.reports.tasks.report_questions_sweep", "schedule": 300.0},
    # CAP feeds: queue a poll of each source that is due (incidents/threats/feeds/poll.py).
    "cap-sources-dispatch": {"task": "incidents.threats.feeds.cap_sources_dispatch", "schedule": 60.0},
    # Evaluations: each recurring series' draft once its period has ended, and open drafts
    # recomputed, nightly at 17:15 UTC (CELERY_TIMEZONE), i.e. 00:15 WIB, the portal's zone.
    "evaluations-schedule": {
        "task": "coordination.evaluations.tasks.evaluations_schedule",
        "schedule": crontab(minute=15, hour=17),
    },
}
# Bulletins: attachments' size limit, and how long after the reminder the commander is told.
SINERGI_BULLETIN_ATTACHMENT_MAX_BYTES = env.int("SINERGI_BULLETIN_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
SINERGI_BULLETIN_ESCALATE_AFTER_MINUTES = env.float("SINERGI_BULLETIN_ESCALATE_AFTER_MINUTES", default=60.0)

# --- Alerts ---------------------------------------------------------------------------------
SINERGI_CAP_SENDER = env.str("SINERGI_CAP_SENDER", default="sinergi@sinergi.example.id")
SINERGI_WEBHOOK_TIMEOUT = env.float("SINERGI_WEBHOOK_TIMEOUT", default=5.0)
# Webhooks go to public addresses only (agencies.validators.validate_webhook_url, checked again
# at each send): set this on a closed network whose partners live on private addresses.
SINERGI_WEBHOOK_ALLOW_PRIVATE = env.bool("SINERGI_WEBHOOK_ALLOW_PRIVATE", default=False)
# CAP feeds (incidents/threats/feeds/fetch.py): the webhook rules for outgoing requests. Public
# addresses only unless a closed network lists its own (CIDR, comma-separated: "10.0.0.0/8").
SINERGI_CAP_FEEDS_ALLOW_NETWORKS = env.list("SINERGI_CAP_FEEDS_ALLOW_NETWORKS", default=[])
SINERGI_CAP_FEEDS_TIMEOUT = env.float("SINERGI_CAP_FEEDS_TIMEOUT", default=10.0)
SINERGI_CAP_FEEDS_MAX_BYTES = env.int("SINERGI_CAP_FEEDS_MAX_BYTES", default=5 * 1024 * 1024)
SINERGI_CAP_FEEDS_BACKOFF_MAX_SECONDS = env.float("SINERGI_CAP_FEEDS_BACKOFF_MAX_SECONDS", default=6 * 3600.0)
SINERGI_RETRY_BASE_SECONDS = env.float("SINERGI_RETRY_BASE_SECONDS", default=30.0)
SINERGI_RETRY_MAX_SECONDS = env.float("SINERGI_RETRY_MAX_SECONDS", default=3600.0)
SINERGI_DELIVERY_MAX_ATTEMPTS = env.int("SINERGI_DELIVERY_MAX_ATTEMPTS", default=6)
SINERGI_SWEEP_GRACE_SECONDS = env.float("SINERGI_SWEEP_GRACE_SECONDS", default=30.0)
# Minutes an alert may stay unacknowledged before it escalates, by severity.
SINERGI_ESCALATION_MINUTES = {
    "extreme": env.float("SINERGI_ESCALATE_EXTREME_MINUTES", default=5.0),
    "severe": env.float("SINERGI_ESCALATE_SEVERE_MINUTES", default=15.0),
    "moderate": env.float("SINERGI_ESCALATE_MODERATE_MINUTES", default=60.0),
    "minor": env.float("SINERGI_ESCALATE_MINOR_MINUTES", default=240.0),
    "unknown": env.float("SINERGI_ESCALATE_UNKNOWN_MINUTES", default=240.0),
}
SINERGI_SMS_GATEWAY_URL = env.str("SINERGI_SMS_GATEWAY_URL", default="")
SINERGI_SMS_GATEWAY_TOKEN = env.str("SINERGI_SMS_GATEWAY_TOKEN", default="")
SINERGI_SMS_TIMEOUT = env.float("SINERGI_SMS_TIMEOUT", default=10.0)
SINERGI_CAMERA_STALE_MINUTES = env.int("SINERGI_CAMERA_STALE_MINUTES", default=15)

# --- Citizens' reports ----------------------------------------------------------------------
SINERGI_REPORT_RATE_MINUTE = env.str("SINERGI_REPORT_RATE_MINUTE", default="5/minute")
SINERGI_REPORT_RATE_DAY = env.str("SINERGI_REPORT_RATE_DAY", default="50/day")
SINERGI_REPORT_TRACK_RATE = env.str("SINERGI_REPORT_TRACK_RATE", default="60/minute")
SINERGI_NUM_PROXIES = env.int("SINERGI_NUM_PROXIES", default=0)

# Failed API-token and calendar-feed-token authentications allowed per client address in a
# window of SINERGI_TOKEN_FAILURE_WINDOW seconds; past it, 429 until the window ends.
SINERGI_TOKEN_FAILURE_LIMIT = env.int("SINERGI_TOKEN_FAILURE_LIMIT", default=10)
SINERGI_TOKEN_FAILURE_WINDOW = env.int("SINERGI_TOKEN_FAILURE_WINDOW", default=900)

# --- Patrols -------------------------------------------------------------------------------
# A checkpoint check-in within this many minutes of its planned time is on time, later is late.
SINERGI_CHECKIN_TOLERANCE_MINUTES = env.int("SINERGI_CHECKIN_TOLERANCE_MINUTES", default=15)

# --- Maps -----------------------------------------------------------------------------------
# Empty: no tile layer (nothing is fetched from outside); GeoJSON layers still draw.
SINERGI_MAP_TILE_URL = env.str("SINERGI_MAP_TILE_URL", default="")
SINERGI_MAP_TILE_ATTRIBUTION = env.str("SINERGI_MAP_TILE_ATTRIBUTION", default="")

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
