"""Audits not yet completed now carry whose work they grade from creation: fill it in for the
open ones made before (completion copies it again, as it always did)."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Audit = apps.get_model("audits", "Audit")
    Case = apps.get_model("cases", "Case")
    holder = Case.objects.filter(pk=models.OuterRef("case_id")).values("practitioner_id")[:1]
    Audit.objects.filter(practitioner__isnull=True).exclude(status="completed").update(
        practitioner_id=models.Subquery(holder)
    )


class Migration(migrations.Migration):
    dependencies = [("audits", "0006_audit_moderated_grade")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
