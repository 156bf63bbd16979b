"""joins_as_written: PostgreSQL keeps the written join order inside the block, and only there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisation.join_order import joins_as_written

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting"),
]


def _limit() -> str:
    with connection.connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


def test_the_setting_holds_inside_the_block_and_is_restored_after_it_counting_no_query():
    connection.ensure_connection()
    before = _limit()
    with CaptureQueriesContext(connection) as queries, joins_as_written():
        assert _limit() == "1"
    assert _limit() == before
    assert not queries.captured_queries  # never one of a page's counted queries


def test_restored_when_the_block_raises():
    connection.ensure_connection()
    before = _limit()
    with pytest.raises(LookupError), joins_as_written():
        raise LookupError
    assert _limit() == before
