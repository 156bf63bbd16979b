"""Admin change lists that answer odd filter values with a message, never a 500.

Django's admin turns most wrong lookups (`?region__id__exact=abc`) into its "invalid
parameters" page, but the date hierarchy works out the end of the year, month or day
asked for without a guard: `?received_on__year=9999` overflows the calendar and raises.
`SafeDateHierarchyMixin` goes first in the bases of every admin with a `date_hierarchy`
(a test walks the registry): a far year gets a message on the whole list. The project's
admin/invalid_setup.html (shown when bad filters persist) says plainly what went wrong
instead of blaming the database.
"""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.db.models import Count
from django.http import HttpResponseRedirect


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as e:  # a date past 9999 or before year 1
            raise IncorrectLookupParameters(e) from e


class SafeDateHierarchyMixin:
    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # Django answers filters it cannot use by sending the browser to "?e=1", a list
        # with no word of why: say why, and show the whole list.
        if isinstance(response, HttpResponseRedirect) and response.url.endswith(f"?{ERROR_FLAG}=1"):
            messages.error(
                request,
                "The filter in the address could not be used (a year must be from 1 to 9998, a month "
                "from 1 to 12, a day a real date): showing the whole list instead.",
            )
            return HttpResponseRedirect(request.path)
        return response


class ReadOnlyAdminMixin:
    """Rows another page or job writes: the admin lists and shows them, never adds or changes them,
    and deletes them only where `may_delete` says so. Works for ModelAdmins and inlines."""

    may_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.may_delete and super().has_delete_permission(request, obj)


class VersionedAdminMixin:
    """Admin of a versioned set of rows (audit templates and their criteria, feedback question sets
    and their questions). A new set is saved as usual; a change goes through `revise`, which makes a
    new version when answers were given on the old one (then a message says so); old versions are
    read-only, as they were answered on.

    The admin names `use_relation` (what answers a version: each row of the list is annotated
    with `uses`, their count), `row_model` (the inline whose rows are revised), `row_fields`,
    `in_use(original)`, `revise(request, form, original, rows)` and `in_use_message` (with {old}
    and {new} versions)."""

    use_relation = ""
    row_model = None
    row_fields: tuple | list = ()
    in_use_message = ""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(uses=Count(self.use_relation))

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["slug", "version", "is_current"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_current:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:  # a change is saved with its rows in save_related, through revise
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        rows = []
        for formset in formsets:
            # revise saves the rows, not the formset: give the admin's change message the
            # (empty) lists formset.save() would have set.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is not self.row_model:
                continue
            for inline_form in formset.forms:
                data = getattr(inline_form, "cleaned_data", None)
                if data and not data.get("DELETE"):
                    rows.append({name: data[name] for name in self.row_fields})
        original = self.model.objects.get(pk=form.instance.pk)  # form.instance already holds the edits
        was_in_use = self.in_use(original)
        revised = self.revise(request, form, original, rows)
        request._revised_version = revised
        if was_in_use:
            messages.warning(request, self.in_use_message.format(old=original.version, new=revised.version))

    def response_change(self, request, obj):
        return super().response_change(request, getattr(request, "_revised_version", obj))
