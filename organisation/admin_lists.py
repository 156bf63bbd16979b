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
