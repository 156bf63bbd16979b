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


def sync_role_permissions(**kwargs):
    perms = list(Permission.objects.filter(content_type__app_label__in=OUR_APPS).select_related("content_type"))
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.QUALITY_ADMIN:
            wanted = perms
        else:
            rules = ROLE_PERMISSIONS.get(role, [])
            wanted = [
                p
                for p in perms
                if any(p.content_type.app_label == app and p.codename.startswith(prefix) for app, prefix in rules)
            ]
        group.permissions.set(wanted)
