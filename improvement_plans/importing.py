"""CSV import and export of a plan's actions (django-import-export), all or nothing.

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

Any bad line imports nothing; every bad line is reported as "line N: column: reason".
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from import_export.fields import Field

from organisation.spreadsheets import SafeModelResource, restore

from . import rag
from .models import Action, Objective

COLUMNS = ["objective_ref", "action_ref", "how", "owners", "due_on", "due_phrase", "status", "rag"]
OPTIONAL_COLUMNS = ["review_on"]
EXPORT_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
# Model field -> the CSV column a model error is reported under.
MODEL_TO_COLUMN = {
    "ref": "action_ref",
    "objective": "objective_ref",
    "owner_roles": "owners",
    "completed_on": "status",
    NON_FIELD_ERRORS: "action_ref",
}
STATUS_BY_TEXT = {}
for value, label in Action.Status.choices:
    STATUS_BY_TEXT[value] = value
    STATUS_BY_TEXT[label.lower()] = value


def _date(text: str, column: str, errors: dict):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors[column] = f"'{text}' is not a date in the form YYYY-MM-DD"
        return None


def clean_row(row: dict, *, objectives: dict, users: dict) -> tuple[dict, dict]:
    """Check one CSV line against the plan: (what the line will write, {column: reason})."""
    errors, out = {}, {}
    # restore(): the export put a quote before cells such as "@owner" (see organisation.spreadsheets).
    text = {k: restore((row.get(k) or "").strip()).strip() for k in EXPORT_COLUMNS}

    out["objective"] = objectives.get(text["objective_ref"])
    if not text["objective_ref"]:
        errors["objective_ref"] = "is empty: name an objective of the plan, such as 1"
    elif out["objective"] is None:
        errors["objective_ref"] = f"no objective '{text['objective_ref']}' in this plan"
    if not text["action_ref"]:
        errors["action_ref"] = "is empty: give the action a ref, such as 1.2"
    elif len(text["action_ref"]) > 10:
        errors["action_ref"] = "must be at most 10 characters"
    out["ref"] = text["action_ref"]
    if not text["how"]:
        errors["how"] = "is empty: say how we will do it"
    out["how"] = text["how"]

    people, phrases, unknown = [], [], []
    for part in (p.strip() for p in text["owners"].split(";")):
        if not part:
            continue
        if part.startswith("@"):
            user = users.get(part[1:].lower())
            (people.append(user) if user else unknown.append(part))
        else:
            phrases.append(part)
    out["owners"], out["owner_roles"] = people, "; ".join(phrases)
    if unknown:
        errors["owners"] = "no such person: " + ", ".join(unknown)
    elif not people and not phrases:
        errors["owners"] = "is empty: name a person as @username or give a role phrase"
    elif len(out["owner_roles"]) > 300:
        errors["owners"] = "the role phrase must be at most 300 characters"

    out["due_on"] = _date(text["due_on"], "due_on", errors)
    out["review_on"] = _date(text["review_on"], "review_on", errors)
    out["due_phrase"] = text["due_phrase"]
    if len(out["due_phrase"]) > 100:
        errors["due_phrase"] = "must be at most 100 characters"
    if not text["due_on"] and not text["due_phrase"] and "due_on" not in errors:
        errors["due_on"] = "is empty: give a due date, or a phrase in due_phrase"

    out["status"] = STATUS_BY_TEXT.get(text["status"].lower())
    if out["status"] is None:
        errors["status"] = f"'{text['status']}' is not one of not_started, in_progress, complete"
    if text["rag"] and text["rag"].lower() not in (rag.RED, rag.AMBER, rag.GREEN):
        errors["rag"] = f"'{text['rag']}' is not red, amber or green (it is computed, so it may be left empty)"
    return out, errors


class ActionResource(SafeModelResource):
    """Rows of one plan's actions; import goes through ActionRowForm and the model's own checks."""

    objective_ref = Field(column_name="objective_ref", attribute="objective__ref", readonly=True)
    action_ref = Field(column_name="action_ref", attribute="ref")
    how = Field(column_name="how", attribute="how")
    owners = Field(column_name="owners")
    due_on = Field(column_name="due_on")
    due_phrase = Field(column_name="due_phrase", attribute="due_phrase")
    status = Field(column_name="status", attribute="status")
    rag = Field(column_name="rag")
    review_on = Field(column_name="review_on")

    class Meta:
        model = Action
        fields = tuple(EXPORT_COLUMNS)
        export_order = tuple(EXPORT_COLUMNS)
        skip_diff = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, *, plan, today: datetime.date):
        super().__init__()
        self.plan, self.today = plan, today
        self.objectives = {o.ref: o for o in Objective.objects.filter(plan=plan)}
        self.users = {u.username.lower(): u for u in get_user_model().objects.filter(is_active=True)}
        self.cleaned = {}
        self.seen = {}

    # ---- export ----
    def get_queryset(self):
        return (
            Action.objects.filter(objective__plan=self.plan)
            .select_related("objective")
            .prefetch_related("owners")
            .order_by("objective__order", "objective__ref", "order", "ref")
        )

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
    def before_import_row(self, row, **kwargs):
        number = kwargs["row_number"]
        data, errors = clean_row(dict(row), objectives=self.objectives, users=self.users)
        key = (data["objective"] and data["objective"].pk, data["ref"])
        if not errors and key in self.seen:
            errors["action_ref"] = f"action {data['ref']} is also on line {self.seen[key] + 1}"
        self.seen.setdefault(key, number)
        if errors:
            raise ValidationError({column: [reason] for column, reason in errors.items()})
        self.cleaned[number] = data

    def get_or_init_instance(self, instance_loader, row):
        data = self._current(row)
        instance = Action.objects.filter(objective=data["objective"], ref=data["ref"]).first()
        if instance is not None:
            return instance, False
        return Action(objective=data["objective"], ref=data["ref"]), True

    def _current(self, row):
        return self.cleaned[self._number]

    def import_row(self, row, instance_loader, **kwargs):
        self._number = kwargs["row_number"]
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        data = self._current(row)
        instance.how = data["how"]
        instance.owner_roles = data["owner_roles"]
        instance.due_on = data["due_on"]
        instance.due_phrase = data["due_phrase"]
        if data["review_on"] is not None:
            instance.review_on = data["review_on"]
        instance.status = data["status"]
        if data["status"] == Action.Status.COMPLETE:
            instance.completed_on = instance.completed_on or self.today
        else:
            instance.completed_on = None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            instance.full_clean(exclude=["objective"], validate_unique=False)
        except ValidationError as e:
            raise ValidationError({MODEL_TO_COLUMN.get(k, k): v for k, v in e.message_dict.items()}) from None

    def save_m2m(self, instance, row, **kwargs):
        instance.owners.set(self._current(row)["owners"])


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    rows: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(text: str) -> tuple[tablib.Dataset | None, list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        lines = list(reader)
    except csv.Error as exc:
        return None, [f"line {reader.line_num}: file: not readable as CSV ({exc})"]
    if not lines or not any(cell.strip() for cell in lines[0]):
        return None, ["line 1: header: the file is empty; the first line must name the columns"]
    header = [h.strip().lower() for h in lines[0]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in EXPORT_COLUMNS]
    errors = []
    if missing:
        errors.append(f"line 1: header: missing column(s) {', '.join(missing)}")
    if unknown:
        errors.append(f"line 1: header: unknown column(s) {', '.join(unknown)}")
    if errors:
        return None, errors
    data = tablib.Dataset(headers=header)
    for number, line in enumerate(lines[1:], start=2):
        if len(line) > len(header):
            errors.append(f"line {number}: row: has {len(line)} cells where the header has {len(header)}")
        # Spreadsheets may drop empty trailing cells: a short line is padded.
        line = (line + [""] * len(header))[: len(header)]
        data.append(line)
    if not len(data):
        errors.append("line 2: row: the file has a header but no actions")
    return data, errors


def actions_import(*, plan, text: str, today: datetime.date, dry_run: bool) -> ImportReport:
    """Check (dry_run) or import a CSV of a plan's actions. Any bad line imports nothing."""
    dataset, errors = _read(text)
    report = ImportReport(errors=errors)
    if dataset is None:
        return report
    resource = ActionResource(plan=plan, today=today)
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=True, raise_errors=False, use_transactions=True)
    for invalid in result.invalid_rows:
        for column, reasons in invalid.error_dict.items():
            for reason in reasons:
                report.errors.append(f"line {invalid.number + 1}: {MODEL_TO_COLUMN.get(column, column)}: {reason}")
    for number, row in result.row_errors():
        for error in row:
            report.errors.append(f"line {number + 1}: row: could not be saved ({error.error})")
    report.errors.sort(key=lambda e: int(e.split(":")[0].split()[1]))
    if report.errors:
        return report
    report.new = result.totals.get("new", 0)
    report.updated = result.totals.get("update", 0)
    report.rows = [dict(zip(dataset.headers, line, strict=True)) for line in dataset]
    if dry_run:
        return report
    with transaction.atomic():
        real = ActionResource(plan=plan, today=today)
        final = real.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
        report.new = final.totals.get("new", 0)
        report.updated = final.totals.get("update", 0)
    return report


def actions_export(*, plan, today: datetime.date) -> str:
    return ActionResource(plan=plan, today=today).export().csv
