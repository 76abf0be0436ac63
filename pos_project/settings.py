"""CloudPOS settings: one module, driven by environment variables.

With no environment at all this is the embedded default (SQLite, an in-process Redis stand-in,
eager Celery, media on local disk, the simulated card provider). `DATABASE_URL` and `REDIS_URL`
switch to PostgreSQL and Redis; `DEBUG=0` turns on production safety.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-cloudpos")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    # No fallback: a production process without a secret key must not start.
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A CSRF rejection under the JSON API paths answers {"error": {"code", "message"}}; HTML elsewhere.
CSRF_FAILURE_VIEW = "apps.core.csrf.csrf_failure"

INSTALLED_APPS = [
    # django.contrib.admin with the owner-scoped site: another owner's object is a 404 on every admin
    "apps.stores.admin_config.OwnerScopedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.kakao",
    "apps.core",
    "apps.accounts",
    "apps.stores",
    "apps.catalog",
    "apps.inventory",
    "apps.discounts",
    "apps.tables",
    "apps.carts",
    "apps.orders",
    "apps.payments",
    "apps.kitchen",
    "apps.settlement",
    "apps.pos",
    "apps.kiosk",
    "apps.tableorder",
    "apps.bridge",
    "apps.ops",
]

MIDDLEWARE = [
    # First: request id, timings and the request log cover everything below; it answers the
    # probes (/healthz, /readyz, /metrics) before the HTTPS redirect and the host check.
    "apps.ops.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # NUL in the URL → 400 before any view; every 4xx under the JSON API paths in the JSON shape
    "apps.core.middleware.RequestHygieneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.LocaleMiddleware",  # Django's, without a language prefix looked for in every path
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.stores.middleware.DeviceMiddleware",
]

ROOT_URLCONF = "pos_project.urls"
WSGI_APPLICATION = "pos_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["apps.core.templatetags.money", "apps.core.templatetags.names"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# No gateway call may run inside a DB transaction, so requests are never wrapped in one.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one per request cost a third of the checkout throughput on
# PostgreSQL. Health checks make a connection that died while idle (a database restart, a
# proxy timeout) reconnect at the start of the next request instead of failing it.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with small bulk inserts as VALUES rows (apps/core/db/postgresql/compiler.py)
    DATABASES["default"]["ENGINE"] = "apps.core.db.postgresql"
if USING_POSTGRES:
    # Parameters sent apart from the SQL, and a statement run five times on a connection prepared
    # on it: PostgreSQL then parses and plans each of the checkout's statements once per
    # connection instead of on every run, a quarter less of its CPU per checkout (issue 18).
    # Behind a pooler in transaction mode that cannot keep prepared statements (PgBouncer before
    # 1.21), set DATABASE_PREPARE_THRESHOLD to an empty value: then nothing is prepared.
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("server_side_binding", True)
    _prepare_threshold = env("DATABASE_PREPARE_THRESHOLD", default="5")
    _db_options.setdefault("prepare_threshold", int(_prepare_threshold) if _prepare_threshold else None)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite serialises writers; wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django's cookie-then-session messages, their stores made on first use (apps/core/messages.py)
MESSAGE_STORAGE = "apps.core.messages.LazyFallbackStorage"

# --- Redis: cache, carts, sessions, Celery broker ----------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cloudpos"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # The embedded default: fakeredis in-process, so carts and locks behave like real Redis
    # (Lua scripts included) without a server.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://embedded/0",
            "KEY_PREFIX": "cloudpos",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "CONNECTION_POOL_CLASS": "apps.core.redis.EmbeddedConnectionPool",
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="cloudpos")
CELERY_TIMEZONE = "Asia/Seoul"

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "stores:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="none")
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
# Password guessing (README "Logins"): 5 failed logins of one email within 5 minutes lock that
# email, even for the right password, until the oldest failure is 5 minutes old; one client address
# may fail 10 times a minute. /admin/login/ sends to this login (pos_project/urls.py): same lockout.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# Kakao is configured from the environment; no SocialApp row is needed.
SOCIALACCOUNT_PROVIDERS = {
    "kakao": {
        "APPS": [
            {
                "client_id": env("KAKAO_CLIENT_ID", default=""),
                "secret": env("KAKAO_CLIENT_SECRET", default=""),
                "key": "",
            }
        ]
        if env("KAKAO_CLIENT_ID", default="")
        else [],
    }
}

# --- i18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="ap-northeast-2")
    AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=True)
    AWS_DEFAULT_ACL = None
    MEDIA_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Payments --------------------------------------------------------------------------------
TOSS_SECRET_KEY = env("TOSS_SECRET_KEY", default="")
TOSS_CLIENT_KEY = env("TOSS_CLIENT_KEY", default="")
TOSS_API_BASE = env("TOSS_API_BASE", default="https://api.tosspayments.com")
TOSS_TIMEOUT_SECONDS = env.float("TOSS_TIMEOUT_SECONDS", default=10.0)
PORTONE_API_SECRET = env("PORTONE_API_SECRET", default="")  # PortOne V2 API secret; empty: PortOne unavailable
PORTONE_WEBHOOK_SECRET = env("PORTONE_WEBHOOK_SECRET", default="")  # whsec_…, Standard Webhooks
PORTONE_API_BASE = env("PORTONE_API_BASE", default="https://api.portone.io")
PORTONE_TIMEOUT_SECONDS = env.float("PORTONE_TIMEOUT_SECONDS", default=10.0)
PORTONE_STORE_ID = env("PORTONE_STORE_ID", default="")  # for the browser checkout (store-…)
PORTONE_CHANNEL_KEY = env("PORTONE_CHANNEL_KEY", default="")  # the card channel of the browser checkout

# --- Devices ---------------------------------------------------------------------------------
DEVICE_COOKIE_NAME = "cloudpos_device"
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365 * 5
PAIRING_CODE_TTL_SECONDS = 10 * 60
PAIRING_RATE_LIMIT = env.int("PAIRING_RATE_LIMIT", default=5)  # attempts per client per minute
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ORDER_PENDING_EXPIRY_MINUTES = env.int("ORDER_PENDING_EXPIRY_MINUTES", default=15)

# --- Kiosk -----------------------------------------------------------------------------------
KIOSK_IDLE_SECONDS = env.int("KIOSK_IDLE_SECONDS", default=60)  # then "still there?"
KIOSK_IDLE_GRACE_SECONDS = env.int("KIOSK_IDLE_GRACE_SECONDS", default=15)  # then the cart is abandoned
KIOSK_DONE_RETURN_SECONDS = env.int("KIOSK_DONE_RETURN_SECONDS", default=20)
KIOSK_MENU_POLL_MS = env.int("KIOSK_MENU_POLL_MS", default=2000)
KIOSK_STATUS_POLL_MS = env.int("KIOSK_STATUS_POLL_MS", default=1000)
STAFF_CALL_TTL_SECONDS = env.int("STAFF_CALL_TTL_SECONDS", default=600)

# --- Production safety -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Operations: health, metrics, logs (apps/ops; README "Operations") -------------------------
# /metrics answers only a bearer token or an allowed network; with neither set it is a 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
# Batch jobs (business-day close, rebuild_rollups) push their last run here when set (host:port or URL).
PROMETHEUS_PUSHGATEWAY = env("PROMETHEUS_PUSHGATEWAY", default="")
READYZ_MIGRATIONS_CACHE_SECONDS = env.float("READYZ_MIGRATIONS_CACHE_SECONDS", default=10.0)
# Django cache calls are timed for cloudpos_cache_operation_duration_seconds.
CACHES["default"]["OPTIONS"]["CLIENT_CLASS"] = "apps.ops.cache.TimedRedisClient"
# Celery workers log through LOGGING below (JSON, redacted, with the request id) instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# JSON lines in production (one object per line, for a log shipper); readable text when developing.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "apps.ops.logging.RequestIdFilter"},
        "redact": {"()": "apps.ops.logging.RedactFilter"},
    },
    "formatters": {
        "json": {"()": "apps.ops.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Periodic jobs (celery beat). Each task is a thin wrapper in its app's tasks.py.
CELERY_BEAT_SCHEDULE = {
    "orders-expire-pending": {"task": "orders.expire_pending_orders", "schedule": 60.0},
    "payments-reconcile": {"task": "payments.reconcile_payments", "schedule": 30.0},
    "settlement-close-business-days": {"task": "settlement.close_business_days", "schedule": 15 * 60.0},
    "bridge-expire-terminal-jobs": {"task": "bridge.expire_terminal_jobs", "schedule": 30.0},
}
