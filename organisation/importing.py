"""The one CSV import framework: every kind is declared the same way, as a `CsvResource`.

A kind is a django-import-export `ModelResource` (through `CsvResource`) that declares:

- `import_kind` — its name on the command line (`import_csv KIND FILE`);
- `columns` — the contract's exact header, in order, and `optional_columns` a file may add;
- its fields — one `import_export.fields.Field` per column, with a widget that reads the cell
  and gives a reason a person can act on: `TextWidget`, `IsoDateWidget`, `LookupWidget`
  (`ChoicesWidget`, `YesNoWidget`, `GradeWidget`) and `CodeWidget`, a foreign key found by its
  natural key (code, username, reference), every value of the file looked up in one query;
- `required` — columns that must have a value (a tuple: "a value is required"; or a dict of
  column: reason), `natural_key` — the columns that identify a row (a repeat within the file
  is refused on every later line, "duplicate of line N");
- its row rules — `row_rules(row, instance) -> {column: reason}`, the checks across columns
  beyond the widgets and the model's `full_clean()`; a rule may also set a field that several
  columns decide. `prepare(rows)` runs once per file first, to preload what the rules need.

Adding a kind is that declaration and its rules, then `register(kind, resource_class)` from the
app's `AppConfig.ready()` (this app does not import the others: they register with it).

Everything else is import-export's own workflow, through its public hooks: `before_import`
checks the header and runs `prepare`, `import_instance` adds the required cells, the rules and
the duplicates to the widgets' reasons, `validate_instance` runs `full_clean()`, `skip_row`
counts an unchanged row, `use_bulk` kinds (audits, judgements) write in batches through
`bulk_create` (with their history rows), and `import_data(dry_run=...)` runs it all in one
transaction that is rolled back on a dry run or when any row is refused.

The entry points:

- `import_csv(kind, file, *, dry_run=False, user=None) -> ImportReport` (and
  `run_import(resource_class, file, ..., **context)` for a kind outside the command, such as a
  plan's actions): `file` is a path, bytes or a file object. Before anything is parsed, a file
  larger than `settings.IMPORT_MAX_BYTES`, not UTF-8, or whose header has more than
  `settings.IMPORT_MAX_COLUMNS` columns is refused with one reason. The report lists every
  problem as `line N: column: reason` (line 1 is the header), `shown_errors()` the first 100.
- `CsvImportAdminMixin` (with `import_kind`), before `ImportExportModelAdmin`: the admin's
  upload, preview and confirm run the same resource, so they give the same reasons.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import CheckConstraint
from import_export import widgets
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.instance_loaders import CachedInstanceLoader
from simple_history.utils import bulk_create_with_history

from .grades import Grade
from .spreadsheets import SafeModelResource, restore

KINDS: dict[str, type[CsvResource]] = {}
MAX_ERRORS_SHOWN = 100
LOOKUP_CHUNK = 2000  # keeps every IN (...) well under SQLite's variable limit
REQUIRED = "a value is required"
NUL_REASON = "contains a NUL character (0x00), which cannot be stored; remove it and import the file again"
YES_NO = {"yes": True, "no": False}


def register(kind: str, resource_class: type[CsvResource]) -> None:
    """Make `kind` importable by `import_csv` and the command. Registering twice is harmless."""
    existing = KINDS.get(kind)
    if existing is not None and existing is not resource_class:
        raise ImproperlyConfigured(f"Import kind {kind!r} is already registered by {existing.__qualname__}.")
    if resource_class.import_kind != kind:
        raise ImproperlyConfigured(f"{resource_class.__qualname__}.import_kind is not {kind!r}.")
    KINDS[kind] = resource_class


def get_resource_class(kind: str) -> type[CsvResource]:
    try:
        return KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(KINDS)) or "none"
        raise ValueError(f"Unknown import kind {kind!r}; known kinds: {known}.") from None


def cell(row: dict, column: str) -> str:
    """A cell's text, without surrounding spaces ("" when the column is missing or empty)."""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---- widgets: one cell in, a value or a reason out -----------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class TextWidget(widgets.Widget):
    """Text with surrounding spaces removed (and the quote an export put before a formula-like cell)."""

    def clean(self, value, row=None, **kwargs):
        return restore(_text(value)).strip()


