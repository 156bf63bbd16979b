"""The CSV import framework every app shares: a file with any bad row imports nothing.

Parsing and validation are django-import-export's: Python's `csv` module reads the
records (so each keeps its physical line number), they go into a `tablib.Dataset`, and
an import-export `ModelResource` turns each row into a model instance through its
widgets and the model's `full_clean()`. This module adds what the DESIGN.md contract
needs on top: an exact header, every bad row reported as `line N: column: reason`, one
transaction for the whole file, and idempotence by natural key.

Public interface (other apps build on these names):

- `KINDS: dict[str, type[CsvImporter]]` and `register(kind, importer)`. Apps register
  their kinds from `AppConfig.ready()` (organisation: regions, teams, users; cases:
  cases; audits: audits).
- `class CsvImporter`: subclass it per kind and set
    * `kind` — the name used on the command line;
    * `columns` — the exact header of the contract, in order;
    * `resource_class` — an import_export `ModelResource` whose fields have those
      column names, with `import_id_fields` = the natural key. Use the widgets below
      (`CodeWidget`, `IsoDateWidget`, `ChoicesWidget`, `TextWidget`) for clear reasons;
    * `required` — columns that must have a value ("a value is required");
    * `optional_columns` — columns a file may add after the contract's (a file without them
      imports as before; the model's default applies);
    * `natural_key` — columns that identify a row; a repeat within one file is an
      error on every later occurrence ("duplicate of line N");
    * `non_field_column` — where row-wide reasons go (default: the natural key);
    * `lean_validation` — True skips per-row queries re-checking what is known (check
      constraints the model's clean() restates, foreign keys the widgets just found).
  Hooks a subclass may override (call `super()`):
    * `prepare(rows)` — once per file, before any row, with every row as a dict
      (preload lookups here);
    * `validate_row(row) -> dict[column, reason]` — extra rules for one row beyond
      what the widgets and `Model.full_clean()` already check;
    * `allowed(user) -> bool` — who may import this kind through the web (default:
      quality admins).
- `import_csv(kind, file, *, dry_run=False, user=None) -> ImportReport`: `file` is a
  path, bytes, or a binary/text file object. `ImportReport` has `created`, `updated`,
  `unchanged`, `errors` (each `line N: column: reason`; line 1 is the header, so the
  first data row is line 2), `shown_errors()` (the first 100 and "… and N more") and `ok`.
  Before anything is parsed, a file larger than `settings.IMPORT_MAX_BYTES` or whose
  header has more than `settings.IMPORT_MAX_COLUMNS` columns is refused with one reason
  (`file_problems`), so a huge file costs a moment, not the worker. Every row is validated before anything is kept;
  any error (or `dry_run`) rolls the whole file back. Re-importing a file counts its
  rows as `unchanged` (import-export's `skip_unchanged`).
- `CsvImportAdminMixin` (with `import_kind`): put it before `ImportExportModelAdmin`
  so the admin's import preview runs the same checks as the command.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CheckConstraint
from import_export import resources, widgets
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.instance_loaders import CachedInstanceLoader

from .spreadsheets import restore

KINDS: dict[str, type[CsvImporter]] = {}
MAX_ERRORS_SHOWN = 100
NUL_REASON = "contains a NUL character (0x00), which cannot be stored; remove it and import the file again"


def register(kind: str, importer: type[CsvImporter]) -> None:
    """Make `kind` importable by `import_csv` and the command. Registering twice is harmless."""
    existing = KINDS.get(kind)
    if existing is not None and existing is not importer:
        raise ImproperlyConfigured(f"Import kind {kind!r} is already registered by {existing.__qualname__}.")
    if importer.kind != kind:
        raise ImproperlyConfigured(f"{importer.__qualname__}.kind is {importer.kind!r}, not {kind!r}.")
    KINDS[kind] = importer


def get_importer(kind: str) -> CsvImporter:
    try:
        return KINDS[kind]()
    except KeyError:
        known = ", ".join(sorted(KINDS)) or "none"
        raise ValueError(f"Unknown import kind {kind!r}; known kinds: {known}.") from None


# ---- widgets with reasons a person can act on ------------------------------------------


class TextWidget(widgets.Widget):
    """Text with surrounding spaces removed (and the quote an export put before a formula-like cell)."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else restore(str(value).strip()).strip()


class IsoDateWidget(widgets.DateWidget):
    """A date written YYYY-MM-DD (nothing else); an empty cell is no date."""

    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}$")

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            return None
        if not self.pattern.match(value):
            raise ValueError(f"'{value}' is not a date written YYYY-MM-DD")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a real date") from None


