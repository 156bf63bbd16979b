from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .services.templates import templates_install_shipped

        # Restore the shipped templates after a flush (transactional tests), as roles are.
        post_migrate.connect(templates_install_shipped, sender=self, dispatch_uid="audits_install_templates")

        from organisation.importing import register

        from .imports import AuditResource

        register("audits", AuditResource)

        from .judgement_imports import JudgementResource

        register("judgements", JudgementResource)

        from cases.sections import register_case_section

        from .case_sections import audits_for_case

        register_case_section("audits/_case_audits.html", audits_for_case, order=10)

        from django.db.models.signals import post_save

        from cases.models import Case

        from .signals import follow_case_reallocation

        post_save.connect(follow_case_reallocation, sender=Case, dispatch_uid="audits_follow_case_reallocation")