class IsoDateWidget(widgets.DateWidget):
    """A date written YYYY-MM-DD (nothing else); an empty cell is no date.

    `invalid` replaces both reasons ("not written YYYY-MM-DD", "not a real date") with one,
    `{value}` standing for the cell.
    """

    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}$")

    def __init__(self, invalid: str = "", **kwargs):
        self.invalid = invalid
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            return None
        if not self.pattern.match(value):
            raise ValueError((self.invalid or "'{value}' is not a date written YYYY-MM-DD").format(value=value))
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError((self.invalid or "'{value}' is not a real date").format(value=value)) from None


class LookupWidget(widgets.Widget):
    """A cell read through a table of accepted spellings, `mapping` {spelling: value}.

    `fold` compares lower case; `blank` is what an empty cell means (a spelling to look up, or
    None for no value). `reason` explains a cell that is not in the table: `{value}` is the cell
    as written, `{key}` as looked up, `{known}` the spellings accepted. A kind whose table comes
    from the database fills `mapping` in `prepare()`.
    """

    def __init__(self, mapping=None, *, reason: str, fold: bool = True, blank=None, **kwargs):
        self.mapping = dict(mapping or {})
        self.reason, self.fold, self.blank = reason, fold, blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        key = (text.lower() if self.fold else text) or self.blank
        if key is None:
            return None
        if key not in self.mapping:
            known = ", ".join(sorted(self.mapping)) or "none"
            raise ValueError(self.reason.format(value=text, key=key, known=known))
        return self.mapping[key]


class ChoicesWidget(LookupWidget):
    """One of a TextChoices' values, such as `public` or `private`; an empty cell is ""."""

    def __init__(self, choices, **kwargs):
        values = [value for value, _label in choices]
        reason = f"'{{value}}' is not one of {', '.join(values)}"
        super().__init__({v: v for v in values} | {"": ""}, reason=reason, fold=False, blank="", **kwargs)


class YesNoWidget(LookupWidget):
    """`yes` or `no`; `blank` is what an empty cell means (None: no answer)."""

    def __init__(self, blank=None, **kwargs):
        mapping = YES_NO | ({"": blank} if blank is not None else {})
        super().__init__(
            mapping, reason="'{value}' is not yes or no", blank="" if blank is not None else None, **kwargs
        )

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("yes" if value else "no")


GRADE_LABELS = {label.lower(): value for value, label in Grade.choices}
GRADE_REASON = "'{value}' is not a grade; use one of " + ", ".join(label for _v, label in reversed(Grade.choices))


