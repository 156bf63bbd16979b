"""CSV import and export of a plan's actions: an import kind of the one framework (organisation/importing.py).

Columns (UTF-8, header row, dates YYYY-MM-DD):
  objective_ref  the ref of an existing objective of the plan, such as "1"
  action_ref     the action's ref, such as "1.2"; with objective_ref it names the action
                 (an existing one is updated, a new one is added)
  how            how we will do it (required)
  owners         owners separated by ";": "@username" names a person, anything else is
                 kept as the role phrase, e.g. "@director; Service managers"
  due_on         the due date, or empty when the action only has a phrase
  due_phrase     a recurring or approximate time such as "biannually"
  status         not_started, in_progress or complete (the labels are accepted too)
  rag            written on export (the computed RAG); ignored on import, where RAG is
                 computed; if given it must be red, amber or green
  review_on      optional column: the review date of a phrase-only action (an existing
                 action keeps its review date when the column is missing or empty)

Any bad line imports nothing; every bad line is reported as "line N: column: reason". The kind
is not one of `import_csv`'s: it belongs to one plan, so `actions_import` runs it with the plan.
"""

import datetime

from django.contrib.auth import get_user_model
from import_export.fields import Field
from import_export.instance_loaders import ModelInstanceLoader

from organisation.importing import CsvResource, ImportReport, IsoDateWidget, LookupWidget, TextWidget, cell, run_import
from organisation.spreadsheets import restore

from . import rag
from .models import Action, Objective

COLUMNS = ["objective_ref", "action_ref", "how", "owners", "due_on", "due_phrase", "status", "rag"]
OPTIONAL_COLUMNS = ["review_on"]
EXPORT_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
STATUS_BY_TEXT = {}
for value, label in Action.Status.choices:
    STATUS_BY_TEXT[value] = value
    STATUS_BY_TEXT[label.lower()] = value
NOT_A_DATE = "'{value}' is not a date in the form YYYY-MM-DD"
RAGS = (rag.RED, rag.AMBER, rag.GREEN)


def read_owners(text: str, users: dict) -> tuple[list, list[str], list[str]]:
    """(people named "@username", role phrases, "@names" of nobody) in an owners cell."""
    people, phrases, unknown = [], [], []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if not part.startswith("@"):
            phrases.append(part)
        elif user := users.get(part[1:].lower()):
            people.append(user)
        else:
            unknown.append(part)
    return people, phrases, unknown


