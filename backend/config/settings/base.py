"""Base settings: the embedded default (see the package docstring)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The embedded default serves only 127.0.0.1; production.py demands real hosts.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="lapor-rt-local-development-only-not-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    # Before Django's admin: an app listed earlier wins in translation lookups,
    # so admin_config's catalogue can correct Django's Indonesian wording.
    "admin_config.apps.BackofficeConfig",
    "admin_config.apps.LaporAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "strawberry_django",
    "import_export",
    "django_tasks_db",
    "axes",
    "backend.common",
    "backend.accounts",
    "backend.wilayah",
    "backend.population",
    "backend.audit",
    "backend.reports",
    "backend.imports",
    "graphql_schema",
    # Last, so it only fills gaps: Indonesian for django-unfold's own strings.
    "admin_config.vendor.apps.VendorTranslationsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.accounts.middleware.ApiTokenMiddleware",
    "backend.accounts.middleware.UserLanguageMiddleware",
    "backend.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.config.urls"
WSGI_APPLICATION = "backend.config.wsgi.application"
ASGI_APPLICATION = "backend.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "admin_config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite file under the repository by default; PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lapor_rt.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web server and the task worker share the file.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (admin and API token login) against password guessing.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "backend.accounts.lockout.lockout_response"
AXES_VERBOSE = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["backend.config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "admin:login"
# unfold's login page carries no "next" field: a login opened directly
# (/admin/login/) would otherwise land on Django's /accounts/profile/ (404).
LOGIN_REDIRECT_URL = "admin:index"
CSRF_FAILURE_VIEW = "admin_config.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

STRAWBERRY_DJANGO = {
    "FIELD_DESCRIPTION_FROM_HELP_TEXT": False,
    "TYPE_DESCRIPTION_FROM_MODEL_DOCSTRING": False,
    "PAGINATION_DEFAULT_LIMIT": 100,
    "PAGINATION_MAX_LIMIT": 500,
}

LAPOR_RT = {
    # Largest page a GraphQL list returns; a bigger request is refused.
    "GRAPHQL_MAX_PAGE_SIZE": 500,
    "GRAPHQL_MAX_DEPTH": 8,
    "GRAPHQL_MAX_ALIASES": 15,
    "GRAPHQL_MAX_TOKENS": 3000,
    # Fields, fragment spreads and inline fragments in one selection set: graphql-core's
    # overlapping-fields check is quadratic in them (420 copies of one field took 5 s).
    "GRAPHQL_MAX_SELECTIONS": 100,
    # A whole request, photos included (six photos of at most 8 MB each, and room).
    "GRAPHQL_MAX_REQUEST_MB": 60,
    # Fields one request may resolve (the whole Karang Rejo tree is about 70,000).
    "GRAPHQL_MAX_FIELDS": 200_000,
    # Lifetime of a phone-app API token.
    "API_TOKEN_DAYS": env.int("LAPOR_API_TOKEN_DAYS", default=90),
    # HMAC key of the audit hash chain (backend.audit.chain); keep it outside the
    # database. Changing it makes every existing event fail audit_verify.
    "AUDIT_CHAIN_KEY": env.str("LAPOR_AUDIT_CHAIN_KEY", default=""),
}

LOG_FORMAT = env.str("LOG_FORMAT", default="console")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {
            "()": "backend.common.logging.KeyValueFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "backend.common.logging.JsonFormatter"},
    },
    "filters": {
        "client_errors_without_traceback": {
            "()": "backend.common.logging.ClientErrorsWithoutTraceback"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["client_errors_without_traceback"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

from backend.config.settings.admin import UNFOLD  # noqa: E402,F401
from backend.config.settings.reports import LAPOR_REPORTS  # noqa: E402,F401