class GradeWidget(LookupWidget):
    """A grade by its label (`Good`), in any case."""

    def __init__(self, **kwargs):
        super().__init__(GRADE_LABELS, reason=GRADE_REASON, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return Grade(value).label if value else ""


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key named by its natural key ("unknown region code 'x'" when there is none).

    `CsvResource.before_import` looks up every value the file names in one query per
    LOOKUP_CHUNK (`preload`); `only` narrows the columns loaded. A resource copies its fields
    (and so its widgets) per instance, and an import makes one instance per file.
    """

    def __init__(self, model, field="code", label=None, only=(), **kwargs):
        self.label = label or f"{model._meta.verbose_name} {field}"
        self.only = tuple(only)
        self.found: dict[str, Any] = {}
        super().__init__(model, field=field, **kwargs)

    def lookup_queryset(self):
        queryset = self.model._default_manager.all()
        return queryset.only(self.field, *self.only) if self.only else queryset

    def preload(self, values) -> None:
        wanted = sorted({_text(v) for v in values} - {""} - self.found.keys())
        for chunk in chunks(wanted):
            for obj in self.lookup_queryset().filter(**{f"{self.field}__in": chunk}):
                self.found[getattr(obj, self.field)] = obj
            for value in chunk:
                self.found.setdefault(value, None)

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            return None
        if value not in self.found:
            self.preload([value])
        if self.found[value] is None:
            raise ValueError(f"unknown {self.label} '{value}'")
        return self.found[value]


# ---- the declaration ------------------------------------------------------------------------


def _next_line(index: int) -> int:
    """Row n of a dataset without blank lines is line n + 1 (the header is line 1)."""
    return index + 1


class CsvResource(SafeModelResource):
    """One import kind: its header, its fields (columns and lookups), its row rules.

    The class attributes and hooks are described in the module docstring; the methods below
    them are import-export's own hooks, shared by every kind.
    """

    import_kind: ClassVar[str] = ""
    columns: ClassVar[tuple[str, ...]] = ()
    optional_columns: ClassVar[tuple[str, ...]] = ()
    required: ClassVar[tuple[str, ...] | dict[str, str]] = ()
    natural_key: ClassVar[tuple[str, ...]] = ()
    # The column a row-wide reason (a unique constraint over several fields) is reported
    # against (the first natural-key column when unset), and the columns of model fields that
    # have no column of their own.
    non_field_column: ClassVar[str] = ""
    error_columns: ClassVar[dict[str, str]] = {}
    # True skips per-row queries re-checking what is known: the model's CheckConstraints (when
    # its clean() states each rule itself) and the foreign keys the widgets have just found.
    # The database still enforces both, so anything missed rolls the whole file back.
    lean_validation: ClassVar[bool] = False
    # True reads a line with fewer cells than the header as if the missing cells were empty
    # (spreadsheets drop empty trailing cells); a line with more cells is always refused.
    pad_short_rows: ClassVar[bool] = False

    class Meta:
        skip_unchanged = True  # a re-imported row is counted unchanged, not saved again
        report_skipped = True
        clean_model_instances = True  # the model's rules give their own reasons
        use_transactions = True  # the admin's confirm step too: a file is saved whole or not at all
        instance_loader_class = CachedInstanceLoader  # one query for the rows that exist already

    def __init__(self, *, html_diff: bool = True, **context):
        super().__init__(**context)
        self.file_errors: dict[int, dict[str, str]] = {}
        self.created: list = []
        self.user = None
        self._import_fields = None
        self._blank = None
        required = self.required
        self._required = required if isinstance(required, dict) else dict.fromkeys(required, REQUIRED)
        if not html_diff:  # the admin's preview shows diffs; a report does not
            self._meta = copy.copy(type(self)._meta)
            self._meta.skip_html_diff = True

    # -- the hooks a kind overrides --------------------------------------------------------

    @classmethod
    def allowed(cls, user) -> bool:
        """Who may import this kind through the web (default: quality admins)."""
        from .visibility import is_admin

        return is_admin(user)

    def prepare(self, rows: list[dict[str, str]]) -> None:
        """Called once per file before any row, with every row as a dict: preload lookups here."""

    def row_rules(self, row: dict[str, str], instance) -> dict[str, str]:
        """Reasons this row is bad, by column, beyond the widgets and `full_clean()`."""
        return {}

    def natural_key_of(self, row: dict[str, str]) -> tuple:
        return tuple(cell(row, column) for column in self.natural_key)

    def duplicate_reason(self, row: dict[str, str], first_line: int) -> tuple[str, str]:
        """(column, reason) for a row whose natural key an earlier line of the file has."""
        return self.natural_key[0], f"duplicate of line {first_line}"

    # -- file checks ---------------------------------------------------------------------------

    @classmethod
    def header_errors(cls, header: list[str]) -> list[tuple[str, str]]:
        expected = ", ".join(cls.columns)
        errors = []
        seen = set()
        for name in header:
            if name in seen:
                errors.append((name or "(blank)", "this column appears more than once"))
            elif name not in cls.columns and name not in cls.optional_columns:
                errors.append((name or "(blank)", f"unexpected column; the header must be: {expected}"))
            seen.add(name)
        errors.extend(
            (name, f"missing column; the header must be: {expected}") for name in cls.columns if name not in seen
        )
        return errors

    def duplicate_errors(self, rows: list[dict[str, str]], line_of=_next_line) -> dict[int, dict[str, str]]:
        """{row number (from 1, as import-export counts): {column: reason}} for repeated natural keys."""
        if not self.natural_key:
            return {}
        first_seen: dict[tuple, int] = {}
        errors: dict[int, dict[str, str]] = {}
        for number, row in enumerate(rows, 1):
            key = self.natural_key_of(row)
            if not all(key):
                continue
            if key in first_seen:
                column, reason = self.duplicate_reason(row, line_of(first_seen[key]))
                errors[number] = {column: reason}
            else:
                first_seen[key] = number
        return errors

    # -- import-export's hooks, the same for every kind -------------------------------------

    def before_import(self, dataset, **kwargs):
        self.file_errors = {}  # before anything can fail: import_instance reads it
        self.created = []
        self.user = kwargs.get("user") if getattr(kwargs.get("user"), "pk", None) else None
        super().before_import(dataset, **kwargs)
        header = [_text(h) for h in (dataset.headers or [])]
        problems = self.header_errors(header)
        if problems:
            raise ValueError("; ".join(f"{column}: {reason}" for column, reason in problems))
        nul_errors = _take_out_nul(dataset, header)
        rows = [dict(zip(header, values, strict=False)) for values in dataset]
        for f in self.get_import_fields():
            if isinstance(f.widget, CodeWidget) and f.column_name in header:
                f.widget.preload(row[f.column_name] for row in rows)
        self.prepare(rows)
        # import_csv passes each row's physical line; the admin's datasets have no blank lines.
        self.file_errors = self.duplicate_errors(rows, kwargs.get("line_of") or _next_line)
        for number, reasons in nul_errors.items():
            self.file_errors.setdefault(number, {}).update(reasons)

    def get_import_fields(self):
        # Asked for once or twice per row; the fields do not change during an import.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def init_instance(self, row=None):
        # `use_bulk` kinds (a year of audits) start each row from a copy of one blank instance:
        # Model.__init__ per row was a third of a dry run's time. Their models have no mutable
        # defaults to share, and the copy has a state of its own (Model.__getstate__).
        if not self._meta.use_bulk:
            return super().init_instance(row)
        if self._blank is None:
            self._blank = super().init_instance(row)
        return copy.copy(self._blank)

    def get_instance(self, instance_loader, row):
        # A row whose natural key cannot be read (an unknown code) is no existing row; the
        # widget gives the reason when import_instance reads the same cell.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        reasons = self._required_reasons(row)
        for column, reason in self.row_rules(row, instance).items():
            reasons.setdefault(column, reason)
        for column, reason in self.file_errors.get(kwargs.get("row_number"), {}).items():
            reasons.setdefault(column, reason)
        for column, reason in reasons.items():
            errors.setdefault(self.attribute_for(column), [ValidationError(reason)])
        if errors:
            raise ValidationError(errors)

    def _required_reasons(self, row) -> dict[str, str]:
        return {column: reason for column, reason in self._required.items() if not cell(row, column)}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not (self.lean_validation and self._meta.clean_model_instances):
            return super().validate_instance(instance, import_validation_errors, validate_unique)
        errors = _lean_full_clean(instance, dict(import_validation_errors or {}), validate_unique)
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """`use_bulk` kinds: a batch with its history rows, and nothing on a dry run or once a
        row has been refused (the whole file is rolled back then anyway)."""
        instances, self.create_instances = self.create_instances, []
        if dry_run or not instances or (result is not None and result.has_validation_errors()):
            return
        model = self._meta.model
        try:
            if hasattr(model, "history"):
                created = bulk_create_with_history(
                    instances,
                    model,
                    batch_size=batch_size or self._meta.batch_size,
                    default_user=self.user,
                    default_change_reason="Imported from CSV",
                )
            else:
                created = model.objects.bulk_create(instances, batch_size=batch_size or self._meta.batch_size)
            self.created.extend(created)
        except Exception as e:  # noqa: BLE001 - import-export reports it as the file's error
            self.handle_import_error(result, e, raise_errors)

    def after_import(self, dataset, result, **kwargs):
        # Not ModelResource's: it resets the table's id sequence, which only an import that
        # writes ids needs; no kind imports ids.
        pass

    # -- columns and model fields --------------------------------------------------------------

    def attribute_for(self, column: str) -> str:
        for f in self.get_import_fields():
            if f.column_name == column and f.attribute:
                return f.attribute
        return column

    def column_for(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return self.non_field_column or (self.natural_key[0] if self.natural_key else "row")
        for f in self.get_import_fields():
            if f.attribute == key:
                return f.column_name
        return self.error_columns.get(key, key)


def _take_out_nul(dataset, header: list[str]) -> dict[int, dict[str, str]]:
    """PostgreSQL cannot compare or store a NUL character: take it out of the row (so lookups
    still run) and refuse the row. import_csv refuses such rows before they get here; the
    admin's upload does not."""
    errors: dict[int, dict[str, str]] = {}
    for number, values in enumerate(list(dataset), 1):
        if any("\x00" in str(value or "") for value in values):
            errors[number] = {
                column: NUL_REASON for column, value in zip(header, values, strict=False) if "\x00" in str(value or "")
            }
            dataset[number - 1] = tuple(str(v).replace("\x00", "") if v is not None else v for v in values)
    return errors


def _lean_full_clean(instance, errors: dict, validate_unique: bool) -> dict:
    """Model.full_clean() without the queries `CsvResource.lean_validation` skips."""
    looked_up = {
        f.name for f in instance._meta.concrete_fields if f.many_to_one and getattr(instance, f.attname) is not None
    }
    try:
        instance.clean_fields(exclude=set(errors) | looked_up)
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as e:
        # One reason per cell: a column already refused (unknown, not a practitioner…)
        # needs no second reason from the rules across columns.
        for name, reasons in e.update_error_dict({}).items():
            errors.setdefault(name, reasons)
    exclude = {name for name in errors if name != NON_FIELD_ERRORS}
    if validate_unique:
        try:
            instance.validate_unique(exclude=exclude)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, CheckConstraint):
                continue
            try:
                constraint.validate(model_class, instance, exclude=exclude)
            except ValidationError as e:
                fields = getattr(constraint, "fields", ())
                if getattr(e, "code", None) == "unique" and len(fields) == 1:
                    errors.setdefault(fields[0], []).append(e)
                else:
                    errors = e.update_error_dict(errors)
    return errors


