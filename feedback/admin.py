"""Quality admins see and correct feedback here; links are listed without their secret."""

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from organisation.access_log import AccessLoggedAdminMixin, Kind
from organisation.admin_lists import SafeDateHierarchyMixin
from organisation.importing import CsvImportAdminMixin

from .imports import FeedbackImporter
from .models import Feedback, FeedbackRequest


@admin.register(Feedback)
class FeedbackAdmin(
    SafeDateHierarchyMixin, AccessLoggedAdminMixin, CsvImportAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin
):
    import_kind = FeedbackImporter.kind
    access_kind = Kind.FEEDBACK

    def access_case_reference(self, obj) -> str:
        return obj.case.reference if obj.case_id else ""

    list_display = ["received_on", "kind", "respondent", "channel", "case", "region", "helpfulness", "complaint_stage"]
    list_filter = ["kind", "respondent", "channel", "region"]
    list_select_related = ["case", "region"]
    search_fields = ["case__reference", "comments"]
    raw_id_fields = ["case", "audit", "practitioner"]
    date_hierarchy = "received_on"


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    list_display = ["case", "respondent", "created_by", "created_at", "expires_at", "used_at"]
    list_select_related = ["case", "created_by"]
    readonly_fields = ["token_hash", "created_at", "used_at", "feedback"]
    raw_id_fields = ["case"]
