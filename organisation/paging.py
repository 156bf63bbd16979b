"""Counting and paging long lists without reading a million rows.

A list page used to count every matching row (the paginator's count, the status counts)
and then skip to its page with OFFSET. At national scale that reads every audit on each
view. Here every count stops at LIMIT + 1 rows: below the limit it is exact; above it the
page says "more than 10,000" (a bound, never a guess dressed up as a figure) and pages stop
at the limit, with a message asking for a filter. Several counts go to the database as
one statement. A list whose order no single index can give (overdue first, then by due
date) is read as ordered segments, each an index-ordered query.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000


class BoundedCount(int):
    """A count that stopped at its limit: an int (the limit itself when capped) whose text
    says "more than N" when there may be more rows than were counted."""

    capped: bool = False
    limit: int = COUNT_LIMIT

    def __new__(cls, counted: int, limit: int | None = None):
        limit = limit or COUNT_LIMIT
        capped = counted > limit
        value = super().__new__(cls, limit if capped else counted)
        value.capped = capped
        value.limit = limit
        return value

    def __str__(self) -> str:
        return f"more than {self.limit:,}" if self.capped else f"{int(self):,}"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else int(self).__format__(spec)


def bounded_counts(querysets: dict[str, QuerySet], limit: int | None = None) -> dict[str, BoundedCount]:
    """Each queryset's row count, stopping at limit + 1 rows, all in one SQL statement."""
    limit = limit or COUNT_LIMIT
    if not querysets:
        return {}
    parts, params = [], []
    alias = None
    for index, qs in enumerate(querysets.values()):
        alias = qs.db
        try:
            sql, qs_params = qs.order_by().values("pk")[: limit + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (e.g. pk__in=[])
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS bounded_{index})")  # noqa: S608 (Django-compiled SQL, params apart)
        params.extend(qs_params)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: BoundedCount(value, limit) for name, value in zip(querysets, row, strict=True)}


class SegmentedList(Sequence):
    """Ordered querysets read one after another, as one list with a known (bounded) length.

    `segments` is [(queryset, count)], each queryset already ordered (by an index, so a
    page of it reads only that page) and count its bounded size. Slicing reads only the
    segments a page touches: one query for most pages, two where a page spans a boundary.
    """

    def __init__(self, segments: list[tuple[QuerySet, int]]):
        self.segments = segments

    def __len__(self) -> int:
        return sum(int(count) for _qs, count in self.segments)

    def count(self, value=None) -> int:  # Paginator asks for count() first
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop, _ = index.indices(len(self))
        rows = []
        offset = 0
        for qs, count in self.segments:
            count = int(count)
            low, high = max(start - offset, 0), min(stop - offset, count)
            if low < high:
                rows.extend(qs[low:high])
            offset += count
            if offset >= stop:
                break
        return rows


class BoundedPaginator(Paginator):
    """A paginator whose count stops at COUNT_LIMIT (pages beyond it are not offered).

    Pass `count` when it is already known (from `bounded_counts`) to save the query.
    """

    def __init__(self, object_list, per_page, *, count: BoundedCount | None = None, limit: int | None = None):
        super().__init__(object_list, per_page)
        self._known = count
        self.limit = getattr(count, "limit", None) or limit or COUNT_LIMIT

    @cached_property
    def count(self) -> BoundedCount:
        if self._known is not None:
            return self._known
        if isinstance(self.object_list, QuerySet):
            return bounded_counts({"n": self.object_list}, self.limit)["n"]
        return BoundedCount(len(self.object_list), self.limit)

    @property
    def limit_text(self) -> str:
        return f"{self.limit:,}"

    @property
    def capped(self) -> bool:
        return getattr(self.count, "capped", False)
