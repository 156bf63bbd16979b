"""Settings shared by every mode; everything that differs between machines comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: a typo such as DEBUG=ture fails at start-up instead of meaning False."""
    raw = env.str(name, default=None)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false")


DEBUG = env_bool("DEBUG", False)

# Only for local use: production.py refuses to start without a real SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "import_export",
    "simple_history",
    "organisation",
    "cases",
    "audits",
    "feedback",
    "dashboards",
    "improvement_plans",
]

MIDDLEWARE = [
    "organisation.middleware.StatementTimeoutMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organisation.middleware.RejectNulCharactersMiddleware",
    "organisation.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "cafcass_qa.urls"
WSGI_APPLICATION = "cafcass_qa.wsgi.application"

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
                "organisation.context_processors.navigation",
            ],
        },
    },
]

# An SQLite file for `make run` with no services; PostgreSQL everywhere that matters.


def database(default_url: str) -> dict:
    """The database DATABASE_URL names, with persistent connections (checked before reuse).

    CONN_MAX_AGE (seconds a connection is kept; 0 closes it after each request, empty for
    ever) and CONN_HEALTH_CHECKS come from the environment: a connection per request costs
    about as much as a whole API request on PostgreSQL.
    """
    config = env.db("DATABASE_URL", default=default_url)
    config["ATOMIC_REQUESTS"] = False
    max_age = env.str("CONN_MAX_AGE", default="60").strip()
    try:
        config["CONN_MAX_AGE"] = None if max_age.lower() in ("", "none") else int(max_age)
    except ValueError:
        raise ImproperlyConfigured(f"CONN_MAX_AGE={max_age!r} is not a number of seconds") from None
    config["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
    return config


DATABASES = {"default": database(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Celery: with no broker configured, tasks run in-process so `make run` needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 15 * 60
CELERY_TASK_TIME_LIMIT = 20 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish against a dead broker must fail fast: the request that completed an audit
# is waiting, and the nightly rebuild catches up anyway.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE = {
    # Rebuild every snapshot at night: catches up any slice whose enqueue was lost
    # while the broker was down, and any change made outside the signals (raw SQL, imports).
    "rollup-all-nightly": {
        "task": "dashboards.tasks.rollup_all",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 60 * 60 * 6},
    },
    # The nightly job leaves the criterion snapshots to the slice roll-ups (they read every
    # judgement, 13 per audit); rebuild them all once a week, early on Sunday.
    "rollup-criteria-weekly": {
        "task": "dashboards.tasks.rollup_criteria",
        "schedule": crontab(hour=3, minute=15, day_of_week="sun"),
        "options": {"expires": 60 * 60 * 6},
    },
    # Top every practitioner up to 8 audits in a rolling 12 months (4 with collaborative
    # feedback) early on the 1st; idempotent, so a retry or a manual run adds nothing.
    "schedule-audits-monthly": {
        "task": "audits.tasks.schedule_audits_task",
        "schedule": crontab(hour=5, minute=0, day_of_month=1),
        "options": {"expires": 60 * 60 * 12},
    },
    # Keep the moderation sample at AUDIT_MODERATION_SHARE of recently completed audits;
    # early Monday, so moderators start the week with their sample.
    "sample-moderation-weekly": {
        "task": "audits.tasks.sample_moderation_task",
        "schedule": crontab(hour=5, minute=30, day_of_week="mon"),
        "options": {"expires": 60 * 60 * 12},
    },
}
# Moderation: the share of completed audits drawn for a second, blind grading, from the
# audits completed in the last AUDIT_MODERATION_WINDOW_DAYS days.
AUDIT_MODERATION_SHARE = env.float("AUDIT_MODERATION_SHARE", default=0.05)
AUDIT_MODERATION_WINDOW_DAYS = env.int("AUDIT_MODERATION_WINDOW_DAYS", default=91)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SERVICE_NAME = "Quality assurance"

# Rendered dashboard figures and API answers (dashboards/caching.py): Redis in production
# (CACHE_URL=redis://host:6379/1), this process's memory otherwise (`make run`, tests).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://cafcass-qa")}

# Web requests only (never Celery tasks, management commands or migrations, which may run
# long): a statement running past this many milliseconds is cancelled by PostgreSQL and the
# person sees "this page took too long" (503) instead of a worker hanging. 0 turns it off.
WEB_STATEMENT_TIMEOUT_MS = env.int("WEB_STATEMENT_TIMEOUT_MS", default=5000)
# Views marked @allow_long_statements (downloads of a whole list) get this instead.
WEB_LONG_STATEMENT_TIMEOUT_MS = env.int("WEB_LONG_STATEMENT_TIMEOUT_MS", default=60000)
