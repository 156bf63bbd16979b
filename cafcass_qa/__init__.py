"""cafcass_qa: quality assurance of family-court casework."""

from .celery import app as celery_app

__all__ = ("celery_app",)
