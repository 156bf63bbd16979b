"""Bounded counts and segmented lists: exact below the limit, "more than N" above, pages in order."""

import pytest

from organisation import paging
from organisation.models import Region
from organisation.paging import BoundedCount, BoundedPaginator, SegmentedList, bounded_counts
from organisation.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(db):
    return [RegionFactory(code=f"r{i:02d}", name=f"Region {i:02d}") for i in range(7)]


def test_counts_are_exact_below_the_limit_and_bounded_above_it(regions):
    counts = bounded_counts(
        {
            "all": Region.objects.all(),
            "some": Region.objects.filter(code__in=["r01", "r02"]),
            "none": Region.objects.none(),
        },
        limit=5,
    )
    assert (int(counts["some"]), counts["some"].capped, str(counts["some"])) == (2, False, "2")
    assert (int(counts["all"]), counts["all"].capped, str(counts["all"])) == (5, True, "more than 5")
    assert int(counts["none"]) == 0


def test_counts_go_to_the_database_as_one_statement(regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        bounded_counts({"a": Region.objects.all(), "b": Region.objects.filter(code="r03")}, limit=100)


def test_a_count_exactly_at_the_limit_is_not_capped(regions):
    assert not bounded_counts({"all": Region.objects.all()}, limit=7)["all"].capped
    assert BoundedCount(1234) == 1234 and f"{BoundedCount(1234)}" == "1,234"


def test_a_segmented_list_reads_segments_in_order_across_a_page_boundary(regions):
    first = Region.objects.filter(code__in=["r05", "r06"]).order_by("-code")
    rest = Region.objects.exclude(code__in=["r05", "r06"]).order_by("code")
    rows = SegmentedList([(first, 2), (rest, 5)])
    assert len(rows) == 7
    assert [r.code for r in rows[0:3]] == ["r06", "r05", "r00"]
    assert [r.code for r in rows[3:10]] == ["r01", "r02", "r03", "r04"]
    assert rows[1].code == "r05"


def test_the_paginator_stops_at_the_limit(regions, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 4)
    paginator = BoundedPaginator(Region.objects.order_by("code"), 3)
    assert paginator.capped and paginator.num_pages == 2 and str(paginator.count) == "more than 4"
    assert [r.code for r in paginator.page(2).object_list] == ["r03"]
