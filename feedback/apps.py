from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .questions import question_sets_install_shipped

        # Restore the shipped question sets after a flush (transactional tests), as audit templates are.
        post_migrate.connect(question_sets_install_shipped, sender=self, dispatch_uid="feedback_install_questions")

        from organisation.importing import register

        from .imports import FeedbackResource

        register("feedback", FeedbackResource)

        from cases.sections import register_case_section

        from .case_sections import feedback_for_case

        register_case_section("feedback/_case_feedback.html", feedback_for_case, order=20)

        from .receivers import connect

        connect()
