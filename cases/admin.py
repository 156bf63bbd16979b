"""Cases and their children in the admin, with CSV import (previewed) and export."""

from django.contrib import admin
from django.db import transaction
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from organisation import visibility
from organisation.access_log import AccessLoggedAdminMixin
from organisation.admin_lists import SafeDateHierarchyMixin
from organisation.importing import CsvImportAdminMixin

from .models import Case, Child
from .signals import case_closed, case_dates_changed

# Fields whose change moves an operational KPI (and so a dashboard slice).
KPI_FIELDS = {
    "region",
    "team",
    "law_type",
    "application_type",
    "received_on",
    "allocated_on",
    "report_due_on",
    "report_filed_on",
    "closed_on",
}


class ChildInline(admin.TabularInline):
    model = Child
    extra = 0
    fields = ["label", "age_band", "ethnicity", "disability", "religion", "gender_identity"]


@admin.register(Case)
class CaseAdmin(
    SafeDateHierarchyMixin, AccessLoggedAdminMixin, CsvImportAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin
):
    import_kind = "cases"
    list_display = ["reference", "region", "team", "practitioner", "law_type", "application_type", "received_on"]
    list_filter = ["region", "law_type", "application_type"]
    list_select_related = ["region", "team", "practitioner"]
    search_fields = ["reference"]
    date_hierarchy = "received_on"
    raw_id_fields = ["practitioner"]
    readonly_fields = ["last_audit_grade", "last_audited_on", "anonymised_on"]
    inlines = [ChildInline]

    def get_queryset(self, request):
        return visibility.visible_cases(request.user, super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        old_region_id = form.initial.get("region") if change else None
        was_closed = bool(form.initial.get("closed_on")) if change else False
        super().save_model(request, obj, form, change)
        if not change or KPI_FIELDS & set(form.changed_data):
            transaction.on_commit(lambda: case_dates_changed.send(sender=Case, case=obj, old_region_id=old_region_id))
        if obj.closed_on and not was_closed:
            transaction.on_commit(lambda: case_closed.send(sender=Case, case=obj))


@admin.register(Child)
class ChildAdmin(AccessLoggedAdminMixin, SimpleHistoryAdmin):
    def access_case_reference(self, obj) -> str:
        return obj.case.reference

    list_display = ["label", "case", "age_band", "ethnicity", "disability", "religion", "gender_identity"]
    list_filter = ["age_band", "disability"]
    list_select_related = ["case"]
    search_fields = ["case__reference"]
    raw_id_fields = ["case"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(visibility.case_q(request.user, prefix="case__"))
