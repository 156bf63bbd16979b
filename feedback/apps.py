from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from organisation.importing import register

        from .imports import FeedbackImporter

        register("feedback", FeedbackImporter)
