"""PostgreSQL only: the auditor's done list in its order (newest completion or submission first),
so a page reads 25 index entries instead of sorting the auditor's thousands of audits."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS audit_done_list_idx ON audits_audit "
    "(auditor_id, (COALESCE(completed_at, submitted_at)) DESC NULLS LAST, completed_on DESC NULLS LAST, id DESC) "
    "WHERE status IN ('submitted', 'completed')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_done_list_idx")


class Migration(migrations.Migration):
    dependencies = [("audits", "0011_audit_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
