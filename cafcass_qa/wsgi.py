"""WSGI entry point (gunicorn cafcass_qa.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from cafcass_qa.memory import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cafcass_qa.settings.production")
application = get_wsgi_application()
freeze_loaded_objects()
