"""Django settings, read from the environment (see ARCHITECTURE.md, "Configuration")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from shequn.config.env import (
    ConfigurationError,
    data_dir,
    env_bool,
    env_list,
    env_str,
    kept_secret,
    new_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
SHEQUN_ENV = env_str("SHEQUN_ENV", "development")
if SHEQUN_ENV not in {"development", "production", "test"}:
    raise ConfigurationError("SHEQUN_ENV must be development, production or test")
PRODUCTION = SHEQUN_ENV == "production"
DATA_DIR = data_dir()

DEBUG = env_bool("SHEQUN_DEBUG", default=False)
SECRET_KEY = kept_secret(
    "SHEQUN_SECRET_KEY", DATA_DIR / "secret_key", new_secret_key, production=PRODUCTION
)
# Fernet keys for secrets at rest, newest first; older keys still decrypt (rotation).
SHEQUN_ENCRYPTION_KEYS = [
    key.strip()
    for key in kept_secret(
        "SHEQUN_ENCRYPTION_KEYS",
        DATA_DIR / "encryption_keys",
        lambda: __import__("cryptography.fernet").fernet.Fernet.generate_key().decode(),
        production=PRODUCTION,
    ).split(",")
    if key.strip()
]
ALLOWED_HOSTS = env_list(
    "SHEQUN_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("SHEQUN_CSRF_TRUSTED_ORIGINS", [])
SHEQUN_BASE_URL = env_str("SHEQUN_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "shequn.core",
    "shequn.tenancy",
    "shequn.accounts",
    "shequn.audit",
    "shequn.jobs",
    "shequn.api",
    "shequn.console",
    "shequn.channels",
    "shequn.ingest",
    "shequn.contacts",
    "shequn.inbox",
    "shequn.segments",
    "shequn.privacy",
    "shequn.imports",
    "shequn.personas",
    "shequn.livecodes",
    "shequn.community",
    "shequn.rewards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shequn.core.middleware.RequestContextMiddleware",
    "shequn.tenancy.middleware.TenantScopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shequn.accounts.middleware.UserLanguageMiddleware",
]

ROOT_URLCONF = "shequn.config.urls"
WSGI_APPLICATION = "shequn.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequn.console.context.console",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shequn.sqlite3'}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN
        # so two writers queue on busy_timeout instead of failing with "database is locked".
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                " PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config.setdefault("OPTIONS", {})
        config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = True
    config["TEST"] = {"NAME": env_str("SHEQUN_TEST_DATABASE_NAME") or None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": env_str("SHEQUN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "ingest"],
    }
}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SHEQUN_LOGIN_MAX_FAILURES = 5
SHEQUN_LOGIN_LOCKOUT_SECONDS = 15 * 60
# Callbacks whose signed `timestamp` is further than this from now are refused (replay protection).
SHEQUN_CALLBACK_MAX_SKEW_SECONDS = int(env_str("SHEQUN_CALLBACK_MAX_SKEW_SECONDS", "300") or 300)

EMAIL_BACKEND = env_str("SHEQUN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("SHEQUN_DEFAULT_FROM_EMAIL", "shequn@localhost")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("SHEQUN_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from the finders
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION and env_bool("SHEQUN_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOG_FORMAT = env_str("SHEQUN_LOG_FORMAT", "json" if PRODUCTION else "console")
if LOG_FORMAT not in {"json", "console"}:
    raise ConfigurationError("SHEQUN_LOG_FORMAT must be json or console")
LOG_LEVEL = env_str("SHEQUN_LOG_LEVEL", "INFO").upper()
LOGGING_CONFIG = None  # shequn.core.logging configures stdlib logging and structlog together

NINJA_PAGINATION_PER_PAGE = 50
