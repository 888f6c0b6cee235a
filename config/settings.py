"""Weft settings. Everything a deployment changes comes from environment variables (see README)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WEFT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("WEFT_DEBUG", False)
SECRET_KEY = os.environ.get("WEFT_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("WEFT_REQUIRE_SECRET_KEY", False):
        raise RuntimeError("WEFT_SECRET_KEY must be set in production")
    # Local runs and tests only: a key that is never used to sign anything outside this machine.
    SECRET_KEY = "weft-local-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = os.environ.get("WEFT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("WEFT_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Background work (imports, reports, recomputations): the Django tasks API, database backend.
    "django_tasks",
    "django_tasks_db",
    # Serves the API docs page (swagger-ui) from the package's own static files instead of a CDN.
    "ninja",
    "weft.core",
    "weft.audit",
    "weft.accounts",
    "weft.registry",
    "weft.stats",
    "weft.market",
    "weft.services",
    "weft.talent",
    "weft.csr",
    "weft.events",
    "weft.imports",
    # Last: its demo recomputes chain profiles from the other apps' data (talent shortages).
    "weft.chain",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "weft.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "weft" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "weft.accounts.context_processors.memberships",
            ],
        },
    },
]

# SQLite (WAL) by default so one command runs everything; PostgreSQL via DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'weft.sqlite3'}"),
        conn_max_age=int(os.environ.get("WEFT_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (WEFT_DB_CONN_MAX_AGE) so each request does not start with a cold
    # page cache; the memory map is address space, not memory, and should cover the whole file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA cache_size=-65536;"
            f" PRAGMA mmap_size={int(os.environ.get('WEFT_SQLITE_MMAP_BYTES', 16 * 1024**3))};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: only what the driver's own cursors send is ever prepared (Django's
    # client-binding cursors never are), that is the directory's state, read by every directory
    # request: 50–80 µs a round trip instead of 135–145. Behind a pooler in transaction mode
    # that does not keep prepared statements (PgBouncer before 1.21), set WEFT_DB_PREPARE=false.
    DATABASES["default"]["OPTIONS"] = {
        "prepare_threshold": 0 if env_bool("WEFT_DB_PREPARE", True) else None
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "registry:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "weft" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = os.environ.get("WEFT_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("WEFT_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "weft" / "static"]
MEDIA_ROOT = Path(os.environ.get("WEFT_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Throttling needs a cache every worker shares: files on one machine, the database when scaled out.
# "file" is diskcache (SQLite-indexed files): a throttle check costs ~50 µs there, against ~500 µs
# on Django's file cache, which rewrites a file and lists the whole directory on every write.
_cache_kind = os.environ.get("WEFT_CACHE", "file")
CACHES = {
    "default": {
        "file": {
            "BACKEND": "weft.core.cache.DiskCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"size_limit": int(os.environ.get("WEFT_CACHE_BYTES", 2**30))},
        },
        "db": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "weft_cache",
        },
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }[_cache_kind]
}

EMAIL_BACKEND = os.environ.get(
    "WEFT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("WEFT_FROM_EMAIL", "weft@localhost")

SESSION_COOKIE_SECURE = env_bool("WEFT_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Background tasks run in `manage.py db_worker` processes (any number, on any machine) that share
# the database; WEFT_TASKS_BACKEND=immediate runs them inside the request instead (tests, scripts).
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("WEFT_TASKS_BACKEND", "database")],
        "QUEUES": ["default"],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Bulk imports: file limits and entity-resolution thresholds (scores 0–100).
WEFT_IMPORT_MAX_BYTES = int(os.environ.get("WEFT_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
WEFT_IMPORT_MAX_ROWS = int(os.environ.get("WEFT_IMPORT_MAX_ROWS", 200_000))
# A running import whose worker gave no sign of life for this long is shown as stale, resumable.
WEFT_IMPORT_STALE_AFTER = int(os.environ.get("WEFT_IMPORT_STALE_AFTER", 300))
WEFT_IMPORT_QUEUE_STALE_AFTER = int(os.environ.get("WEFT_IMPORT_QUEUE_STALE_AFTER", 900))
WEFT_IMPORT_BATCH_SIZE = int(os.environ.get("WEFT_IMPORT_BATCH_SIZE", 5000))
# The first batch is smaller: the worker writes nothing until it arrives.
WEFT_IMPORT_FIRST_BATCH_SIZE = int(os.environ.get("WEFT_IMPORT_FIRST_BATCH_SIZE", 500))
# A second process prepares the next batch while the worker writes one (see imports.engine).
WEFT_IMPORT_PIPELINE = env_bool("WEFT_IMPORT_PIPELINE", True)
# Batches that process may have prepared ahead of the worker (each held pickled, some MB).
WEFT_IMPORT_BATCHES_AHEAD = int(os.environ.get("WEFT_IMPORT_BATCHES_AHEAD", 2))
# PostgreSQL: an import's batch commits without waiting for its log to reach the disk (a server
# crash then loses whole batches, which resuming writes again); true waits, as the site does.
WEFT_IMPORT_PG_WAIT_FOR_DISK = env_bool("WEFT_IMPORT_PG_WAIT_FOR_DISK", False)
# PostgreSQL: new search-index entries an import's batch gathers before merging them (kB).
WEFT_IMPORT_GIN_PENDING_KB = int(os.environ.get("WEFT_IMPORT_GIN_PENDING_KB", 65536))
WEFT_MATCH_AUTO = float(os.environ.get("WEFT_MATCH_AUTO", 90))
WEFT_MATCH_REVIEW = float(os.environ.get("WEFT_MATCH_REVIEW", 72))

# API throttling: requests per period, per token (or user) and per client IP.
WEFT_THROTTLE_USER = os.environ.get("WEFT_THROTTLE_USER", "600/min")
WEFT_THROTTLE_ANON = os.environ.get("WEFT_THROTTLE_ANON", "120/min")
WEFT_API_PAGE_SIZE = 20
# Directory answers are cached until a write to the directory's tables (0 turns the cache off).
WEFT_DIRECTORY_CACHE_SECONDS = int(os.environ.get("WEFT_DIRECTORY_CACHE_SECONDS", 600))
WEFT_API_MAX_PAGE_SIZE = 100
# Check every answer written without pydantic (the directory's) against its schema: on in the
# tests, off in production where the check would double the answer's cost.
WEFT_CHECK_ANSWERS = env_bool("WEFT_CHECK_ANSWERS", False)
# First-time directory searches are answered from an in-memory index of every firm
# (registry/directory_index.py). Past this many firms changed since its last build, the database
# answers alone until the rebuild it asks for has run.
WEFT_DIRECTORY_INDEX = env_bool("WEFT_DIRECTORY_INDEX", True)
WEFT_DIRECTORY_INDEX_MAX_CHANGES = int(os.environ.get("WEFT_DIRECTORY_INDEX_MAX_CHANGES", 5000))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WEFT_LOG_LEVEL", "WARNING")},
}

# Marketplace: posts per firm per 24 hours (demands and offers counted apart), how far back a
# duplicate demand is looked for, and the largest attachment.
WEFT_MARKET_POSTS_PER_DAY = int(os.environ.get("WEFT_MARKET_POSTS_PER_DAY", "20"))
WEFT_MARKET_DUPLICATE_DAYS = 30
WEFT_MARKET_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("WEFT_MARKET_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024))
)

# Green production reads reported figures through one function (see weft/csr/green.py).
WEFT_GREEN_FIGURES = os.environ.get("WEFT_GREEN_FIGURES", "weft.stats.selectors.green_figures")
# Where the chain's stage profiles read reported output value per cluster and stage.
# Where the site is reached from outside: links in e-mails sent by background work.
WEFT_SITE_URL = os.environ.get("WEFT_SITE_URL", "http://127.0.0.1:8000")
WEFT_STATS_REMINDER_DAYS = tuple(
    int(day) for day in os.environ.get("WEFT_STATS_REMINDER_DAYS", "3,1,0,-1,-3,-7").split(",")
)
WEFT_STAGE_OUTPUT = os.environ.get("WEFT_STAGE_OUTPUT", "weft.stats.selectors.stage_output")
