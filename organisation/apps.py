from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .permissions import sync_role_permissions
        from .signin import log_failed_sign_in, record_last_login

        user_login_failed.connect(log_failed_sign_in, dispatch_uid="organisation_log_failed_sign_in")
        # Django's own receiver saves the whole user, which would add a history row per sign-in.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="organisation_record_last_login")

        # The admin's autodiscover (django.contrib.admin, first in INSTALLED_APPS) has loaded
        # every app's admin module by now.
        from django.contrib import admin

        from .admin import safe_date_hierarchies

        safe_date_hierarchies(admin.site)

        post_migrate.connect(sync_role_permissions, dispatch_uid="organisation_sync_roles")

        from .importing import register
        from .imports import RegionResource, TeamResource, UserResource

        register("regions", RegionResource)
        register("teams", TeamResource)
        register("users", UserResource)
