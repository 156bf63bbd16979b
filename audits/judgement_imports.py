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

Declared like every kind (organisation/importing.py); which audit and criterion a row means,
and whether it takes a grade or an answer, depend on several columns, so the row rules decide
them, against lookups made once per file. The rows go in through import-export's `use_bulk`
batches with their history rows; the dashboards recompute the (region, month) slices of the
audits touched, after commit.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from import_export import fields
from import_export.instance_loaders import ModelInstanceLoader

from audits.imports import template_slug
from audits.models import Audit, AuditStatus, Criterion, CriterionKind, Grade, Judgement
from audits.signals import audits_imported
from cases.models import Case
from organisation.importing import GRADE_LABELS, GRADE_REASON, YES_NO, CsvResource, cell, chunks

COLUMNS = ("case_reference", "template", "criterion", "grade", "answer")
YES_NO_SHOWN = {True: "yes", False: "no"}


class JudgementResource(CsvResource):
    """Judgements in the contract's columns (the shape imported and exported)."""

    import_kind = "judgements"
    columns = COLUMNS
    required = ("case_reference", "criterion")
    natural_key = ("case_reference", "template", "criterion")

    case_reference = fields.Field(column_name="case_reference", attribute="audit__case__reference", readonly=True)
    template = fields.Field(column_name="template", attribute="audit__template__slug", readonly=True)
    criterion = fields.Field(column_name="criterion", attribute="criterion__code", readonly=True)
    grade = fields.Field(column_name="grade", attribute="grade", readonly=True)
    answer = fields.Field(column_name="answer", attribute="answer", readonly=True)

    class Meta:
        model = Judgement
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ()
        instance_loader_class = ModelInstanceLoader
        force_init_instance = True  # a judgement is new, or unchanged (skip_row), or refused
        skip_diff = True
        clean_model_instances = False  # the rules below state the model's rules, against preloaded data
        use_bulk = True
        batch_size = 1000

    def dehydrate_grade(self, judgement):
        return Grade(judgement.grade).label if judgement.grade else ""

    def dehydrate_answer(self, judgement):
        return YES_NO_SHOWN.get(judgement.answer, "")

    # -- lookups, once per file ------------------------------------------------------

    def prepare(self, rows):
        references = sorted({cell(r, "case_reference") for r in rows} - {""})
        # (case reference, template slug) -> the completed audits of it
        self.audits: dict[tuple[str, str], list[Audit]] = defaultdict(list)
        self.known_cases: set[str] = set()
        for chunk in chunks(references):
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
        for chunk in chunks(audit_ids):
            for audit_id, criterion_id, grade, answer in Judgement.objects.filter(audit_id__in=chunk).values_list(
                "audit_id", "criterion_id", "grade", "answer"
            ):
                self.existing[(audit_id, criterion_id)] = (grade, answer)

    def natural_key_of(self, row):
        return (cell(row, "case_reference"), template_slug(row), cell(row, "criterion"))

    def duplicate_reason(self, row, first_line):
        return "criterion", f"duplicate of line {first_line}"

    # -- the rules: they decide the audit, the criterion and the value -----------------------

    def row_rules(self, row, judgement):
        errors: dict[str, str] = {}
        audit = self._audit(row, errors)
        code = cell(row, "criterion")
        criterion = self.criteria.get((audit.template_id, code)) if audit is not None and code else None
        if audit is not None and code and criterion is None:
            errors["criterion"] = (
                f"no criterion '{code}' in the version of '{audit.template.slug}' this audit was graded on"
            )
        if criterion is None:
            return errors
        judgement.audit, judgement.criterion = audit, criterion
        judgement.grade, judgement.answer = self._value(row, criterion, errors)
        if not errors:
            errors.update(self._ceiling(judgement) or self._existing(judgement))
        return errors

    def _audit(self, row, errors) -> Audit | None:
        reference, slug = cell(row, "case_reference"), template_slug(row)
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

    @staticmethod
    def _value(row, criterion: Criterion, errors) -> tuple[int | None, bool | None]:
        raw_grade, raw_answer = cell(row, "grade"), cell(row, "answer")
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
            missing = "a graded criterion needs a grade"
            errors["grade"] = GRADE_REASON.format(value=raw_grade) if raw_grade else missing
        return grade, None

    @staticmethod
    def _ceiling(judgement) -> dict[str, str]:
        criterion, audit = judgement.criterion, judgement.audit
        capped = criterion.limiting and judgement.grade == Grade.REQUIRES_IMPROVEMENT
        if not capped or audit.overall_grade <= Grade.REQUIRES_IMPROVEMENT:
            return {}
        return {
            "grade": f"'{criterion.code}' is limiting: graded Requires improvement it caps the overall "
            f"grade, but this audit's overall grade is {Grade(audit.overall_grade).label}"
        }

    def _existing(self, judgement) -> dict[str, str]:
        existing = self.existing.get((judgement.audit_id, judgement.criterion_id))
        if existing is None or existing == (judgement.grade, judgement.answer):
            return {}
        shown = Grade(existing[0]).label if existing[0] else YES_NO_SHOWN.get(existing[1], "nothing")
        column = "grade" if judgement.criterion.kind == CriterionKind.GRADED else "answer"
        return {column: f"this judgement is already recorded as {shown}; a completed audit is not changed by import"}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and (instance.audit_id, instance.criterion_id) in self.existing

    # -- writing ----------------------------------------------------------------------------

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not self.created:
            return
        audits = {j.audit_id: j.audit for j in self.created}
        audit_ids = sorted(audits)
        regions_months = {(a.region_id, a.completed_on.strftime("%Y-%m")) for a in audits.values()}
        transaction.on_commit(
            lambda: audits_imported.send(sender=Audit, audit_ids=audit_ids, regions_months=regions_months)
        )