# ---- the report --------------------------------------------------------------------------


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new(self) -> int:
        """import-export's name for `created`."""
        return self.created

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    def shown_errors(self, limit: int = MAX_ERRORS_SHOWN) -> list[str]:
        """The first `limit` errors, then one line counting the rest."""
        return cap_errors(self.errors, limit)

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.kind}: {len(self.errors)} error(s); nothing was imported. "
                "Correct every line listed and import the whole file again."
            )
        verb = "would be" if self.dry_run else "were"
        note = " (dry run: nothing was saved)" if self.dry_run else ""
        return (
            f"{self.kind}: {self.created} {verb} created, {self.updated} {verb} updated, "
            f"{self.unchanged} unchanged{note}."
        )


def cap_errors(errors: list[str], limit: int = MAX_ERRORS_SHOWN) -> list[str]:
    if len(errors) <= limit:
        return list(errors)
    more = len(errors) - limit
    return [*errors[:limit], f"… and {more:,} more {'error' if more == 1 else 'errors'} not shown"]


# ---- reading the file ----------------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _too_big(size: int | None) -> str:
    limit = settings.IMPORT_MAX_BYTES
    how_big = f"is {_megabytes(size)}" if size is not None else f"is larger than {_megabytes(limit)}"
    return (
        f"line 1: file: the file {how_big}; files of up to {_megabytes(limit)} can be imported. "
        "Split it into smaller files and import each one"
    )


