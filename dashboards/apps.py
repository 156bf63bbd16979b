from django.apps import AppConfig


def _org_changed(sender, update_fields=None, **kwargs):
    """A region, team, person or role changed (a sign-in's last_login alone changes no figure)."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    from .caching import bump_org_version

    bump_org_version()


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        from . import receivers

        receivers.connect()

        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from organisation.models import Region, Team

        user_model = get_user_model()
        for model in (Region, Team, user_model):
            post_save.connect(_org_changed, sender=model, dispatch_uid=f"dashboards_cache_{model.__name__}_save")
            post_delete.connect(_org_changed, sender=model, dispatch_uid=f"dashboards_cache_{model.__name__}_delete")
        m2m_changed.connect(_org_changed, sender=user_model.groups.through, dispatch_uid="dashboards_cache_roles")
