"""A plan's change history (django-simple-history): who changed what, when, before and after.

One query per historical model, whatever the plan's size; diffs are computed in Python by
comparing each historical row with the previous row of the same object.
"""

from dataclasses import dataclass

from .models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure

LIMIT = 200
SKIP = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user", "created_at"}
KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


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


def _value(record, field):
    value = getattr(record, field.attname)
    display = getattr(record, f"get_{field.name}_display", None)
    if display and field.choices:
        return display()
    return "" if value is None else str(value)


def _changes(model, records, describe) -> list[Change]:
    fields = [f for f in model._meta.concrete_fields if f.attname not in SKIP]
    previous = {}
    out = []
    for record in sorted(records, key=lambda r: (r.id, r.history_date, r.history_id)):
        before = previous.get(record.id)
        diffs = []
        for f in fields:
            after_value = _value(record, f)
            before_value = _value(before, f) if before is not None else ""
            if record.history_type == "+" and after_value:
                diffs.append((_label(model, f.name), "", after_value))
            elif record.history_type == "~" and before is not None and before_value != after_value:
                diffs.append((_label(model, f.name), before_value, after_value))
        previous[record.id] = record
        if record.history_type == "~" and not diffs:
            continue
        out.append(
            Change(
                when=record.history_date,
                who=str(record.history_user) if record.history_user_id else "System",
                what=describe(record),
                kind=KIND.get(record.history_type, record.history_type),
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
    changes = []
    for model, qs, describe in sources:
        changes += _changes(model, qs.select_related("history_user"), describe)
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:LIMIT]
