"""Admin: snapshots are read-only (only the roll-ups write them); API tokens are issued here."""

from django.contrib import admin, messages

from organisation.admin_lists import ReadOnlyAdminMixin, SafeDateHierarchyMixin

from .models import ApiToken, KpiSnapshot, RollupRun


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["month", "region", "team", "audits", "good", "outstanding", "computed_at"]
    list_filter = ["region", "month"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    fields = ["user", "name", "is_active", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    autocomplete_fields = []

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.set_new_key()
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                f"The key of “{obj.name}” is {key} — copy it now: it is stored hashed and will not be shown again.",
            )
            return
        super().save_model(request, obj, form, change)


@admin.register(RollupRun)
class RollupRunAdmin(SafeDateHierarchyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """When the roll-ups ran (read-only): a missing night shows here first."""

    list_display = ["finished_at", "kind", "region", "month", "kpi_rows"]
    list_filter = ["kind", "region"]
    date_hierarchy = "finished_at"
