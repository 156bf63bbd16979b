"""The external or volunteer moderator role (a Group, like the other roles)."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="external_moderator")


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="external_moderator").delete()


class Migration(migrations.Migration):
    dependencies = [("organisation", "0007_historical_user_email_preference")]
    operations = [migrations.RunPython(create_group, remove_group)]
