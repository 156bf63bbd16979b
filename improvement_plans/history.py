"""A plan's change history (django-simple-history): who changed what, when, before and after.

One query per historical model, whatever the plan's size; each historical row is compared with
the previous row of the same object (organisation.history.field_changes: diff_against).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps

from organisation.history import field_changes

from .models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure

LIMIT = 200
SKIP = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user", "created_at"}
KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}
GROUP_WINDOW = datetime.timedelta(seconds=2)


@dataclass
class Change:
    when: object
    who: str
    what: str
    kind: str
    fields: list  # (label, before, after)


def _label(model, name):
    try:
        return str(model._meta.get_field(name.removesuffix("_id")).verbose_name).capitalize()
    except Exception:
        return name


def _value(record, name):
    field = record.instance_type._meta.get_field(name)
    value = getattr(record, field.attname)
    display = getattr(record, f"get_{field.name}_display", None)
    if display and field.choices:
        return display()
    return "" if value is None else str(value)


def _groups(records):
    """Historical rows of one save: the row itself, then the clearing and adding of its owners.

    Consecutive rows of the same object by the same person within GROUP_WINDOW are one change,
    shown as the state before the first against the state after the last.
    """
    group = []
    for record in records:
        if (
            group
            and record.history_type == "~"
            and record.id == group[0].id
            and record.history_user_id == group[0].history_user_id
            and record.history_date - group[0].history_date <= GROUP_WINDOW
        ):
            group.append(record)
            continue
        if group:
            yield group
        group = [record]
    if group:
        yield group


def _changes(model, records, describe, m2m=None) -> list[Change]:
    """m2m: {history_id: "names"} of the named owners each historical row kept (actions only)."""
    fields = {f.name: f for f in model._meta.concrete_fields if f.attname not in SKIP}
    previous = {}
    out = []
    for group in _groups(sorted(records, key=lambda r: (r.id, r.history_date, r.history_id))):
        first, record = group[0], group[-1]
        before = previous.get(record.id)
        kind = "-" if record.history_type == "-" else first.history_type
        diffs = []
        if kind == "+" or (kind == "~" and before is not None):
            diffs = [
                (_label(model, name), was, now)
                for name, was, now in field_changes(record, before if kind == "~" else None, fields, _value)
            ]
        if m2m is not None and kind in "+~":
            after_value = m2m.get(record.history_id, "")
            before_value = m2m.get(before.history_id, "") if before is not None else ""
            if before_value != after_value:
                diffs.append(("Named owners", before_value, after_value))
        previous[record.id] = record
        if kind == "~" and not diffs:
            continue
        out.append(
            Change(
                when=record.history_date,
                who=str(record.history_user) if record.history_user_id else "System",
                what=describe(record),
                kind=KIND.get(kind, kind),
                fields=diffs,
            )
        )
    return out


def plan_changes(plan: Plan) -> list[Change]:
    objective_ids = Objective.history.filter(plan_id=plan.pk).values("id")
    action_ids = Action.history.filter(objective_id__in=objective_ids).values("id")
    measure_ids = SuccessMeasure.history.filter(plan_id=plan.pk).values("id")
    sources = [
        (Plan, Plan.history.filter(id=plan.pk), lambda r: "Plan"),
        (Objective, Objective.history.filter(plan_id=plan.pk), lambda r: f"Objective {r.ref}"),
        (Action, Action.history.filter(objective_id__in=objective_ids), lambda r: f"Action {r.ref}"),
        (SuccessMeasure, SuccessMeasure.history.filter(plan_id=plan.pk), lambda r: f"Measure: {r.description[:50]}"),
        (
            ProgressUpdate,
            ProgressUpdate.history.filter(action_id__in=action_ids)
            | ProgressUpdate.history.filter(measure_id__in=measure_ids),
            lambda r: f"Progress update of {r.on:%d %b %Y}",
        ),
    ]
    # Named owners (a many-to-many) are kept per historical action row in their own table: one query.
    owners = defaultdict(list)
    for row in (
        apps.get_model("improvement_plans", "HistoricalAction_owners")
        .objects.filter(history__objective_id__in=objective_ids)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    ):
        owners[row.history_id].append(str(row.user) if row.user_id else "")
    owner_names = {history_id: ", ".join(names) for history_id, names in owners.items()}
    changes = []
    for model, qs, describe in sources:
        changes += _changes(
            model, qs.select_related("history_user"), describe, owner_names if model is Action else None
        )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:LIMIT]
