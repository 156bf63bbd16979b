"""Quality admins maintain regions, teams and people here, and import them from CSV with a preview."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import visibility
from .admin_lists import ReadOnlyAdminMixin, SafeDateHierarchyMixin
from .importing import CsvImportAdminMixin
from .models import AccessRecord, Region, Team, User
from .signin import unlock_sign_in


def _quality_admins_only(request) -> bool:
    """The admin is the quality admins' tool (DESIGN.md): the role decides, not `is_staff`.

    So a quality admin imported from a CSV file can use it, and a service manager who was
    once made staff cannot read every region's cases through it.
    """
    return visibility.is_admin(request.user)


admin.site.has_permission = _quality_admins_only


@admin.register(Region)
class RegionAdmin(CsvImportAdminMixin, ImportExportModelAdmin):
    import_kind = "regions"
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class TeamAdminForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["code", "name", "region"]

    def clean_region(self):
        # The same rule as the teams import: a team with cases or people stays in its region,
        # or they would sit in a team outside their own region.
        region = self.cleaned_data["region"]
        team = self.instance
        if team.pk and "region" in self.changed_data and (team.cases.exists() or team.people.exists()):
            raise forms.ValidationError(
                "This team has cases or people: move them to another team before moving the team to another region."
            )
        return region


@admin.register(Team)
class TeamAdmin(CsvImportAdminMixin, ImportExportModelAdmin):
    form = TeamAdminForm
    import_kind = "teams"
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(User)
class UserAdmin(CsvImportAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin, BaseUserAdmin):
    import_kind = "users"
    actions = ["unlock_sign_in"]
    list_display = ["username", "full_name", "email", "region", "team", "is_active"]
    list_filter = ["groups", "region", "is_active", "collaborative_feedback"]
    list_select_related = ["region", "team"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Place in the organisation", {"fields": ("full_name", "region", "team")}),
        ("Audit scheduling", {"fields": ("collaborative_feedback",)}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Place in the organisation", {"fields": ("full_name", "email", "region", "team", "groups")}),
    )
    # Only a superuser hands out Django's own powers: a quality admin manages roles (groups),
    # never the staff or superuser flags nor single permissions, and leaves superusers alone.
    superuser_only_fields = ("is_staff", "is_superuser", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.superuser_only_fields]})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Unlock sign-in for the selected people", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        usernames = list(queryset.values_list("username", flat=True))
        removed = unlock_sign_in(usernames=usernames, by=request.user)
        if removed:
            self.message_user(request, f"Sign-in unlocked for {', '.join(usernames)}.", messages.SUCCESS)
        else:
            self.message_user(request, "None of the selected people was locked out.", messages.INFO)


@admin.register(AccessRecord)
class AccessRecordAdmin(SafeDateHierarchyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who saw what, for quality admins: read-only (nobody edits or deletes the log by hand;
    `apply_retention` purges it after ACCESS_LOG_RETENTION_DAYS)."""

    list_display = ["at", "username", "kind", "case_reference", "object_id", "ip_address", "path"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "case_reference", "object_id", "ip_address"]
    date_hierarchy = "at"
    show_full_result_count = False  # no second COUNT(*) over a log that only grows
    fields = list_display
    readonly_fields = list_display


def safe_date_hierarchies(site) -> None:
    """Every admin with a date hierarchy (django-axes' sign-in records and any app's that did not
    mix it in) gets the same plain message for a date filter it cannot use
    (`?attempt_time__year=9999`) instead of a 500. Called once every admin module is loaded."""
    for model, model_admin in list(site._registry.items()):
        if model_admin.date_hierarchy and not isinstance(model_admin, SafeDateHierarchyMixin):
            safe = type(type(model_admin).__name__, (SafeDateHierarchyMixin, type(model_admin)), {})
            site.unregister(model)
            site.register(model, safe)
