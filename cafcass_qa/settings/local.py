"""Local development: `make run` with no services (SQLite, tasks run in-process)."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)

# Serve static files straight from static/ (no collectstatic step locally or in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite ignores the INCLUDE columns of the covering indexes PostgreSQL uses; that is fine here.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Tasks run in-process here: their one-line "succeeded" logs would drown `make run`'s own output.
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # noqa: F405
