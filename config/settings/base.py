"""Settings shared by every environment. Everything that differs between machines comes from
the environment; see README.md for the full list of variables."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "treebeard",
    "axes",
    "csp",
    # Two-factor sign-in: TOTP devices, and static devices holding the recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The captcha of the public satisfaction form (appraisal): images served from our origin.
    "captcha",
    # Project apps: the organisation tree, people and the audit trail first, then the domain.
    "organisations",
    "accounts",
    "audit",
    "outbox",
    "notifications",
    "basis",
    "authority",
    "responsibility",
    "rollout",
    "appraisal",
    "accountability",
    "portal",
    # The top: composes the chapters (the demo command); imported by no app.
    "config.apps.SiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, with the idle timeout's refresh written at most once a minute.
    "accounts.middleware.IdleTimeoutSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: sets request.user.otp_device / is_verified() from the session.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The second factor first: nothing, not even the password change, before it.
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.PasswordExpiryMiddleware",
    "audit.middleware.RequestContextMiddleware",
    # After authentication: anonymous public reads may go to the replica (config/db_router.py).
    "config.db_router.ReplicaReadsMiddleware",
    # Axes last, as its documentation asks, so that it sees the final authentication outcome.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.navigation.navigation",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Chinese substring search uses pg_trgm, which extracts no trigrams from CJK text in a
    # database whose LC_CTYPE is C: the test database must be UTF-8 too.
    DATABASES["default"]["TEST"] = {
        "TEMPLATE": os.environ.get("DATABASE_TEST_TEMPLATE", "template0"),
        "CHARSET": "UTF8",
    }
    # PostgreSQL's default planner costs assume spinning disks: with them it answers the
    # prefetches of a page (a few hundred rows by id) by hashing whole tables, 12 ms instead of
    # 1 ms on the bench data. The working set of this application is in memory; JIT compiling
    # pays off only for long analytical queries, which the conflict checks are not. Parallel
    # workers likewise: at ×10 the planner guessed 8,000 rows for an n-gram lookup that finds
    # none and started two workers to look, 8 ms instead of 0.5 ms; a plan now goes parallel
    # only where the work is worth ten times the default setup cost.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "DATABASE_PG_OPTIONS", "-c random_page_cost=1.1 -c jit=off -c parallel_setup_cost=10000"
    )
# A streaming standby for the public site's reads (config/db_router.py): set DATABASE_REPLICA_URL
# and anonymous GETs of the portal and the public API read from it; everything else, and a
# visitor's reads for REPLICA_STICKY_SECONDS after his own write, read from the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Tests never create a database on the standby: the alias reads the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "15"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserWithOrganisationBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# MLPS level 3 (等保三级): 12+ characters from three of four classes, changed every 90 days.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Ours only for its message (Django's is not in its zh_Hans catalogue).
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
]
PASSWORD_MAX_AGE = timedelta(days=int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90")))

# Lockout after five failures, for thirty minutes or until the security administrator unlocks.
# Two-factor sign-in (accounts/two_factor.py). Throttling is django-otp's default; stated here
# so that nobody turns it off by accident: after n wrong codes in a row a device refuses every
# code for 2^(n-1) seconds (1, 2, 4, 8 ... so that guessing is hopeless long before a code
# could be found); the security administrator's reset of the second factor ends it.
OTP_TOTP_ISSUER = "LECRS"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The lock ends 30 minutes after it began, however often the holder retries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lockout is per account, as MLPS asks. Locking by address too would lock out whole offices
# behind one government NAT; per-address rate limits belong to the reverse proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The client's address behind the reverse proxy: X-Forwarded-For counts only from these
# addresses or networks (comma-separated, e.g. 172.18.0.0/16); empty trusts no one. Used by the
# audit trail, the verification rate limit and axes alike (toolkit.client).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "toolkit.client.client_address"

# Idle timeout: the session lives 30 minutes from the last request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
# ... but written at most this often when the request changed nothing else
# (accounts.middleware.IdleTimeoutSessionMiddleware): a session ends 29 to 30 minutes after the
# last request instead of exactly 30, and pages do not write the session row each time.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts only from our own files: no inline script, no handler attributes, no eval (the
# templates put behaviour in static/js/app.js, wired by data- attributes). Style elements and
# stylesheets only from our files too; style="" attributes, used for one-off widths in many
# templates, stay allowed (style-src-attr falls back to style-src) — a documented compromise,
# as a style attribute cannot run code. Browsers without CSP level 3 read style-src alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-elem": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from the npm registry (package.json, installed by scripts/setup.sh
# with npm ci into the git-ignored node_modules) and are served by the app from their dist
# folders: no CDN, and no copy of their files in the repository.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/tom-select/js", NODE_MODULES / "tom-select" / "dist" / "js"),
    ("vendor/tom-select/css", NODE_MODULES / "tom-select" / "dist" / "css"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Nothing under MEDIA_ROOT is served by URL (config/urls.py adds no /media/ route): every file
# goes out through a view that checks its record's scoping (toolkit.files.file_response). Set
# this to an nginx ``internal`` location aliased to MEDIA_ROOT (e.g. /protected-media/) and the
# view answers with X-Accel-Redirect, leaving the bytes to nginx; empty, Django streams them.
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_ACCEL_REDIRECT_PREFIX", "").strip()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "toolkit.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "toolkit.errors.exception_handler",
    "PAGE_SIZE": 50,
}
# API tokens (django-rest-knox): stored as SHA-512 digests in accounts.ApiToken, which adds a
# name; each is issued with an expiry by `manage.py api_token_issue`. The prefix lets secret
# scanners recognise a leaked token.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations create its AuthToken table even when the model is swapped for ours; that
# table then holds a foreign key to the users and stops a test database flush on PostgreSQL.
# Without migrations, knox has no table at all (its only model is swapped out).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": timedelta(days=365), "AUTO_REFRESH": False, "TOKEN_PREFIX": "lecrs_"}
SPECTACULAR_SETTINGS = {
    "TITLE": "行政执法责任制管理系统 API",
    "DESCRIPTION": (
        "Enforcement-responsibility system of the city legal-affairs office. Field names are "
        "English; every list is scoped to what the caller may see."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReviewStatusEnum": "workflow.review.ReviewStatus",
        "InstrumentStatusEnum": "basis.models.InstrumentStatus",
        "AuditOutcomeEnum": "audit.models.AuditOutcome",
        "TrainingKindEnum": "authority.models.TrainingKind",
        "TeamRoleEnum": "rollout.models.filings.TeamRole",
        "CaseStatusEnum": "accountability.models.CaseStatus",
        "ReviewTransitionEnum": "workflow.review.Transition",
        "RoundStatusEnum": "appraisal.models.RoundStatus",
    },
}

# The cache holds the verification rate limits and the cached conflict checks. Set CACHE_URL to a
# Redis URL wherever several processes serve the site, so they share one budget and one cache.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: eager when no broker is configured, so the embedded default runs jobs in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a worker took and never acknowledged (acks_late; the worker was killed) goes back to
# the queue after visibility_timeout. It must exceed DISCLOSURE_STALE_RENDER_SECONDS, so that the
# redelivered render finds the dead one stale and claims it, and that must exceed the longest
# render (about 30 s for 300 powers), so that a live render is never claimed twice. Redis's
# default of an hour would leave a document waiting that long; a restore sweep runs every 10 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
DISCLOSURE_STALE_RENDER_SECONDS = int(os.environ.get("DISCLOSURE_STALE_RENDER_SECONDS", "600"))
# Jobs asked for in a transaction are outbox rows (outbox/); what the broker refused at commit is
# sent again by the relay once it is this old.
OUTBOX_RELAY_AFTER_SECONDS = 10
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {
        "task": "outbox.tasks.relay",
        "schedule": timedelta(seconds=30),
    },
    "outbox-purge-sent": {
        "task": "outbox.tasks.purge_sent",
        "schedule": timedelta(days=1),
    },
    "audit-purge-expired": {
        "task": "audit.tasks.purge_expired_events",
        "schedule": timedelta(days=1),
    },
    "authority-mark-expired-certificates": {
        "task": "authority.tasks.mark_expired_certificates",
        "schedule": timedelta(days=1),
    },
    "authority-end-certificate-suspensions": {
        "task": "authority.tasks.end_certificate_suspensions",
        "schedule": timedelta(days=1),
    },
    # Certificates that run out by date change the open-data register without a row changing.
    "portal-rebuild-open-data": {
        "task": "portal.tasks.rebuild_open_data",
        "schedule": timedelta(days=1),
    },
    # Deadline reminders (notifications/): each at most once per deadline, recipient and kind,
    # however often this runs; `manage.py send_reminders` does the same from cron.
    "notifications-reminder-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": timedelta(seconds=int(os.environ.get("REMINDER_SWEEP_SECONDS", "3600"))),
    },
    "basis-purge-stale-import-previews": {
        "task": "basis.tasks.purge_stale_import_previews",
        "schedule": timedelta(hours=6),
    },
}

# Deadline reminders: the first goes out this many calendar days (Asia/Shanghai) before the due
# day, the second once the deadline has passed.
REMINDER_DAYS_BEFORE = max(0, int(os.environ.get("REMINDER_DAYS_BEFORE", "3")))

# Audit events are kept at least 180 days; the purge job never deletes younger rows, whatever
# this is set to.
AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("AUDIT_RETENTION_DAYS", "365")))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lecrs@localhost")

SITE_NAME = _("Law-Enforcement Responsibility System")
# The public address of the portal, printed on disclosure sheets and in their QR codes.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs a line per page laid out (a booklet has hundreds) and notes about the CSS;
    # fontTools, when it subsets the CJK font (no HarfBuzz subsetter), logs ~500 lines of glyph
    # lists per document at INFO. Their warnings still show (e.g. "Using fontTools instead of
    # HarfBuzz-Subset", once per document).
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Public satisfaction (appraisal): ratings per address per day (counted under a daily-salted
# hash, never the address), and a department's ratings per day past which further ones are
# held for the office's review.
APPRAISAL_RATINGS_PER_ADDRESS_PER_DAY = int(os.environ.get("APPRAISAL_RATINGS_PER_ADDRESS_PER_DAY", "3"))
APPRAISAL_RATING_BURST = int(os.environ.get("APPRAISAL_RATING_BURST", "50"))
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_FONT_SIZE = 28
