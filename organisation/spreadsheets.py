"""Cells that are safe to open in a spreadsheet: the one helper every export uses.

A spreadsheet treats a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula, so a feedback comment such as `=HYPERLINK("http://…")`
written raw into a download would run on the desk of whoever opens it. `neutralise`
puts a single quote in front of such text, which makes the spreadsheet show it as text.
Only text is touched: a number stays a number (a negative figure is not a formula).

django-import-export's own `IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT` is not used: it
only drops a leading `=` (not `+ - @`, tab or CR), turns every cell into text, and
applies to the admin's downloads only. `NeutraliseFormulaeMixin` goes first in the bases
of every `ModelResource` instead, so the admin's exports, the case list's download and
a plan's actions download all pass their cells through `neutralise`.

`restore` undoes it for the files that are exported to be edited and imported again.
"""

from __future__ import annotations

from import_export.resources import ModelResource
from import_export.widgets import NumberWidget

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value`, with a quote in front if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values) -> list:
    return [neutralise(value) for value in values]


def restore(value: str) -> str:
    """Text as it was before `neutralise` (a file exported, edited and imported again)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class NeutraliseFormulaeMixin:
    """For django-import-export resources: every exported text cell goes through `neutralise`.

    A column whose widget is a number widget holds numbers (import-export renders them as
    text for CSV), so a negative figure there is left as it is.
    """

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, NumberWidget):
            return value
        return neutralise(value)


class SafeModelResource(NeutraliseFormulaeMixin, ModelResource):
    """The base of every resource in this project (a test checks that none is missing)."""