class ChoicesWidget(widgets.Widget):
    """One of a TextChoices' values, such as `public` or `private`."""

    def __init__(self, choices, **kwargs):
        self.values = [value for value, _label in choices]
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            return ""
        if value not in self.values:
            raise ValueError(f"'{value}' is not one of {', '.join(self.values)}")
        return value


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key named by a natural code ("unknown region code 'x'" when there is none).

    Lookups are remembered for the rest of the file: a resource copies its fields (and
    so its widgets) per instance, and `import_csv` makes one instance per file.
    """

    def __init__(self, model, field="code", label=None, **kwargs):
        self.label = label or f"{model._meta.verbose_name} {field}"
        super().__init__(model, field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            return None
        cache = self.__dict__.setdefault("_cache", {})
        if value not in cache:
            try:
                cache[value] = super().clean(value, row=row, **kwargs)
            except self.model.DoesNotExist:
                cache[value] = None
        if cache[value] is None:
            raise ValueError(f"unknown {self.label} '{value}'")
        return cache[value]


# ---- the importer ------------------------------------------------------------------------


class CsvImporter:
    """One import kind: its header, its resource, and the row rules beyond the model's."""

    kind: str = ""
    columns: tuple[str, ...] = ()
    resource_class: type[resources.ModelResource] | None = None
    required: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    natural_key: tuple[str, ...] = ()
    # Set True to skip per-row queries that re-check what is already known: the model's
    # CheckConstraints (when its clean() states each rule itself) and the existence of
    # foreign keys the widgets have just looked up. The database still enforces both on
    # save, so anything missed rolls the whole file back rather than slipping through.
    lean_validation: bool = False
    # The column a row-wide reason (a unique constraint over several fields) is reported
    # against; the first natural-key column when unset.
    non_field_column: str = ""

    # -- hooks ---------------------------------------------------------------------

    def allowed(self, user) -> bool:
        from .visibility import is_admin

        return is_admin(user)

    def prepare(self, rows: list[dict[str, str]]) -> None:
        """Called once per file before the rows are validated; preload lookups here."""

    def validate_row(self, row: dict[str, str]) -> dict[str, str]:
        """Reasons this row is bad, by column, beyond the widgets and `full_clean()`."""
        return {column: "a value is required" for column in self.required if not (row.get(column) or "").strip()}

    # -- machinery -----------------------------------------------------------------

    def header_errors(self, header: list[str]) -> list[tuple[str, str]]:
        expected = ", ".join(self.columns)
        errors = []
        seen = set()
        for name in header:
            if name in seen:
                errors.append((name or "(blank)", "this column appears more than once"))
            elif name not in self.columns and name not in self.optional_columns:
                errors.append((name or "(blank)", f"unexpected column; the header must be: {expected}"))
            seen.add(name)
        for name in self.columns:
            if name not in seen:
                errors.append((name, f"missing column; the header must be: {expected}"))
        return errors

    def duplicate_errors(
        self, rows: list[dict[str, str]], line_of=lambda index: index + 1
    ) -> dict[int, dict[str, str]]:
        """{row index (1-based, as import-export numbers rows): {column: reason}} for repeated natural keys."""
        if not self.natural_key:
            return {}
        first_seen: dict[tuple, int] = {}
        errors: dict[int, dict[str, str]] = {}
        for index, row in enumerate(rows, 1):
            key = tuple((row.get(c) or "").strip() for c in self.natural_key)
            if not all(key):
                continue
            if key in first_seen:
                errors[index] = {self.natural_key[0]: f"duplicate of line {line_of(first_seen[key])}"}
            else:
                first_seen[key] = index
        return errors

    def bound_resource_class(self) -> type[resources.ModelResource]:
        """The kind's resource, extended with this importer's header, file and row checks.

        Used by `import_csv` and by the admin (through `CsvImportAdminMixin`), so both
        report the same reasons.
        """
        if self.resource_class is None:
            raise ImproperlyConfigured(f"{type(self).__qualname__} has no resource_class.")
        importer = self

        class Bound(self.resource_class):
            def before_import(self, dataset, **kwargs):
                self._file_errors = {}  # before anything can fail: import_instance reads it
                super().before_import(dataset, **kwargs)
                header = [str(h or "").strip() for h in (dataset.headers or [])]
                problems = importer.header_errors(header)
                if problems:
                    raise ValueError("; ".join(f"{column}: {reason}" for column, reason in problems))
                # PostgreSQL cannot compare or store a NUL character: take it out of the
                # row (so lookups still run) and refuse the row. import_csv refuses such
                # rows before they get here; the admin's upload does not.
                nul_errors: dict[int, dict[str, str]] = {}
                for index, values in enumerate(list(dataset), 1):
                    if any("\x00" in str(value or "") for value in values):
                        nul_errors[index] = {
                            column: NUL_REASON
                            for column, value in zip(header, values, strict=False)
                            if "\x00" in str(value or "")
                        }
                        dataset[index - 1] = tuple(
                            str(value).replace("\x00", "") if value is not None else value for value in values
                        )
                rows = [dict(zip(header, values, strict=False)) for values in dataset]
                importer.prepare(rows)
                # import_csv passes the physical line of each row; the admin's
                # datasets have no blank lines, so row n is line n + 1 there.
                self._file_errors = importer.duplicate_errors(rows, kwargs.get("line_of") or (lambda i: i + 1))
                for index, reasons in nul_errors.items():
                    self._file_errors.setdefault(index, {}).update(reasons)

            def import_instance(self, instance, row, **kwargs):
                errors: dict[str, list] = {}
                try:
                    super().import_instance(instance, row, **kwargs)
                except ValidationError as e:
                    errors = e.update_error_dict(errors)
                extra = dict(importer.validate_row(row))
                for column, reason in self._file_errors.get(kwargs.get("row_number"), {}).items():
                    extra.setdefault(column, reason)
                for column, reason in extra.items():
                    errors.setdefault(self.attribute_for(column), [ValidationError(reason)])
                if errors:
                    raise ValidationError(errors)

            def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
                if not importer.lean_validation:
                    return super().validate_instance(instance, import_validation_errors, validate_unique)
                errors = _lean_full_clean(instance, dict(import_validation_errors or {}), validate_unique)
                if errors:
                    raise ValidationError(errors)

            def get_use_transactions(self):
                # The admin's confirm step too: a file is saved whole or not at all.
                return True

            def attribute_for(self, column: str) -> str:
                for f in self.get_import_fields():
                    if f.column_name == column and f.attribute:
                        return f.attribute
                return column

        Bound.__name__ = Bound.__qualname__ = self.resource_class.__name__
        # Idempotence by natural key: an unchanged row is skipped (and counted); every
        # instance is validated with full_clean() so model rules give their own reasons.
        Bound._meta.skip_unchanged = True
        Bound._meta.report_skipped = True
        Bound._meta.clean_model_instances = True
        Bound._meta.use_bulk = False
        if len(self.resource_class._meta.import_id_fields or ()) == 1:
            # One query for every existing row the file names, not one per row.
            Bound._meta.instance_loader_class = CachedInstanceLoader
        return Bound

    def column_for(self, resource, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return self.non_field_column or (self.natural_key[0] if self.natural_key else "row")
        for f in resource.get_import_fields():
            if f.attribute == key:
                return f.column_name
        return key


def _lean_full_clean(instance, errors: dict, validate_unique: bool) -> dict:
    """Model.full_clean() without the queries `CsvImporter.lean_validation` skips."""
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
        for name, messages in e.update_error_dict({}).items():
            errors.setdefault(name, messages)
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


def file_problems(importer: CsvImporter, data: bytes | None, size: int | None = None) -> tuple[str | None, list[str]]:
    """(the decoded text, []) or (None, [reason]) for a file refused before parsing: too
    large, not UTF-8, or a header far wider than any import (1,000,000 columns)."""
    if data is None or len(data) > settings.IMPORT_MAX_BYTES:
        return None, [_too_big(size if size is not None else (len(data) if data is not None else None))]
    text, problem = _decode(data)
    if problem:
        return None, [problem]
    width = _header_width(text)
    if width > settings.IMPORT_MAX_COLUMNS:
        return None, [
            f"line 1: header: the file has {width:,} columns; a {importer.kind} file has "
            f"{len(importer.columns)}: {', '.join(importer.columns)}"
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


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(first physical line, cells) for each non-blank CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    line = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            records.append((line, cells))
        line = reader.line_num + 1
    return records


# ---- the import ------------------------------------------------------------------------------


def import_csv(kind: str, file, *, dry_run: bool = False, user=None) -> ImportReport:
    """Import one CSV file of `kind`, all or nothing; see the module docstring."""
    importer = get_importer(kind)
    if user is not None and not importer.allowed(user):
        raise PermissionDenied
    report = ImportReport(kind=kind, dry_run=dry_run)

    text, problems = file_problems(importer, *_read_bytes(file))
    if problems:
        report.errors.extend(problems)
        return report
    try:
        records = _records(text)
    except csv.Error as e:
        report.errors.append(f"line 1: file: this is not a readable CSV file ({e})")
        return report
    if not records:
        report.errors.append(f"line 1: header: the file is empty; the header must be: {', '.join(importer.columns)}")
        return report

    (header_line, header_cells), data = records[0], records[1:]
    header = [cell.strip() for cell in header_cells]
    for column, reason in importer.header_errors(header):
        report.errors.append(f"line {header_line}: {column}: {reason}")
    if report.errors:
        return report

    lines: list[int] = []
    values: list[list[str]] = []
    for line, cells in data:
        if len(cells) != len(header):
            report.errors.append(f"line {line}: row: has {len(cells)} cells but the header has {len(header)}")
            continue
        # PostgreSQL cannot store or even compare a NUL character: stop it here with a
        # reason rather than let the first query fail.
        nul_columns = [column for column, cell in zip(header, cells, strict=True) if "\x00" in cell]
        if nul_columns:
            report.errors.extend(f"line {line}: {column}: {NUL_REASON}" for column in nul_columns)
            continue
        lines.append(line)
        values.append(cells)

    dataset = tablib.Dataset(*values, headers=header)
    resource_class = importer.bound_resource_class()
    resource_class._meta.skip_html_diff = True  # the admin's preview shows diffs; a report does not
    resource = resource_class()

    def line_of(index: int) -> int:
        return lines[index - 1]

    row_errors: list[tuple[int, int, str]] = []
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
            line_of=line_of,
        )
        for error in result.base_errors:
            row_errors.append((header_line, 0, f"line {header_line}: file: {error.error}"))
        for invalid in result.invalid_rows:
            line = line_of(invalid.number)
            for key, messages in invalid.error_dict.items():
                column = importer.column_for(resource, key)
                order = importer.columns.index(column) if column in importer.columns else len(importer.columns)
                for message in messages:
                    row_errors.append((line, order, f"line {line}: {column}: {_reason(str(message))}"))
        for number, errors in result.row_errors():
            line = line_of(number)
            for error in errors:
                row_errors.append((line, len(importer.columns), f"line {line}: row: {error.error}"))
        totals = result.totals
        report.created = totals.get("new", 0)
        report.updated = totals.get("update", 0)
        report.unchanged = totals.get("skip", 0)
        report.errors.extend(message for _line, _order, message in sorted(row_errors))
        report.errors.sort(key=_line_number)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    if report.errors:
        report.created = report.updated = report.unchanged = 0
    return report


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

    csv_importer: CsvImporter | None = None

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if self.csv_importer is None:
            return upload
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(_too_big(upload.size))
        upload.seek(0)
        text, problems = file_problems(self.csv_importer, upload.read(), upload.size)
        upload.seek(0)
        if problems:
            raise forms.ValidationError(problems)
        try:
            header = next((cells for _line, cells in _first_records(text, 1)), None)
        except csv.Error as e:
            raise forms.ValidationError(f"line 1: file: this is not a readable CSV file ({e})") from None
        if header is None:
            raise forms.ValidationError(
                f"line 1: header: the file is empty; the header must be: {', '.join(self.csv_importer.columns)}"
            )
        reasons = [
            f"line 1: {column}: {reason}"
            for column, reason in self.csv_importer.header_errors([cell.strip() for cell in header])
        ]
        if reasons:
            raise forms.ValidationError(cap_errors(reasons))
        return upload


def _first_records(text: str, how_many: int):
    reader = csv.reader(io.StringIO(text, newline=""))
    found = 0
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield reader.line_num, cells
            found += 1
            if found == how_many:
                return


class CsvImportAdminMixin:
    """Admin import/export with the same checks as `import_csv` (put before ImportExportModelAdmin).

    Registries fill in `AppConfig.ready()`, after admin modules load, so the kind is
    looked up per request. The preview shows the first 100 errors and counts the rest,
    and never a traceback.
    """

    import_kind: str = ""
    import_formats = [base_formats.CSV]
    import_form_class = CsvImportForm

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.csv_importer = get_importer(self.import_kind)
        return form

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if result is not None:
            _tidy_for_display(request, result)
        return response

    def get_import_resource_classes(self, request):
        return [get_importer(self.import_kind).bound_resource_class()]

    def get_export_resource_classes(self, request):
        return [get_importer(self.import_kind).resource_class]

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
