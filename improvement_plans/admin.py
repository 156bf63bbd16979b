"""Admin for improvement plans, with change history (django-simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ["ref", "order", "what"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "region", "owner", "owner_text", "review_on", "status"]
    list_filter = ["status", "region"]
    search_fields = ["title", "purpose"]
    inlines = [ObjectiveInline]
    raw_id_fields = ["owner"]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "ref", "order", "what"]
    list_filter = ["plan"]
    search_fields = ["what", "learning_source"]
    list_select_related = ["plan"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "objective", "owner_roles", "due_on", "due_phrase", "review_on", "status", "completed_on"]
    list_filter = ["status", "objective__plan"]
    search_fields = ["how", "owner_roles"]
    filter_horizontal = ["owners"]
    list_select_related = ["objective"]


@admin.register(SuccessMeasure)
class SuccessMeasureAdmin(SimpleHistoryAdmin):
    list_display = ["description", "plan", "kpi", "scope", "region", "baseline", "target", "target_on"]
    list_filter = ["plan", "kpi", "scope"]
    search_fields = ["description"]
    list_select_related = ["plan", "region"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["on", "action", "measure", "author", "rag", "narrative"]
    list_filter = ["rag"]
    search_fields = ["narrative"]
    raw_id_fields = ["action", "measure", "author"]
    list_select_related = ["action", "measure", "author"]
