"""Which model permissions each role's group holds (used by the admin); synced after migrate.

Visibility of rows is decided by organisation.visibility, not by these permissions:
these only say which admin screens a role may use.
"""

from django.contrib.auth.models import Group, Permission

from .roles import Role

OUR_APPS = ["organisation", "cases", "audits", "feedback", "dashboards", "improvement_plans", "work"]

# (app_label, codename prefix) pairs; quality admins hold every permission of our apps.
ROLE_PERMISSIONS = {
    Role.PRACTITIONER: [("cases", "view_"), ("audits", "view_")],
    Role.AUDITOR: [
        ("cases", "view_"),
        ("audits", "view_"),
        ("audits", "change_judgement"),
        ("audits", "add_judgement"),
    ],
    Role.SERVICE_MANAGER: [("cases", "view_"), ("audits", "view_"), ("audits", "add_audit"), ("dashboards", "view_")],
    Role.ASSISTANT_DIRECTOR: [("dashboards", "view_"), ("improvement_plans", "")],
    Role.BOARD_MEMBER: [("dashboards", "view_"), ("improvement_plans", "view_")],
}


# Besides every permission of our apps, quality admins read django-axes' sign-in records and
# unlock a locked-out sign-in (deleting its access attempts); the records are axes' to write.
QUALITY_ADMIN_EXTRA = [("axes", "view_"), ("axes", "delete_accessattempt")]


def _matches(perm, rules) -> bool:
    return any(perm.content_type.app_label == app and perm.codename.startswith(prefix) for app, prefix in rules)


def sync_role_permissions(**kwargs):
    apps = [*OUR_APPS, *{app for app, _ in QUALITY_ADMIN_EXTRA}]
    perms = list(Permission.objects.filter(content_type__app_label__in=apps).select_related("content_type"))
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.QUALITY_ADMIN:
            wanted = [p for p in perms if p.content_type.app_label in OUR_APPS or _matches(p, QUALITY_ADMIN_EXTRA)]
        else:
            wanted = [p for p in perms if _matches(p, ROLE_PERMISSIONS.get(role, []))]
        group.permissions.set(wanted)
