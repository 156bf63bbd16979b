"""Admin for audit templates (versioned on save), audits, moderations and learning actions."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from organisation.access_log import AccessLoggedAdminMixin, Kind
from organisation.admin_lists import ReadOnlyAdminMixin, VersionedAdminMixin
from organisation.importing import CsvImportAdminMixin

from .forms import AuditAdminForm, AuditTemplateAdminForm, CompletedAuditAdminForm, ModerationAdminForm
from .models import (
    Audit,
    AuditStatus,
    AuditTemplate,
    CalibrationParticipant,
    CalibrationSession,
    Criterion,
    Judgement,
    LearningAction,
    Moderation,
    Programme,
)
from .services.templates import CRITERION_FIELDS, template_in_use, template_revise
from .services.workflow import audit_cancel, audit_regrade


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = CRITERION_FIELDS
    extra = 1
    ordering = ["order"]


@admin.register(AuditTemplate)
class AuditTemplateAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Saving changes to a template that audits use makes a new version (see template_revise)."""

    form = AuditTemplateAdminForm
    inlines = [CriterionInline]
    list_display = ["name", "slug", "version", "is_current", "audit_count"]
    list_filter = ["is_current"]
    search_fields = ["name", "slug"]
    use_relation = "audits"
    row_model, row_fields = Criterion, CRITERION_FIELDS
    in_use_message = (
        "Audits use version {old} of this template, so your changes were saved as a new "
        "version ({new}). Audits already made keep the questions of version {old}."
    )

    @admin.display(description="Audits", ordering="uses")
    def audit_count(self, obj):
        return obj.uses

    def get_fields(self, request, obj=None):
        return (
            ["slug", "name", "description"] if obj is None else ["slug", "version", "is_current", "name", "description"]
        )

    def in_use(self, original):
        return template_in_use(original)

    def revise(self, request, form, original, rows):
        return template_revise(
            template=original,
            by=request.user,
            criteria=rows,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )


class JudgementInline(admin.TabularInline):
    model = Judgement
    fields = ["criterion", "grade", "answer", "evidence"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # judgements are made on the grading pages, which keep the version lock


@admin.register(Audit)
class AuditAdmin(AccessLoggedAdminMixin, CsvImportAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    """Create or correct an audit; Audit.clean refuses an auditor allocated to the case.

    Historic completed audits are imported here too, with the same preview as every kind.
    """

    access_kind = Kind.AUDIT
    import_kind = "audits"

    def access_case_reference(self, obj) -> str:
        return obj.case.reference

    form = AuditAdminForm
    inlines = [JudgementInline]
    actions = ["cancel_audits"]
    list_display = ["__str__", "auditor", "status", "due_on", "completed_on", "final_grade"]
    list_filter = ["status", "template"]
    search_fields = ["case__reference", "auditor__username", "auditor__full_name"]
    raw_id_fields = ["case", "auditor"]
    list_select_related = ["case", "auditor"]
    readonly_fields = [
        "status",
        "suggested_grade",
        "overall_grade",
        "final_grade",
        "completed_on",
        "region",
        "team",
        "practitioner",
        "version",
        "last_saved_by",
        "last_saved_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status == AuditStatus.COMPLETED:
            kwargs["form"] = CompletedAuditAdminForm  # correcting the grade, under the limiting ceiling
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == AuditStatus.COMPLETED:
            fields.remove("overall_grade")  # corrected through audit_regrade (save_model)
        if obj is not None and obj.status != AuditStatus.SCHEDULED:
            # Once grading has begun the judgements answer this template's questions about
            # this case: moving either would strand them (and rewrite a completed audit).
            fields += ["case", "template"]
        return fields

    @admin.action(description="Cancel the selected scheduled or in-progress audits")
    def cancel_audits(self, request, queryset):
        """Cancel through the service (who and when kept in history); other statuses are left alone."""
        cancelled, skipped = 0, 0
        for audit in queryset.select_related("case"):
            try:
                audit_cancel(audit=audit, by=request.user)
            except ValidationError:
                skipped += 1
            else:
                cancelled += 1
        if cancelled:
            self.message_user(request, f"{cancelled} audit(s) cancelled.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} audit(s) were not open (scheduled or in progress), so were left alone.",
                messages.WARNING,
            )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "template":
            kwargs["queryset"] = AuditTemplate.objects.filter(is_current=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        regraded = {"overall_grade", "rationale"} & set(form.changed_data)
        if change and obj.status == AuditStatus.COMPLETED and regraded:
            original = Audit.objects.select_related("case").get(pk=obj.pk)
            original.due_on = obj.due_on
            original.version = obj.version  # the version the page was opened at (Audit.save checks it)
            audit_regrade(
                audit=original,
                by=request.user,
                overall_grade=form.cleaned_data["overall_grade"],
                rationale=form.cleaned_data["rationale"],
            )
            return
        if not change:
            obj.created_by = request.user
        if change:  # the save bumps the version: grading pages opened before it can no longer save
            obj.last_saved_by, obj.last_saved_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(LearningAction)
class LearningActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "audit", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["audit"]


@admin.register(Moderation)
class ModerationAdmin(SimpleHistoryAdmin):
    """Assign (or re-assign) a moderator; the grade is recorded on the moderation page, where it
    becomes the audit's final grade, so it is read-only here."""

    form = ModerationAdminForm
    list_display = ["audit", "moderator", "grade", "completed_at"]
    raw_id_fields = ["audit", "moderator"]
    readonly_fields = ["grade", "notes", "sampled_at", "completed_at"]


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only here: programmes are defined, previewed and confirmed on /programmes/ (the draw's rules)."""

    list_display = ["name", "theme", "template", "size", "share", "confirmed_at"]
    search_fields = ["name", "theme"]

    may_delete = True  # deleting stays as Django's permissions say


class CalibrationParticipantInline(admin.TabularInline):
    model = CalibrationParticipant
    fields = ["auditor", "overall_grade", "submitted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only here: sessions are set up and graded on /audits/calibration/."""

    list_display = ["__str__", "region", "facilitator", "agreed_grade"]
    list_filter = ["region"]
    inlines = [CalibrationParticipantInline]

    may_delete = True  # deleting stays as Django's permissions say
