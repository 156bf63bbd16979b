"""Records retention: anonymise cases closed longer than RETENTION_YEARS, purge old access records.

What goes: the children's labels and characteristics, and every free text about the case
(audit evidence, rationale, reflective responses, moderation notes, learning actions,
feedback comments), in the live rows and in their history rows. What stays: grades, counts,
kinds, dates and places, so every KPI and dashboard figure is the same afterwards. A case
done is stamped `anonymised_on`, so running again changes nothing (idempotent); updates go
straight to the tables (no history rows of their own, no roll-up signals: no figure moves).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from audits.models import Audit, Judgement, LearningAction, Moderation
from cases.models import Case, Child
from feedback.models import Feedback
from organisation.access_log import access_log_cutoff, purge_access_log

REMOVED = "Removed under the records retention policy."
BATCH = 1000
CHILD_DETAILS = ["ethnicity", "disability", "religion", "gender_identity"]


@dataclass
class RetentionReport:
    cutoff: datetime.date
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "would be" if self.dry_run else "were"
        head = f"Cases closed before {self.cutoff:%Y-%m-%d} (RETENTION_YEARS={settings.RETENTION_YEARS})."
        return [head, *(f"{name}: {n} {verb} changed" for name, n in self.counts.items())]


def retention_cutoff(today: datetime.date) -> datetime.date:
    """The day RETENTION_YEARS before today (29 February falls back to the 28th)."""
    years = settings.RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _text_to_clear(qs: QuerySet, fields: dict[str, str]) -> QuerySet:
    """Rows of qs with any of these free-text fields not yet at its cleared value."""
    q = Q()
    for name, cleared in fields.items():
        q |= ~Q(**{name: cleared})
    return qs.filter(q)


def _clear(qs: QuerySet, fields: dict[str, str], dry_run: bool) -> int:
    rows = _text_to_clear(qs, fields)
    if dry_run:
        return rows.count()
    return rows.update(**fields)


# Free text per model, and the value it becomes: blank where the form allows it, a plain
# statement where the text is required (a learning action must say something).
AUDIT_TEXT = {"rationale": "", "practitioner_response": ""}
JUDGEMENT_TEXT = {"evidence": ""}
MODERATION_TEXT = {"notes": ""}
LEARNING_ACTION_TEXT = {"description": REMOVED}
FEEDBACK_TEXT = {"comments": ""}


def _history(model):
    return model.history.model


def _anonymise_children(case_ids, dry_run: bool) -> dict[str, int]:
    children = Child.objects.filter(case_id__in=case_ids)
    history = _history(Child).objects.filter(case_id__in=case_ids)
    if dry_run:
        return {"children": children.count(), "children's history rows": history.count()}
    # Labels become "Child 1", "Child 2"… in each case; characteristics go blank. First every
    # label to a placeholder unique by id, so no renaming trips the (case, label) constraint
    # (PostgreSQL checks it row by row), then the numbers in batches.
    blanks = dict.fromkeys(CHILD_DETAILS, "")
    done = children.update(label=Concat(Value("~"), Cast("pk", CharField(max_length=20))), **blanks)
    batch, number, last_case = [], 0, None
    for pk, case_id in list(children.order_by("case_id", "pk").values_list("pk", "case_id")):
        number = number + 1 if case_id == last_case else 1
        last_case = case_id
        batch.append(Child(pk=pk, label=f"Child {number}"))
        if len(batch) >= BATCH:
            Child.objects.bulk_update(batch, ["label"])
            batch = []
    Child.objects.bulk_update(batch, ["label"])
    current = Child.objects.filter(pk=OuterRef("id")).values("label")[:1]
    history_done = history.update(label=Coalesce(Subquery(current), Value("Child")), **blanks)
    return {"children": done, "children's history rows": history_done}


def _anonymise_case_text(case_ids, dry_run: bool) -> dict[str, int]:
    audit_ids = Audit.objects.filter(case_id__in=case_ids).values("pk")
    by_audit = Q(audit_id__in=audit_ids)
    counts = {}
    for label, model, fields, where in [
        ("audits", Audit, AUDIT_TEXT, Q(case_id__in=case_ids)),
        ("judgements", Judgement, JUDGEMENT_TEXT, by_audit),
        ("moderations", Moderation, MODERATION_TEXT, by_audit),
        ("learning actions", LearningAction, LEARNING_ACTION_TEXT, by_audit),
        ("feedback", Feedback, FEEDBACK_TEXT, Q(case_id__in=case_ids)),
    ]:
        counts[label] = _clear(model.objects.filter(where), fields, dry_run)
        counts[f"{label} history rows"] = _clear(_history(model).objects.filter(where), fields, dry_run)
    return counts


def _anonymise_caseless_feedback(cutoff: datetime.date, dry_run: bool) -> dict[str, int]:
    """Feedback with no case (anonymous) goes by the date it was received."""
    old = Q(case__isnull=True, received_on__lt=cutoff)
    live = _clear(Feedback.objects.filter(old), FEEDBACK_TEXT, dry_run)
    history_old = Q(case_id__isnull=True, received_on__lt=cutoff)
    history = _clear(_history(Feedback).objects.filter(history_old), FEEDBACK_TEXT, dry_run)
    return {"feedback without a case": live, "feedback without a case history rows": history}


def _purge_logs(today: datetime.date | None, dry_run: bool) -> dict[str, int]:
    before = access_log_cutoff(today)
    counts = {"access records": purge_access_log(before=before, dry_run=dry_run)}
    for label, model in [("sign-in records", AccessLog), ("failed sign-in records", AccessFailureLog)]:
        old = model.objects.filter(attempt_time__lt=before)
        counts[label] = old.count() if dry_run else old.delete()[0]
    return counts


def retention_apply(*, today: datetime.date, dry_run: bool = False) -> RetentionReport:
    """Anonymise every case closed before the cutoff not yet done, and purge old logs; all or nothing."""
    cutoff = retention_cutoff(today)
    report = RetentionReport(cutoff=cutoff, dry_run=dry_run)
    with transaction.atomic():
        due = Case.objects.filter(closed_on__lt=cutoff, anonymised_on__isnull=True)
        report.counts["cases"] = due.count()
        # A subquery, not a list: the first run may take in every case of the years before.
        case_ids = due.values("pk")
        report.counts.update(_anonymise_children(case_ids, dry_run))
        report.counts.update(_anonymise_case_text(case_ids, dry_run))
        report.counts.update(_anonymise_caseless_feedback(cutoff, dry_run))
        report.counts.update(_purge_logs(today, dry_run))
        if not dry_run:
            due.update(anonymised_on=today)  # last: the subquery above still names these cases
    return report
