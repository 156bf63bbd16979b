"""Writes with rules for the audits app (grading, workflow, templates, moderation)."""

from .grading import (
    Suggestion,
    applicable_criteria,
    ceiling_error,
    criterion_applies,
    grade_ceiling,
    suggested_grade,
)
from .moderation import moderation_record, moderation_sample
from .templates import template_criteria_rows, template_in_use, template_revise
from .workflow import (
    AuditVersionConflict,
    JudgementInput,
    audit_cancel,
    audit_complete,
    audit_create,
    audit_missing_answers,
    audit_regrade,
    audit_save_section,
    audit_submit,
    learning_action_add,
)

__all__ = [
    "AuditVersionConflict",
    "JudgementInput",
    "Suggestion",
    "applicable_criteria",
    "audit_cancel",
    "audit_complete",
    "audit_create",
    "audit_missing_answers",
    "audit_regrade",
    "audit_save_section",
    "audit_submit",
    "ceiling_error",
    "criterion_applies",
    "grade_ceiling",
    "learning_action_add",
    "moderation_record",
    "moderation_sample",
    "suggested_grade",
    "template_criteria_rows",
    "template_in_use",
    "template_revise",
]