def _read_bytes(file) -> tuple[bytes | None, int | None]:
    """(the file's bytes, its size), or (None, size) when it is larger than IMPORT_MAX_BYTES:
    a file on disk is measured before it is read, a file object read no further than the limit."""
    limit = settings.IMPORT_MAX_BYTES
    if isinstance(file, bytes):
        return (file if len(file) <= limit else None), len(file)
    if isinstance(file, (str, Path)):
        size = Path(file).stat().st_size
        return (Path(file).read_bytes() if size <= limit else None), size
    data = file.read(limit + 1)
    data = data.encode("utf-8") if isinstance(data, str) else data
    if len(data) > limit:
        return None, getattr(file, "size", None)
    return data, len(data)


def _header_width(text: str) -> int:
    """How many columns the first non-blank line names, counted without parsing the file."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end]
        if line.strip():
            return line.count(",") + 1
        start = end + 1
    return 0


def file_problems(resource_class, data: bytes | None, size: int | None = None) -> tuple[str | None, list[str]]:
    """(the decoded text, []) or (None, [reason]) for a file refused before parsing: too
    large, not UTF-8, or a header far wider than any import (1,000,000 columns)."""
    if data is None or len(data) > settings.IMPORT_MAX_BYTES:
        return None, [_too_big(size if size is not None else (len(data) if data is not None else None))]
    text, problem = _decode(data)
    if problem:
        return None, [problem]
    width = _header_width(text)
    if width > settings.IMPORT_MAX_COLUMNS:
        columns = resource_class.columns
        return None, [
            f"line 1: header: the file has {width:,} columns; a {resource_class.import_kind} file has "
            f"{len(columns)}: {', '.join(columns)}"
        ]
    return text, []


def _decode(data: bytes) -> tuple[str | None, str | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, (
            f"line {line}: file: the file is not UTF-8 text (byte 0x{data[e.start]:02x} cannot be read); "
            "save it as 'CSV UTF-8' and import it again"
        )


def _records(text: str, how_many: int | None = None):
    """(first physical line, cells) for each non-blank CSV record (the first `how_many`)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    found = 0
    for cells in reader:
        if any(c.strip() for c in cells):
            yield line, cells
            found += 1
            if found == how_many:
                return
        line = reader.line_num + 1


