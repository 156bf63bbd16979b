from django.apps import AppConfig


class WorkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "work"
    verbose_name = "Work lists and reminders"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the listeners to the audits' announcements
