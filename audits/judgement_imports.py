"""`import_csv judgements FILE`: the criterion judgements of completed (historic) audits.

Columns (DESIGN.md): case_reference,template,criterion,grade,answer.

- The audit is THE completed audit of that case on that template (slug; empty = standard);
  a case with none, or with several, is a bad row (the file cannot say which).
- `criterion` is the criterion's code in the version of the template the audit was graded on.
- A graded criterion takes `grade` (a label) and no answer; a yes/no criterion takes
  `answer` (`yes`/`no`) and no grade.
- The limiting ceiling holds: a limiting criterion graded Requires improvement caps the
  overall grade, so it cannot be imported into an audit graded above Requires improvement.
- Idempotent: a judgement already recorded with the same value is unchanged; one recorded
  with another value is a bad row (a completed audit is not changed by import).

All or nothing with `line N: column: reason`, as every kind; checked against a handful of bulk
lookups (not a query per row), then `bulk_create` with history rows. The dashboards recompute
the (region, month) slices of the audits touched, after commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields
from import_export.results import Error, Result
from simple_history.utils import bulk_create_with_history

from audits.imports import DEFAULT_TEMPLATE, GRADE_LABELS, YES_NO, _cell, _chunks
from audits.models import Audit, AuditStatus, Criterion, CriterionKind, Grade, Judgement
from audits.signals import audits_imported
from cases.models import Case
from organisation.importing import CsvImporter
from organisation.spreadsheets import SafeModelResource

COLUMNS = ("case_reference", "template", "criterion", "grade", "answer")


@dataclass(frozen=True)
class ParsedJudgement:
    audit: Audit
    criterion: Criterion
    grade: int | None
    answer: bool | None

    @property
    def key(self) -> tuple:
        return (self.audit.pk, self.criterion.pk)

    @property
    def value(self) -> tuple:
        return (self.grade, self.answer)


class JudgementExportResource(SafeModelResource):
    """The contract's columns for judgements (the shape imported)."""

    case_reference = fields.Field(column_name="case_reference", attribute="audit__case__reference", readonly=True)
    template = fields.Field(column_name="template", attribute="audit__template__slug", readonly=True)
    criterion = fields.Field(column_name="criterion", attribute="criterion__code", readonly=True)
    grade = fields.Field(column_name="grade", readonly=True)
    answer = fields.Field(column_name="answer", readonly=True)

    class Meta:
        model = Judgement
        fields = COLUMNS
        export_order = COLUMNS

    def dehydrate_grade(self, judgement):
        return Grade(judgement.grade).label if judgement.grade else ""

    def dehydrate_answer(self, judgement):
        return {True: "yes", False: "no"}.get(judgement.answer, "")