def _empty_file(resource_class) -> str:
    return f"line 1: header: the file is empty; the header must be: {', '.join(resource_class.columns)}"


@dataclass
class CsvFile:
    """A file's header and rows, each row with its physical line; `errors` for the rows left out."""

    header_line: int
    header: list[str]
    lines: list[int] = field(default_factory=list)
    values: list[list[str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line_of(self, number: int) -> int:
        """The physical line of import-export's row `number` (counted from 1)."""
        return self.lines[number - 1]

    def dataset(self) -> tablib.Dataset:
        return tablib.Dataset(*self.values, headers=self.header)


def read_csv(resource_class, file) -> tuple[CsvFile | None, list[str]]:
    """The file's rows, or (None, [reason…]) when the file as a whole is refused."""
    text, problems = file_problems(resource_class, *_read_bytes(file))
    if problems:
        return None, problems
    try:
        records = list(_records(text))
    except csv.Error as e:
        return None, [f"line 1: file: this is not a readable CSV file ({e})"]
    if not records:
        return None, [_empty_file(resource_class)]
    (header_line, header_cells), data = records[0], records[1:]
    header = [c.strip() for c in header_cells]
    problems = [f"line {header_line}: {column}: {reason}" for column, reason in resource_class.header_errors(header)]
    if problems:
        return None, problems
    parsed = CsvFile(header_line, header)
    for line, cells in data:
        if len(cells) < len(header) and resource_class.pad_short_rows:
            cells = cells + [""] * (len(header) - len(cells))
        if len(cells) != len(header):
            parsed.errors.append(f"line {line}: row: has {len(cells)} cells but the header has {len(header)}")
            continue
        # PostgreSQL cannot store or even compare a NUL character: stop it here with a
        # reason rather than let the first query fail.
        nul_columns = [column for column, c in zip(header, cells, strict=True) if "\x00" in c]
        if nul_columns:
            parsed.errors.extend(f"line {line}: {column}: {NUL_REASON}" for column in nul_columns)
            continue
        parsed.lines.append(line)
        parsed.values.append(cells)
    return parsed, []


# ---- the import ------------------------------------------------------------------------------


def import_csv(kind: str, file, *, dry_run: bool = False, user=None) -> ImportReport:
    """Import one CSV file of a registered `kind`, all or nothing; see the module docstring."""
    return run_import(get_resource_class(kind), file, dry_run=dry_run, user=user)


def run_import(resource_class, file, *, dry_run: bool = False, user=None, **context) -> ImportReport:
    """Import one CSV file with `resource_class(**context)`, all or nothing, in one transaction."""
    if user is not None and not resource_class.allowed(user):
        raise PermissionDenied
    report = ImportReport(kind=resource_class.import_kind or resource_class.__name__, dry_run=dry_run)
    parsed, problems = read_csv(resource_class, file)
    if parsed is None:
        report.errors.extend(problems)
        return report
    report.errors.extend(parsed.errors)
    resource = resource_class(html_diff=False, **context)
    # import_data's transaction is rolled back on a dry run and when any row is refused; rows
    # refused before it (cells, NUL) make it a dry run, so their file is checked but not kept.
    result = resource.import_data(
        parsed.dataset(),
        dry_run=dry_run or bool(parsed.errors),
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
        line_of=parsed.line_of,
    )
    report.errors.extend(result_errors(result, resource, parsed))
    report.errors.sort(key=_line_number)
    if not report.errors:
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
        report.unchanged = result.totals.get("skip", 0)
    return report


def result_errors(result, resource: CsvResource, parsed: CsvFile) -> list[str]:
    """import-export's Result as `line N: column: reason`, by line, then in the header's order."""
    columns = resource.columns
    found: list[tuple[int, int, str]] = []
    for error in result.base_errors:
        found.append((parsed.header_line, 0, f"line {parsed.header_line}: file: {error.error}"))
    for invalid in result.invalid_rows:
        line = parsed.line_of(invalid.number)
        for key, reasons in invalid.error_dict.items():
            column = resource.column_for(key)
            order = columns.index(column) if column in columns else len(columns)
            found.extend((line, order, f"line {line}: {column}: {_reason(str(reason))}") for reason in reasons)
    for number, errors in result.row_errors():
        line = parsed.line_of(number)
        found.extend((line, len(columns), f"line {line}: row: {error.error}") for error in errors)
    return [message for _line, _order, message in sorted(found)]


def _reason(message: str) -> str:
    """Django's messages start with a capital and end with a full stop; ours read as a clause."""
    message = message.strip().rstrip(".")
    return message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message


def _line_number(message: str) -> int:
    match = re.match(r"line (\d+):", message)
    return int(match.group(1)) if match else 0


# ---- the admin -----------------------------------------------------------------------------


class CsvImportForm(ImportForm):
    """The admin's upload, checked as `import_csv` checks a file before anything is parsed:
    its size, its encoding, the width of its header, then the header itself (a duplicated
    or missing column gets its reason here, never a traceback from the import)."""

    csv_resource: type[CsvResource] | None = None

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        resource_class = self.csv_resource
        if resource_class is None:
            return upload
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(_too_big(upload.size))
        upload.seek(0)
        text, problems = file_problems(resource_class, upload.read(), upload.size)
        upload.seek(0)
        if problems:
            raise forms.ValidationError(problems)
        try:
            header = next((cells for _line, cells in _records(text, 1)), None)
        except csv.Error as e:
            raise forms.ValidationError(f"line 1: file: this is not a readable CSV file ({e})") from None
        if header is None:
            raise forms.ValidationError(_empty_file(resource_class))
        reasons = [
            f"line 1: {column}: {reason}"
            for column, reason in resource_class.header_errors([c.strip() for c in header])
        ]
        if reasons:
            raise forms.ValidationError(cap_errors(reasons))
        return upload


class CsvImportAdminMixin:
    """Admin import/export of a registered kind (put before ImportExportModelAdmin): the upload,
    import-export's preview (a dry run) and its confirm step run that kind's resource.

    Registries fill in `AppConfig.ready()`, after admin modules load, so the kind is looked up
    per request. The preview shows the first 100 errors and counts the rest, never a traceback.
    """

    import_kind: str = ""
    import_formats = [base_formats.CSV]
    import_form_class = CsvImportForm

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.csv_resource = get_resource_class(self.import_kind)
        return form

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if result is not None:
            _tidy_for_display(request, result)
        return response

    def get_import_resource_classes(self, request):
        return [get_resource_class(self.import_kind)]

    def get_export_resource_classes(self, request):
        return [get_resource_class(self.import_kind)]

    def get_import_data_kwargs(self, **kwargs) -> dict[str, Any]:
        data = super().get_import_data_kwargs(**kwargs)
        data["rollback_on_validation_errors"] = True
        return data

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # Every download from the admin goes in the access log: who exported which table, when.
        from .access_log import Kind, record_view

        data = super().get_export_data(file_format, request, queryset, **kwargs)
        record_view(request, Kind.EXPORT, object_id=f"admin:{self.model._meta.label_lower}")
        return data


def _tidy_for_display(request, result) -> None:
    """No traceback on the page (import-export prints one under every file-wide error), and
    no more than the first 100 errors: a file with thousands of bad rows gets a count."""
    for error in result.base_errors:
        error.traceback = ""  # a cached_property: this replaces it for the template
    shown = 0
    hidden = 0
    for row in result.rows:
        if row.errors:
            keep = max(0, MAX_ERRORS_SHOWN - shown)
            hidden += max(0, len(row.errors) - keep)
            row.errors = row.errors[:keep]
            shown += len(row.errors)
            for error in row.errors:
                error.traceback = ""
    invalid = result.invalid_rows
    if len(invalid) > MAX_ERRORS_SHOWN:
        hidden += len(invalid) - MAX_ERRORS_SHOWN
        result.invalid_rows = invalid[:MAX_ERRORS_SHOWN]
    if hidden:
        messages.warning(
            request,
            f"Only the first {MAX_ERRORS_SHOWN} problems are shown: {hidden:,} more were found. "
            "Nothing was imported; correct the file and upload it again.",
        )
