"""The one history-diff helper: what changed between two historical rows of one object.

django-simple-history's `diff_against` finds the fields whose stored values differ; the pages
show each as text (a choice's label, "Yes"/"No", a date), so a field whose shown value is the
same both sides (None against "") is not a change to anyone reading the history.
"""

from collections.abc import Callable, Iterable


def field_changes(record, before, fields: Iterable[str], shown: Callable[[object, str], str]) -> list[tuple]:
    """(field name, before, after) for each of `fields` (editable model fields, in that order) that
    changed from the historical row `before` to `record`, as `shown(row, name)` shows them.

    With no `before` (the object was created) every field with something to show is listed,
    against "". No query: the rows' own columns only (many-to-many fields are not compared).
    """
    fields = list(fields)
    if before is None:
        return [(name, "", after) for name in fields if (after := shown(record, name)) != ""]
    changed = set(record.diff_against(before, included_fields=fields).changed_fields)
    out = []
    for name in fields:
        if name in changed and (was := shown(before, name)) != (now := shown(record, name)):
            out.append((name, was, now))
    return out
