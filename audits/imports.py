"""`import_csv audits FILE`: historic completed audits, all or nothing, fast enough for 100,000 rows.

Columns (DESIGN.md): case_reference,template,auditor_username,completed_on,overall_grade,family_feedback.

Each good row becomes a COMPLETED audit on the current version of its template, with the
case's region, team and practitioner copied onto it and overall = final = suggested
grade. A row is identified by (case, auditor, completed_on, template slug): importing the
same file again changes nothing.

Why this importer does not run rows through import-export one by one, as the other
kinds do: per row that means a lookup of the instance, six foreign-key `exists()`
checks and a constraint query from `full_clean()`, then an INSERT — hundreds of
thousands of queries for a year of history. Instead the file is checked against a
handful of bulk lookups (cases, users, auditors, templates and existing audits loaded
once into dicts) with the same reasons the model would give, and the good rows go in
with `bulk_create` (with their history rows). The framework's contract is kept: the
same header check, `line N: column: reason` errors, one transaction, dry runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from import_export import fields
from import_export.results import Error, Result
from simple_history.utils import bulk_create_with_history

from audits.models import Audit, AuditStatus, AuditTemplate, Grade
from audits.signals import audits_imported
from cases.models import Case
from organisation.importing import CsvImporter, IsoDateWidget
from organisation.models import User
from organisation.roles import Role
from organisation.spreadsheets import SafeModelResource

DEFAULT_TEMPLATE = "standard"
GRADE_LABELS = {label.lower(): value for value, label in Grade.choices}
YES_NO = {"yes": True, "no": False}
LOOKUP_CHUNK = 2000  # keeps every IN (...) well under SQLite's variable limit
BATCH_SIZE = 1000


def _cell(row: dict, column: str) -> str:
    return (row.get(column) or "").strip()


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class ParsedRow:
    case: Case
    template: AuditTemplate
    auditor_id: int
    completed_on: datetime.date
    grade: int
    family_feedback: bool

    @property
    def key(self) -> tuple:
        return (self.case.pk, self.auditor_id, self.completed_on, self.template.slug)


class AuditExportResource(SafeModelResource):
    """The contract's columns for completed audits (what the admin exports, and the shape imported)."""

    case_reference = fields.Field(column_name="case_reference", attribute="case__reference", readonly=True)
    template = fields.Field(column_name="template", attribute="template__slug", readonly=True)
    auditor_username = fields.Field(column_name="auditor_username", attribute="auditor__username", readonly=True)
    completed_on = fields.Field(column_name="completed_on", attribute="completed_on", readonly=True)
    overall_grade = fields.Field(column_name="overall_grade", readonly=True)
    family_feedback = fields.Field(column_name="family_feedback", readonly=True)

    class Meta:
        model = Audit
        fields = ("case_reference", "template", "auditor_username", "completed_on", "overall_grade", "family_feedback")
        export_order = (
            "case_reference",
            "template",
            "auditor_username",
            "completed_on",
            "overall_grade",
            "family_feedback",
        )

    def get_export_queryset(self, request=None):
        return Audit.objects.completed().select_related("case", "template", "auditor")

    def dehydrate_overall_grade(self, audit):
        return Grade(audit.overall_grade).label if audit.overall_grade else ""

    def dehydrate_family_feedback(self, audit):
        return "yes" if audit.family_feedback else "no"


