"""Tests: the real PostgreSQL and Redis on this machine unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import database, env

DATABASES = {"default": database("postgres://postgres@127.0.0.1:5432/cafcass_qa")}
# A stand-in read replica: a second alias on the tests' own database (a test mirror). The
# dashboards read from "default" here; a test sends them through "replica" to check the routing.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DASHBOARD_READ_DATABASE = "default"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
# Most tests want the task to run where they can see it; tests whose point is the queue
# start a real worker on the Redis broker and switch eager mode off.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from static/ (no collectstatic step locally or in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
