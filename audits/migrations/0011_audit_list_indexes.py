"""The audit lists filter and sort on the audit's own columns.

- Open audits get the case's region, team and practitioner (made before they were copied
  at creation): one UPDATE; completed audits keep the copy made at completion.
- An index for the status counts within a region and team (bounded counts).
- PostgreSQL only: the lists' order (due date descending, nulls last, then newest) per
  region, per team and nationally, so a page of a region's list reads one page of an index.
  SQLite (`make run`) cannot index NULLS LAST and has no such volumes: it goes without.
"""

from django.db import migrations, models

LIST_INDEXES = {
    "audit_list_region_idx": "(region_id, due_on DESC NULLS LAST, id DESC)",
    "audit_list_team_idx": "(team_id, due_on DESC NULLS LAST, id DESC)",
    "audit_list_all_idx": "(due_on DESC NULLS LAST, id DESC)",
}

FILL_OPEN_AUDITS = """
UPDATE audits_audit AS a
SET region_id = c.region_id, team_id = c.team_id, practitioner_id = c.practitioner_id
FROM cases_case AS c
WHERE a.case_id = c.id AND a.status <> 'completed'
  AND (a.region_id IS DISTINCT FROM c.region_id OR a.team_id IS DISTINCT FROM c.team_id
       OR a.practitioner_id IS DISTINCT FROM c.practitioner_id)
"""


def fill_open_audits(apps, schema_editor):
    Audit = apps.get_model("audits", "Audit")
    Case = apps.get_model("cases", "Case")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_OPEN_AUDITS)
        return
    cases = Case.objects.in_bulk(Audit.objects.exclude(status="completed").values_list("case_id", flat=True).distinct())
    changed = []
    for audit in Audit.objects.exclude(status="completed").only("id", "case_id"):
        case = cases[audit.case_id]
        audit.region_id, audit.team_id, audit.practitioner_id = case.region_id, case.team_id, case.practitioner_id
        changed.append(audit)
    Audit.objects.bulk_update(changed, ["region_id", "team_id", "practitioner_id"], batch_size=1000)


def create_list_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in LIST_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON audits_audit {columns}")


def drop_list_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in LIST_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0010_calibration_sessions"),
        ("cases", "0004_case_allocation_working_days"),
    ]

    operations = [
        migrations.RunPython(fill_open_audits, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="audit",
            index=models.Index(fields=["status", "region", "team"], name="audit_status_region_team_idx"),
        ),
        migrations.RunPython(create_list_indexes, drop_list_indexes),
    ]