class AuditImporter(CsvImporter):
    kind = "audits"
    columns = ("case_reference", "template", "auditor_username", "completed_on", "overall_grade", "family_feedback")
    resource_class = AuditExportResource
    required = ("case_reference", "auditor_username", "completed_on", "overall_grade", "family_feedback")
    natural_key = ("case_reference", "auditor_username", "completed_on", "template")

    # -- lookups, once per file ------------------------------------------------------

    def prepare(self, rows: list[dict[str, str]]) -> None:
        self.today = timezone.localdate()
        references = sorted({_cell(r, "case_reference") for r in rows} - {""})
        self.cases: dict[str, Case] = {}
        for chunk in _chunks(references):
            for case in Case.objects.filter(reference__in=chunk).only(
                "id", "reference", "region_id", "team_id", "practitioner_id", "received_on",
                "last_audit_grade", "last_audited_on",
            ):  # fmt: skip
                self.cases[case.reference] = case
        usernames = sorted({_cell(r, "auditor_username") for r in rows} - {""})
        self.users: dict[str, int] = {}
        self.auditors: set[int] = set()
        for chunk in _chunks(usernames):
            self.users.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
            self.auditors.update(
                User.objects.filter(username__in=chunk, groups__name=Role.AUDITOR).values_list("pk", flat=True)
            )
        self.templates = {t.slug: t for t in AuditTemplate.objects.filter(is_current=True)}
        # What is already there, by natural key: a re-import counts such rows as unchanged.
        self.existing: dict[tuple, tuple[int, bool]] = {}
        case_ids = sorted(case.pk for case in self.cases.values())
        for chunk in _chunks(case_ids):
            for case_id, auditor_id, completed_on, slug, grade, feedback in (
                Audit.objects.completed()
                .filter(case_id__in=chunk)
                .values_list(
                    "case_id", "auditor_id", "completed_on", "template__slug", "overall_grade", "family_feedback"
                )
            ):
                self.existing[(case_id, auditor_id, completed_on, slug)] = (grade, feedback)

    # -- one row -------------------------------------------------------------------------

    def parse_row(self, row: dict[str, str]) -> tuple[ParsedRow | None, dict[str, str]]:
        """The row's values, or {column: reason} for each bad cell (every reason, not just the first)."""
        errors = super().validate_row(row)  # "a value is required"

        reference = _cell(row, "case_reference")
        case = self.cases.get(reference)
        if reference and case is None:
            errors["case_reference"] = f"unknown case reference '{reference}'"

        slug = _cell(row, "template").lower() or DEFAULT_TEMPLATE  # slugs are lower case: "Standard" means standard
        template = self.templates.get(slug)
        if template is None:
            known = ", ".join(sorted(self.templates)) or "none"
            errors["template"] = f"unknown audit template '{slug}' (known: {known})"

        username = _cell(row, "auditor_username")
        auditor_id = self.users.get(username)
        if username and auditor_id is None:
            errors["auditor_username"] = f"unknown user '{username}'"
        elif auditor_id is not None and case is not None and case.practitioner_id == auditor_id:
            errors["auditor_username"] = (
                f"'{username}' is the case's practitioner: nobody may audit a case they are allocated to"
            )
        elif auditor_id is not None and auditor_id not in self.auditors:
            errors["auditor_username"] = f"'{username}' does not hold the auditor role"

        completed_on = None
        raw_date = _cell(row, "completed_on")
        if raw_date:
            try:
                completed_on = IsoDateWidget().clean(raw_date)
            except ValueError as e:
                errors["completed_on"] = str(e)
            else:
                if completed_on > self.today:
                    errors["completed_on"] = f"'{raw_date}' is in the future"
                elif case is not None and completed_on < case.received_on:
                    errors["completed_on"] = (
                        f"'{raw_date}' is before the case was received ({case.received_on.isoformat()})"
                    )

        raw_grade = _cell(row, "overall_grade")
        grade = GRADE_LABELS.get(raw_grade.lower())
        if raw_grade and grade is None:
            labels = ", ".join(label for _value, label in reversed(Grade.choices))
            errors["overall_grade"] = f"'{raw_grade}' is not a grade; use one of {labels}"

        raw_feedback = _cell(row, "family_feedback")
        feedback = YES_NO.get(raw_feedback.lower())
        if raw_feedback and feedback is None:
            errors["family_feedback"] = f"'{raw_feedback}' is not yes or no"

        if errors:
            return None, errors
        return ParsedRow(case, template, auditor_id, completed_on, grade, feedback), {}

    def validate_row(self, row: dict[str, str]) -> dict[str, str]:
        return self.parse_row(row)[1]

    # -- the file ------------------------------------------------------------------------

    def bound_resource_class(self):
        importer = self

        class BulkAuditImport(AuditExportResource):
            """Adapts the bulk path to what `import_csv` reads from an import-export Result."""

            def import_data(self, dataset, dry_run=False, user=None, line_of=None, **kwargs):
                return importer.run(dataset, dry_run=dry_run, user=user, line_of=line_of)

        return BulkAuditImport

    def run(self, dataset, *, dry_run: bool, user=None, line_of=None) -> Result:
        result = Result()
        header = [str(h or "").strip() for h in (dataset.headers or [])]
        result.add_dataset_headers(header)
        problems = self.header_errors(header)
        if problems:
            result.append_base_error(Error("; ".join(f"{column}: {reason}" for column, reason in problems)))
            return result
        line_of = line_of or (lambda index: index + 1)
        rows = [dict(zip(header, values, strict=False)) for values in dataset]
        self.prepare(rows)

        first_line_of: dict[tuple, int] = {}
        to_create: list[ParsedRow] = []
        unchanged = 0
        for index, row in enumerate(rows, 1):
            parsed, errors = self.parse_row(row)
            if parsed is not None:
                if parsed.key in first_line_of:
                    errors["case_reference"] = f"duplicate of line {line_of(first_line_of[parsed.key])}"
                else:
                    first_line_of[parsed.key] = index
                    existing = self.existing.get(parsed.key)
                    if existing == (parsed.grade, parsed.family_feedback):
                        unchanged += 1
                        continue
                    if existing is not None:
                        errors["overall_grade"] = (
                            f"this audit was already imported as {Grade(existing[0]).label}, family feedback "
                            f"{'yes' if existing[1] else 'no'}; a completed audit is not changed by import"
                        )
            if errors:
                result.append_invalid_row(index, row, ValidationError({c: [r] for c, r in errors.items()}))
            else:
                to_create.append(parsed)

        result.totals["invalid"] = len(result.invalid_rows)
        result.totals["skip"] = unchanged
        result.totals["new"] = len(to_create)
        if to_create and not result.invalid_rows and not dry_run:
            self.create(to_create, user=user)
        return result

    def create(self, parsed_rows: list[ParsedRow], *, user=None) -> list[Audit]:
        """Insert the audits (with their history rows), update the cases' last grade, announce on commit."""
        now = timezone.now()
        by = user if getattr(user, "pk", None) else None
        audits = []
        for p in parsed_rows:
            at = timezone.make_aware(datetime.datetime.combine(p.completed_on, datetime.time(12)))
            audits.append(
                Audit(
                    case_id=p.case.pk,
                    template_id=p.template.pk,
                    auditor_id=p.auditor_id,
                    status=AuditStatus.COMPLETED,
                    submitted_at=at,
                    completed_at=at,
                    completed_on=p.completed_on,
                    suggested_grade=p.grade,
                    overall_grade=p.grade,
                    final_grade=p.grade,
                    family_feedback=p.family_feedback,
                    region_id=p.case.region_id,
                    team_id=p.case.team_id,
                    practitioner_id=p.case.practitioner_id,
                    created_at=now,
                    created_by=by,
                )
            )
        with transaction.atomic():
            created = bulk_create_with_history(
                audits, Audit, batch_size=BATCH_SIZE, default_user=by, default_change_reason="Imported from CSV"
            )
            self.update_cases(parsed_rows)
        audit_ids = [a.pk for a in created]
        regions_months = {(p.case.region_id, p.completed_on.strftime("%Y-%m")) for p in parsed_rows}
        # One announcement for the whole file, after commit: the dashboards recompute each
        # (region, month) slice once instead of once per audit; a rollback announces nothing.
        transaction.on_commit(
            lambda: audits_imported.send(sender=Audit, audit_ids=audit_ids, regions_months=regions_months)
        )
        return created

    def update_cases(self, parsed_rows: list[ParsedRow]) -> None:
        """Keep each case's latest audit grade current; an older audit never overwrites a newer one."""
        latest: dict[int, ParsedRow] = {}
        for p in parsed_rows:
            best = latest.get(p.case.pk)
            if best is None or p.completed_on >= best.completed_on:
                latest[p.case.pk] = p
        changed = []
        for p in latest.values():
            case = p.case
            if case.last_audited_on is None or p.completed_on >= case.last_audited_on:
                case.last_audit_grade, case.last_audited_on = p.grade, p.completed_on
                changed.append(case)
        Case.objects.bulk_update(changed, ["last_audit_grade", "last_audited_on"], batch_size=BATCH_SIZE)
