"""The work lists at national scale: a region's overdue audits, and the learning actions done and
waiting for sign-off in their order (so neither list sorts or counts every row on each view)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audits", "0013_rollup_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="audit",
            index=models.Index(
                condition=models.Q(("status__in", ["scheduled", "in_progress"])),
                fields=["region", "due_on"],
                name="audit_open_region_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="learningaction",
            index=models.Index(
                condition=models.Q(("status", "done")), fields=["completed_on", "id"], name="learning_action_done_idx"
            ),
        ),
    ]
