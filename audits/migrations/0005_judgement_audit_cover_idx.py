"""A covering index on judgements by audit (criterion and grade included) for the roll-ups.

The criterion roll-up reads (criterion, grade) of each audit's judgements; on PostgreSQL this
index serves that from the index alone. SQLite ignores `include` (a plain index on audit).
Django's own index on `audit_id` goes: the unique (audit, criterion) constraint and this index
both lead with `audit`, so it only cost writes. The new index is made before the old one goes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0004_ship_templates"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="judgement",
            index=models.Index(fields=["audit"], include=("criterion", "grade"), name="judgement_audit_cover_idx"),
        ),
        migrations.AlterField(
            model_name="judgement",
            name="audit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="judgements",
                to="audits.audit",
            ),
        ),
    ]