class JudgementImporter(CsvImporter):
    kind = "judgements"
    columns = COLUMNS
    resource_class = JudgementExportResource
    required = ("case_reference", "criterion")
    natural_key = ("case_reference", "template", "criterion")

    # -- lookups, once per file ------------------------------------------------------

    def prepare(self, rows: list[dict[str, str]]) -> None:
        references = sorted({_cell(r, "case_reference") for r in rows} - {""})
        # (case reference, template slug) -> the completed audits of it
        self.audits: dict[tuple[str, str], list[Audit]] = defaultdict(list)
        self.known_cases: set[str] = set()
        for chunk in _chunks(references):
            self.known_cases.update(Case.objects.filter(reference__in=chunk).values_list("reference", flat=True))
            completed = Audit.objects.filter(case__reference__in=chunk, status=AuditStatus.COMPLETED)
            for audit in completed.select_related("template", "case").order_by("pk"):
                self.audits[(audit.case.reference, audit.template.slug)].append(audit)
        template_ids = sorted({a.template_id for audits in self.audits.values() for a in audits})
        # (template version id, code) -> criterion
        self.criteria: dict[tuple[int, str], Criterion] = {
            (c.template_id, c.code): c for c in Criterion.objects.filter(template_id__in=template_ids)
        }
        audit_ids = sorted({a.pk for audits in self.audits.values() for a in audits})
        self.existing: dict[tuple[int, int], tuple] = {}
        for chunk in _chunks(audit_ids):
            for audit_id, criterion_id, grade, answer in Judgement.objects.filter(audit_id__in=chunk).values_list(
                "audit_id", "criterion_id", "grade", "answer"
            ):
                self.existing[(audit_id, criterion_id)] = (grade, answer)

    # -- one row -------------------------------------------------------------------------

    def _audit(self, row, errors) -> Audit | None:
        reference = _cell(row, "case_reference")
        slug = _cell(row, "template").lower() or DEFAULT_TEMPLATE
        if not reference:
            return None
        if reference not in self.known_cases:
            errors["case_reference"] = f"unknown case reference '{reference}'"
            return None
        audits = self.audits.get((reference, slug), [])
        if not audits:
            errors["template"] = f"case '{reference}' has no completed audit on the template '{slug}'"
            return None
        if len(audits) > 1:
            errors["template"] = (
                f"case '{reference}' has {len(audits)} completed audits on the template '{slug}': "
                "the file cannot say which one these judgements belong to"
            )
            return None
        return audits[0]

    def _value(self, row, criterion: Criterion, errors) -> tuple[int | None, bool | None]:
        raw_grade, raw_answer = _cell(row, "grade"), _cell(row, "answer")
        if criterion.kind == CriterionKind.YES_NO:
            if raw_grade:
                errors["grade"] = f"'{criterion.code}' is a yes/no criterion: leave the grade empty and give an answer"
            answer = YES_NO.get(raw_answer.lower())
            if answer is None:
                missing = "a yes/no criterion needs an answer, yes or no"
                errors["answer"] = f"'{raw_answer}' is not yes or no" if raw_answer else missing
            return None, answer
        if raw_answer:
            errors["answer"] = f"'{criterion.code}' is a graded criterion: leave the answer empty and give a grade"
        grade = GRADE_LABELS.get(raw_grade.lower())
        if grade is None:
            labels = ", ".join(label for _value, label in reversed(Grade.choices))
            missing = "a graded criterion needs a grade"
            errors["grade"] = f"'{raw_grade}' is not a grade; use one of {labels}" if raw_grade else missing
        return grade, None

    def parse_row(self, row: dict[str, str]) -> tuple[ParsedJudgement | None, dict[str, str]]:
        errors = super().validate_row(row)
        audit = self._audit(row, errors)
        code = _cell(row, "criterion")
        criterion = None
        if audit is not None and code:
            criterion = self.criteria.get((audit.template_id, code))
            if criterion is None:
                errors["criterion"] = (
                    f"no criterion '{code}' in the version of '{audit.template.slug}' this audit was graded on"
                )
        if criterion is None:
            return None, errors
        grade, answer = self._value(row, criterion, errors)
        if (
            not errors
            and criterion.limiting
            and grade == Grade.REQUIRES_IMPROVEMENT
            and audit.overall_grade > Grade.REQUIRES_IMPROVEMENT
        ):
            errors["grade"] = (
                f"'{code}' is limiting: graded Requires improvement it caps the overall grade, but this audit's "
                f"overall grade is {Grade(audit.overall_grade).label}"
            )
        if errors:
            return None, errors
        return ParsedJudgement(audit, criterion, grade, answer), {}

    def validate_row(self, row: dict[str, str]) -> dict[str, str]:
        return self.parse_row(row)[1]

    # -- the file ------------------------------------------------------------------------

    def bound_resource_class(self):
        importer = self

        class BulkJudgementImport(JudgementExportResource):
            def import_data(self, dataset, dry_run=False, user=None, line_of=None, **kwargs):
                return importer.run(dataset, dry_run=dry_run, user=user, line_of=line_of)

        return BulkJudgementImport

    def _check(self, parsed: ParsedJudgement, first_line_of: dict, index: int, line_of) -> dict[str, str]:
        if parsed.key in first_line_of:
            return {"criterion": f"duplicate of line {line_of(first_line_of[parsed.key])}"}
        first_line_of[parsed.key] = index
        existing = self.existing.get(parsed.key)
        if existing is None or existing == parsed.value:
            return {}
        shown = Grade(existing[0]).label if existing[0] else {True: "yes", False: "no"}.get(existing[1], "nothing")
        column = "grade" if parsed.criterion.kind == CriterionKind.GRADED else "answer"
        return {column: f"this judgement is already recorded as {shown}; a completed audit is not changed by import"}

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
        to_create: list[ParsedJudgement] = []
        unchanged = 0
        for index, row in enumerate(rows, 1):
            parsed, errors = self.parse_row(row)
            if parsed is not None:
                errors = self._check(parsed, first_line_of, index, line_of)
                if not errors and parsed.key in self.existing:
                    unchanged += 1
                    continue
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

    def create(self, parsed_rows: list[ParsedJudgement], *, user=None) -> None:
        by = user if getattr(user, "pk", None) else None
        judgements = [
            Judgement(audit_id=p.audit.pk, criterion_id=p.criterion.pk, grade=p.grade, answer=p.answer)
            for p in parsed_rows
        ]
        with transaction.atomic():
            bulk_create_with_history(
                judgements, Judgement, batch_size=1000, default_user=by, default_change_reason="Imported from CSV"
            )
        audit_ids = sorted({p.audit.pk for p in parsed_rows})
        regions_months = {(p.audit.region_id, p.audit.completed_on.strftime("%Y-%m")) for p in parsed_rows}
        transaction.on_commit(
            lambda: audits_imported.send(sender=Audit, audit_ids=audit_ids, regions_months=regions_months)
        )
