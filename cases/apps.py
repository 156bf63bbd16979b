from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from organisation.importing import register

        from .imports import CaseResource

        register("cases", CaseResource)
