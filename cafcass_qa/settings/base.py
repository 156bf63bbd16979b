"""Settings shared by every mode; everything that differs between machines comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from .sso import sso_settings

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
    "csp",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "organisation",
    "cases",
    "audits",
    "feedback",
    "dashboards",
    "improvement_plans",
    "retention",
    "work",
]

MIDDLEWARE = [
    "organisation.middleware.StatementTimeoutMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "organisation.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in person, except views marked @login_not_required (sign-in,
    # single sign-on, /health/, the public feedback form, the API, which answers 401 itself).
    # Before the CSRF check (both act in process_view, in this order): a post after the session
    # ended (its cookies gone) goes to the sign-in page, which the autosave tells the person,
    # rather than to a CSRF failure.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "organisation.middleware.RejectNulCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images
# from this site only, no inline script or style (templates load static files; figures for
# charts travel in json_script blocks, which are data, not script), no framing, forms post
# here only. img-src allows data: for the small icons GOV.UK and MOJ Frontend inline in CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy: the service uses none of these browser features.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)

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

# Django's form templates, with <select> written in Python (the same HTML, a fraction of the CPU:
# the filter forms' option lists were most of the case list's cost).
FORM_RENDERER = "organisation.forms_renderer.QuickSelectRenderer"

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
# An optional read replica (e.g. a PostgreSQL streaming standby): the dashboards' and the API's
# reads of the snapshot tables go there (dashboards/selectors.py); every write, and every other
# read, stays on "default".
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
DASHBOARD_READ_DATABASE = "replica" if "replica" in DATABASES else "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.User"
# django-axes first: it refuses a locked-out person before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Optional single sign-on (OpenID Connect, e.g. Microsoft Entra ID): off unless OIDC_RP_CLIENT_ID
# is set; see sso.py. Roles are still granted here; the provider only says who the person is.
_sso = sso_settings(os.environ)
OIDC_ENABLED = _sso.pop("OIDC_ENABLED")
globals().update(_sso)
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("organisation.oidc.StaffOIDCBackend")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes): 5 failures for one username from one address lock that
# pair out for 15 minutes. By username *and* address, so someone guessing at a colleague's
# account from elsewhere cannot lock the colleague out of their own desk, and one address
# cannot try many passwords for one person. A quality admin unlocks early in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# 15 minutes from the fifth failure: a try during the lock-out is refused (and logged) but
# does not start the 15 minutes again, so the page's "wait 15 minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The GOV.UK lock-out page (429), logged, instead of axes' plain text.
AXES_LOCKOUT_CALLABLE = "organisation.signin.locked_out"
# Every failed sign-in is kept (admin: Access failures) besides the counters that lock.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The address comes from the one helper the access log uses too (it knows about proxies).
AXES_CLIENT_IP_CALLABLE = "organisation.access_log.client_ip"
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For; 0 trusts
# REMOTE_ADDR only (a client could otherwise claim any address and dodge the lock-out).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
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
# A message is acknowledged when its task has finished, not when it starts, and a worker
# process that dies mid-task (killed, out of memory) hands its message back at once: every
# task here is idempotent (roll-ups recompute and upsert; scheduling and sampling top up).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process: a long roll-up does not sit on messages others could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message to another worker after the visibility timeout: it
# must outlast the longest a task may run (the hard time limit above) and the longest retry
# countdown (retry_backoff_max, 600 s at most), or a slow task would run twice at once; and
# be shorter than Redis's default hour, so the message of a worker lost altogether comes back sooner.
BROKER_VISIBILITY_TIMEOUT = CELERY_TASK_TIME_LIMIT + 5 * 60
# A publish against a dead broker must fail fast: the request that completed an audit
# is waiting, and the nightly rebuild catches up anyway.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
}
# Queues: roll-ups (many, bursty: an import enqueues a slice per region-month) apart from
# mail (a task named "mail.<what>") so a burst of one never starves the other; the rest
# (beat's scheduling and sampling) on "default". The Procfile's worker consumes all three
# (Redis serves the queues in turn); run a worker per queue (-Q rollups) to scale one alone.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in ("default", "rollups", "mail")]
CELERY_TASK_ROUTES = {
    "dashboards.tasks.*": {"queue": "rollups"},
    "mail.*": {"queue": "mail"},
    # Mail: the outbox sender, the daily reminders and the feedback hand-over reminders.
    "work.tasks.send_mail_task": {"queue": "mail"},
    "work.tasks.send_reminders_task": {"queue": "mail"},
    "feedback.tasks.remind_feedback_handover_task": {"queue": "mail"},
}


def _beat(task: str, schedule: crontab, *, expires_hours: int) -> dict:
    """A beat entry whose message expires near its interval, so a backlog does not run twice."""
    return {"task": task, "schedule": schedule, "options": {"expires": 60 * 60 * expires_hours}}


CELERY_BEAT_SCHEDULE = {
    # Rebuild every snapshot at night: catches up any slice whose enqueue was lost
    # while the broker was down, and any change made outside the signals (raw SQL, imports).
    "rollup-all-nightly": _beat("dashboards.tasks.rollup_all", crontab(hour=2, minute=15), expires_hours=6),
    # The nightly job leaves the criterion snapshots to the slice roll-ups (they read every
    # judgement, 13 per audit); rebuild them all once a week, early on Sunday.
    "rollup-criteria-weekly": _beat(
        "dashboards.tasks.rollup_criteria", crontab(hour=3, minute=15, day_of_week="sun"), expires_hours=6
    ),
    # Top every practitioner up to 8 audits in a rolling 12 months (4 with collaborative
    # feedback) early on the 1st; idempotent, so a retry or a manual run adds nothing.
    "schedule-audits-monthly": _beat(
        "audits.tasks.schedule_audits_task", crontab(hour=5, minute=0, day_of_month=1), expires_hours=12
    ),
    # Each weekday morning: the digests (work due within 7 days and overdue), escalations of work
    # 10 working days overdue, and any mail still waiting. Idempotent: a second run that day sends nothing new.
    "send-reminders-weekdays": _beat(
        "work.tasks.send_reminders_task", crontab(hour=7, minute=0, day_of_week="mon-fri"), expires_hours=6
    ),
    # Keep the moderation sample at AUDIT_MODERATION_SHARE of recently completed audits;
    # early Monday, so moderators start the week with their sample.
    "sample-moderation-weekly": _beat(
        "audits.tasks.sample_moderation_task", crontab(hour=5, minute=30, day_of_week="mon"), expires_hours=12
    ),
    # Records retention: anonymise cases closed longer than RETENTION_YEARS and purge access
    # records past ACCESS_LOG_RETENTION_DAYS; weekly, early Sunday, before the criteria rebuild.
    "apply-retention-weekly": _beat(
        "retention.tasks.apply_retention_task", crontab(hour=1, minute=30, day_of_week="sun"), expires_hours=12
    ),
    # Remind practitioners of feedback links from closed cases not handed over within 10 working
    # days; each link is reminded once, so the daily run (weekdays, before the working day) is safe.
    "feedback-handover-reminders": _beat(
        "feedback.tasks.remind_feedback_handover_task",
        crontab(hour=7, minute=0, day_of_week="mon-fri"),
        expires_hours=12,
    ),
}
# Moderation: the share of completed audits drawn for a second, blind grading, from the
# audits completed in the last AUDIT_MODERATION_WINDOW_DAYS days.
AUDIT_MODERATION_SHARE = env.float("AUDIT_MODERATION_SHARE", default=0.05)
AUDIT_MODERATION_WINDOW_DAYS = env.int("AUDIT_MODERATION_WINDOW_DAYS", default=91)

# CSV imports (the command and the admin): files larger than IMPORT_MAX_BYTES, or whose
# header has more than IMPORT_MAX_COLUMNS columns, are refused before they are parsed.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
# Records management: cases closed more than RETENTION_YEARS ago are anonymised by
# `apply_retention` (children's details and free text cleared; grades, counts and dates kept);
# access records (who viewed what) are kept ACCESS_LOG_RETENTION_DAYS days.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=7)
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=2 * 365)
if RETENTION_YEARS < 1 or ACCESS_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("RETENTION_YEARS and ACCESS_LOG_RETENTION_DAYS must be at least 1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # axes' own lines mask who and where; organisation.signin logs each failure in full,
        # so keep only axes' warnings (repeated failures, lock-outs).
        "axes": {"level": "WARNING"},
        # WeasyPrint (the board pack) logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SERVICE_NAME = "Quality assurance"

# `manage.py seed_demo` runs only where this is true (production.py turns it off).
DEMO_DATA_ALLOWED = True

# Mail through Django's email framework, configured by one django-environ URL: smtp://host:port
# (smtp+tls://user:pass@host:587 with a login), or consolemail:// (the default: printed, for `make run`).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update({name: value for name, value in EMAIL_CONFIG.items() if value is not None})
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # a mail server that hangs must not hold a worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Quality assurance <no-reply@localhost>")
# The address mails link to (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The share of audits graded good or better the service aims for: drawn as the target line on the
# dashboards' charts and named in the board pack. Set GOOD_OR_BETTER_TARGET_PCT to change it.
GOOD_OR_BETTER_TARGET_PCT = env.int("GOOD_OR_BETTER_TARGET_PCT", default=70)

# The public feedback pages (/f/<token>/): requests per address and per link in each window
# (feedback/throttle.py); a person answering a child's ten questions makes about 25.
FEEDBACK_RATE_WINDOW_SECONDS = env.int("FEEDBACK_RATE_WINDOW_SECONDS", default=10 * 60)
FEEDBACK_RATE_PER_ADDRESS = env.int("FEEDBACK_RATE_PER_ADDRESS", default=120)
FEEDBACK_RATE_PER_LINK = env.int("FEEDBACK_RATE_PER_LINK", default=60)

# Rendered dashboard figures and API answers (dashboards/caching.py): Redis in production
# (CACHE_URL=redis://host:6379/1), this process's memory otherwise (`make run`, tests).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://cafcass-qa")}

# Web requests only (never Celery tasks, management commands or migrations, which may run
# long): a statement running past this many milliseconds is cancelled by PostgreSQL and the
# person sees "this page took too long" (503) instead of a worker hanging. 0 turns it off.
WEB_STATEMENT_TIMEOUT_MS = env.int("WEB_STATEMENT_TIMEOUT_MS", default=5000)
# Views marked @allow_long_statements (downloads of a whole list) get this instead.
WEB_LONG_STATEMENT_TIMEOUT_MS = env.int("WEB_LONG_STATEMENT_TIMEOUT_MS", default=60000)
