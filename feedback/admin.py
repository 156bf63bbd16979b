"""Quality admins see and correct feedback here, keep the question sets (versioned on save like audit
templates), the themes and the "you said, we did" list; links are listed without their secret."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from organisation.access_log import AccessLoggedAdminMixin, Kind
from organisation.admin_lists import SafeDateHierarchyMixin, VersionedAdminMixin
from organisation.importing import CsvImportAdminMixin

from .imports import FeedbackResource
from .models import Answer, Feedback, FeedbackRequest, Question, QuestionSet, Theme, YouSaidWeDid
from .questions import QUESTION_FIELDS, question_rows_problems, question_set_in_use, question_set_revise
from .signals import feedback_themes_changed


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "value"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # answers are given through the link or the staff form


@admin.register(Feedback)
class FeedbackAdmin(
    SafeDateHierarchyMixin, AccessLoggedAdminMixin, CsvImportAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin
):
    import_kind = FeedbackResource.import_kind
    access_kind = Kind.FEEDBACK

    def access_case_reference(self, obj) -> str:
        return obj.case.reference if obj.case_id else ""

    list_display = ["received_on", "kind", "respondent", "channel", "case", "region", "helpfulness", "complaint_stage"]
    list_filter = ["kind", "respondent", "channel", "region", "themes"]
    list_select_related = ["case", "region"]
    search_fields = ["case__reference", "comments"]
    raw_id_fields = ["case", "audit", "practitioner", "complaint_owner"]
    readonly_fields = ["question_set"]
    filter_horizontal = ["themes"]
    date_hierarchy = "received_on"
    inlines = [AnswerInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "themes" in form.changed_data:  # the dashboards' theme counts of its slice change
            feedback = form.instance
            transaction.on_commit(lambda: feedback_themes_changed.send(sender=Feedback, feedback=feedback))


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    list_display = ["case", "audience", "child_label", "automatic", "created_at", "handed_over_at", "used_at"]
    list_filter = ["audience", "automatic"]
    list_select_related = ["case"]
    readonly_fields = ["token_hash", "created_at", "handed_over_at", "handed_over_by", "used_at", "feedback"]
    raw_id_fields = ["case", "created_by"]


class QuestionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            {name: form.cleaned_data.get(name) for name in QUESTION_FIELDS}
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        problems = question_rows_problems(rows)
        if problems:
            raise ValidationError(problems)


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionFormSet
    fields = QUESTION_FIELDS
    extra = 1
    ordering = ["order"]


@admin.register(QuestionSet)
class QuestionSetAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Saving changes to a set that feedback used makes a new version (see question_set_revise)."""

    inlines = [QuestionInline]
    list_display = ["name", "slug", "version", "is_current", "ask_when_case_closes", "answered"]
    list_filter = ["is_current", "slug"]
    EDITABLE = ["name", "intro", "one_question_per_page", "ask_when_case_closes"]
    use_relation = "feedback"
    row_model, row_fields = Question, QUESTION_FIELDS
    in_use_message = (
        "Feedback was given on version {old}, so your changes were saved as version "
        "{new}. Answers already given keep the questions of version {old}."
    )

    @admin.display(description="Feedback given on it", ordering="uses")
    def answered(self, obj):
        return obj.uses

    def get_fields(self, request, obj=None):
        return ["slug", *self.EDITABLE] if obj is None else ["slug", "version", "is_current", *self.EDITABLE]

    def has_delete_permission(self, request, obj=None):
        return False  # every link needs its audience's current set; old ones hold answers

    def in_use(self, original):
        return question_set_in_use(original)

    def revise(self, request, form, original, rows):
        return question_set_revise(
            question_set=original, questions=rows, **{n: form.cleaned_data[n] for n in self.EDITABLE}
        )


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "description"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(YouSaidWeDid)
class YouSaidWeDidAdmin(admin.ModelAdmin):
    list_display = ["region", "theme", "you_said", "done_on", "plan_action"]
    list_filter = ["region", "theme"]
    list_select_related = ["region", "theme"]
