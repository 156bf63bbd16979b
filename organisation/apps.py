from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation"

    def ready(self):
        from .permissions import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="organisation_sync_roles")

        from .importing import register
        from .imports import RegionsImporter, TeamsImporter, UsersImporter

        register("regions", RegionsImporter)
        register("teams", TeamsImporter)
        register("users", UsersImporter)
