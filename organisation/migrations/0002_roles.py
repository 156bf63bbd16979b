"""The six roles as Django groups; their permissions are synced after every migrate (apps.py)."""

from django.db import migrations

ROLES = ["practitioner", "auditor", "service_manager", "assistant_director", "board_member", "quality_admin"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