class ActionResource(CsvResource):
    """Rows of one plan's actions, in the columns above."""

    import_kind = "actions"
    columns = tuple(COLUMNS)
    optional_columns = tuple(OPTIONAL_COLUMNS)
    pad_short_rows = True  # spreadsheets may drop empty trailing cells
    required = {
        "objective_ref": "is empty: name an objective of the plan, such as 1",
        "action_ref": "is empty: give the action a ref, such as 1.2",
        "how": "is empty: say how we will do it",
    }
    natural_key = ("objective_ref", "action_ref")
    non_field_column = "action_ref"
    error_columns = {"owner_roles": "owners", "completed_on": "status"}

    objective_ref = Field(
        column_name="objective_ref",
        attribute="objective",
        widget=LookupWidget(reason="no objective '{value}' in this plan", fold=False),
    )
    action_ref = Field(column_name="action_ref", attribute="ref", widget=TextWidget())
    how = Field(column_name="how", attribute="how", widget=TextWidget())
    owners = Field(column_name="owners")
    due_on = Field(column_name="due_on", attribute="due_on", widget=IsoDateWidget(invalid=NOT_A_DATE))
    due_phrase = Field(column_name="due_phrase", attribute="due_phrase", widget=TextWidget())
    status = Field(
        column_name="status",
        attribute="status",
        widget=LookupWidget(
            STATUS_BY_TEXT, reason="'{value}' is not one of not_started, in_progress, complete", blank=""
        ),
    )
    rag = Field(column_name="rag")
    # An existing action keeps its review date when the cell is empty.
    review_on = Field(
        column_name="review_on",
        attribute="review_on",
        widget=IsoDateWidget(invalid=NOT_A_DATE),
        saves_null_values=False,
    )

    class Meta:
        model = Action
        fields = tuple(EXPORT_COLUMNS)
        export_order = tuple(EXPORT_COLUMNS)
        import_id_fields = ("objective_ref", "action_ref")
        instance_loader_class = ModelInstanceLoader
        skip_diff = True
        skip_unchanged = False  # every action the file names is counted: new or updated

    def __init__(self, *, plan, today: datetime.date, **kwargs):
        super().__init__(**kwargs)
        self.plan, self.today = plan, today

    def get_queryset(self):
        return (
            Action.objects.filter(objective__plan=self.plan)
            .select_related("objective")
            .prefetch_related("owners")
            .order_by("objective__order", "objective__ref", "order", "ref")
        )

    # ---- export ----
    def dehydrate_objective_ref(self, action):
        return action.objective.ref

    def dehydrate_owners(self, action):
        return "; ".join(
            [f"@{u.username}" for u in action.owners.all()] + ([action.owner_roles] if action.owner_roles else [])
        )

    def dehydrate_due_on(self, action):
        return action.due_on.isoformat() if action.due_on else ""

    def dehydrate_review_on(self, action):
        return action.review_on.isoformat() if action.review_on else ""

    def dehydrate_rag(self, action):
        return rag.action_rag(status=action.status, due_on=action.due_on, review_on=action.review_on, today=self.today)

    # ---- import ----
    def prepare(self, rows):
        self.fields["objective_ref"].widget.mapping = {o.ref: o for o in Objective.objects.filter(plan=self.plan)}
        self.users = {u.username.lower(): u for u in get_user_model().objects.filter(is_active=True)}

    def duplicate_reason(self, row, first_line):
        return "action_ref", f"action {cell(row, 'action_ref')} is also on line {first_line}"

    def row_rules(self, row, action):
        errors = self._owners(row, action)
        if len(cell(row, "action_ref")) > 10:
            errors["action_ref"] = "must be at most 10 characters"
        if len(action.due_phrase or "") > 100:
            errors["due_phrase"] = "must be at most 100 characters"
        if not cell(row, "due_on") and not cell(row, "due_phrase"):
            errors["due_on"] = "is empty: give a due date, or a phrase in due_phrase"
        if cell(row, "rag") and cell(row, "rag").lower() not in RAGS:
            errors["rag"] = f"'{cell(row, 'rag')}' is not red, amber or green (it is computed, so it may be left empty)"
        if action.status == Action.Status.COMPLETE:
            action.completed_on = action.completed_on or self.today
        else:
            action.completed_on = None
        return errors

    def _owners(self, row, action) -> dict[str, str]:
        # restore(): the export put a quote before cells such as "@owner" (see organisation.spreadsheets).
        people, phrases, unknown = read_owners(restore(cell(row, "owners")).strip(), self.users)
        action.owner_roles = "; ".join(phrases)
        action.imported_owners = people  # set by save_m2m once the action has an id
        if unknown:
            return {"owners": "no such person: " + ", ".join(unknown)}
        if not people and not phrases:
            return {"owners": "is empty: name a person as @username or give a role phrase"}
        if len(action.owner_roles) > 300:
            return {"owners": "the role phrase must be at most 300 characters"}
        return {}

    def save_m2m(self, instance, row, **kwargs):
        instance.owners.set(instance.imported_owners)


def actions_import(*, plan, text: str, today: datetime.date, dry_run: bool) -> ImportReport:
    """Check (dry_run) or import a CSV of a plan's actions. Any bad line imports nothing."""
    return run_import(ActionResource, text.encode("utf-8"), dry_run=dry_run, plan=plan, today=today)


def actions_export(*, plan, today: datetime.date) -> str:
    return ActionResource(plan=plan, today=today).export().csv
