"""`import_csv audits FILE`: historic completed audits, all or nothing, fast enough for 100,000 rows.

Columns (DESIGN.md): case_reference,template,auditor_username,completed_on,overall_grade,family_feedback.

Each good row becomes a COMPLETED audit on the current version of its template, with the
case's region, team and practitioner copied onto it and overall = final = suggested
grade. A row is identified by (case, auditor, completed_on, template slug): importing the
same file again changes nothing.

Declared like every kind (organisation/importing.py). What makes it fast enough for a year
of history: the widgets and `prepare` look every case, user, auditor, template and existing
audit up once per file, the rules check against those, and the rows go in through
import-export's `use_bulk` batches (with their history rows) instead of a query per row.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from import_export import fields
from import_export.instance_loaders import ModelInstanceLoader

from audits.models import Audit, AuditStatus, AuditTemplate
from audits.signals import audits_imported
from cases.models import Case
from organisation.importing import (
    CodeWidget,
    CsvResource,
    GradeWidget,
    IsoDateWidget,
    LookupWidget,
    YesNoWidget,
    cell,
    chunks,
)
from organisation.models import User
from organisation.roles import Role

DEFAULT_TEMPLATE = "standard"
COLUMNS = ("case_reference", "template", "auditor_username", "completed_on", "overall_grade", "family_feedback")
CASE_FIELDS = ("id", "region_id", "team_id", "practitioner_id", "received_on", "last_audit_grade", "last_audited_on")


class TemplateWidget(LookupWidget):
    """An audit template by slug, in any case; an empty cell is the standard template.

    The current versions are filled in by the resource's `prepare()`.
    """

    def __init__(self, **kwargs):
        super().__init__(reason="unknown audit template '{key}' (known: {known})", blank=DEFAULT_TEMPLATE, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


def template_slug(row) -> str:
    return cell(row, "template").lower() or DEFAULT_TEMPLATE


class AuditResource(CsvResource):
    """Completed audits in the contract's columns (imported, and what an export of them writes)."""

    import_kind = "audits"
    columns = COLUMNS
    required = ("case_reference", "auditor_username", "completed_on", "overall_grade", "family_feedback")
    natural_key = ("case_reference", "auditor_username", "completed_on", "template")

    case_reference = fields.Field(
        attribute="case",
        column_name="case_reference",
        widget=CodeWidget(Case, field="reference", label="case reference", only=CASE_FIELDS),
    )
    template = fields.Field(attribute="template", column_name="template", widget=TemplateWidget())
    auditor_username = fields.Field(
        attribute="auditor",
        column_name="auditor_username",
        widget=CodeWidget(User, field="username", label="user", only=("id",)),
    )
    completed_on = fields.Field(attribute="completed_on", column_name="completed_on", widget=IsoDateWidget())
    overall_grade = fields.Field(attribute="overall_grade", column_name="overall_grade", widget=GradeWidget())
    family_feedback = fields.Field(attribute="family_feedback", column_name="family_feedback", widget=YesNoWidget())

    class Meta:
        model = Audit
        fields = COLUMNS
        import_id_fields = ()
        instance_loader_class = ModelInstanceLoader
        force_init_instance = True  # an imported audit is new, or unchanged (skip_row), or refused
        skip_diff = True
        clean_model_instances = False  # the rules below state the model's rules, against preloaded data
        use_bulk = True
        batch_size = 1000

    def get_export_queryset(self, request=None):
        return Audit.objects.completed().select_related("case", "template", "auditor")

    # -- lookups, once per file ------------------------------------------------------

    def prepare(self, rows):
        self.today = timezone.localdate()
        self.now = timezone.now()
        templates = {t.slug: t for t in AuditTemplate.objects.filter(is_current=True)}
        self.fields["template"].widget.mapping = templates
        usernames = sorted({cell(r, "auditor_username") for r in rows} - {""})
        self.auditors: set[int] = set()
        for chunk in chunks(usernames):
            self.auditors.update(
                User.objects.filter(username__in=chunk, groups__name=Role.AUDITOR).values_list("pk", flat=True)
            )
        # What is already there, by natural key: a re-import counts such rows as unchanged.
        case_ids = sorted(case.pk for case in self.fields["case_reference"].widget.found.values() if case)
        self.existing: dict[tuple, tuple[int, bool]] = {}
        for chunk in chunks(case_ids):
            for case_id, auditor_id, completed_on, slug, grade, feedback in (
                Audit.objects.completed()
                .filter(case_id__in=chunk)
                .values_list(
                    "case_id", "auditor_id", "completed_on", "template__slug", "overall_grade", "family_feedback"
                )
            ):
                self.existing[(case_id, auditor_id, completed_on, slug)] = (grade, feedback)

    def natural_key_of(self, row):
        return (
            cell(row, "case_reference"),
            cell(row, "auditor_username"),
            cell(row, "completed_on"),
            template_slug(row),
        )

    # -- the rules ------------------------------------------------------------------------

    def row_rules(self, row, audit):
        case = audit.case if audit.case_id else None
        return {**self._auditor_rules(row, audit, case), **self._date_rules(row, audit, case), **self._existing(audit)}

    def _auditor_rules(self, row, audit, case) -> dict[str, str]:
        username = cell(row, "auditor_username")
        if audit.auditor_id is None:
            return {}
        if case is not None and case.practitioner_id == audit.auditor_id:
            reason = f"'{username}' is the case's practitioner: nobody may audit a case they are allocated to"
            return {"auditor_username": reason}
        if audit.auditor_id not in self.auditors:
            return {"auditor_username": f"'{username}' does not hold the auditor role"}
        return {}

    def _date_rules(self, row, audit, case) -> dict[str, str]:
        written = cell(row, "completed_on")
        if audit.completed_on is None:
            return {}
        if audit.completed_on > self.today:
            return {"completed_on": f"'{written}' is in the future"}
        if case is not None and audit.completed_on < case.received_on:
            return {"completed_on": f"'{written}' is before the case was received ({case.received_on.isoformat()})"}
        return {}

    def _existing(self, audit) -> dict[str, str]:
        existing = self.existing.get(self._key(audit))
        value = (audit.overall_grade, audit.family_feedback)
        if existing is None or existing == value or None in value:
            return {}
        grade = self.fields["overall_grade"].widget.render(existing[0])
        return {
            "overall_grade": f"this audit was already imported as {grade}, family feedback "
            f"{'yes' if existing[1] else 'no'}; a completed audit is not changed by import"
        }

    @staticmethod
    def _key(audit) -> tuple:
        slug = audit.template.slug if audit.template_id else None
        return (audit.case_id, audit.auditor_id, audit.completed_on, slug)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return self.existing.get(self._key(instance)) == (instance.overall_grade, instance.family_feedback)

    # -- writing ----------------------------------------------------------------------------

    def before_save_instance(self, audit, row, **kwargs):
        if kwargs.get("dry_run"):
            return  # nothing is written: the derived fields are not needed
        at = timezone.make_aware(datetime.datetime.combine(audit.completed_on, datetime.time(12)))
        audit.status = AuditStatus.COMPLETED
        audit.submitted_at = audit.completed_at = at
        audit.suggested_grade = audit.final_grade = audit.overall_grade
        audit.copy_from_case(audit.case)
        audit.created_at = self.now
        audit.created_by = self.user

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not self.created:
            return
        self.update_cases(self.created)
        audit_ids = [a.pk for a in self.created]
        regions_months = {(a.region_id, a.completed_on.strftime("%Y-%m")) for a in self.created}
        # One announcement for the whole file, after commit: the dashboards recompute each
        # (region, month) slice once instead of once per audit; a rollback announces nothing.
        transaction.on_commit(
            lambda: audits_imported.send(sender=Audit, audit_ids=audit_ids, regions_months=regions_months)
        )

    @staticmethod
    def update_cases(audits: list[Audit]) -> None:
        """Keep each case's latest audit grade current; an older audit never overwrites a newer one."""
        # By date, so each case ends with its latest audit (the file's later line on a tie).
        latest = {audit.case_id: audit for audit in sorted(audits, key=lambda audit: audit.completed_on)}
        changed = []
        for audit in latest.values():
            case = audit.case
            if case.last_audited_on is None or audit.completed_on >= case.last_audited_on:
                case.last_audit_grade, case.last_audited_on = audit.overall_grade, audit.completed_on
                changed.append(case)
        Case.objects.bulk_update(changed, ["last_audit_grade", "last_audited_on"], batch_size=1000)
