from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from organisation.importing import register

        from .imports import FeedbackImporter

        register("feedback", FeedbackImporter)

        from cases.sections import register_case_section

        from .case_sections import feedback_for_case

        register_case_section("feedback/_case_feedback.html", feedback_for_case, order=20)

        from .receivers import connect

        connect()
