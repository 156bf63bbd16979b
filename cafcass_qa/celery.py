"""The Celery app: settings come from Django's (CELERY_*), tasks from each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cafcass_qa.settings.local")

app = Celery("cafcass_qa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
