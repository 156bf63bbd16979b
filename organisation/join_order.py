"""Plan a one-row lookup with many joined tables in the order Django writes them.

Loading one audit with the twelve rows its pages show (case, region, team, people, template,
moderation…) is a 13-table join. PostgreSQL searches the join orders of that many tables on
every request: 10–25 ms of planning for a query that runs in under a millisecond. The written
order (the row by its key first, then each related row by its key) is already the best one,
so `joins_as_written()` tells PostgreSQL to keep it (join_collapse_limit = 1) for the
statements inside the block, and restores the setting afterwards. Only for lookups by key:
a list's joins are still planned freely.
"""

from __future__ import annotations

import contextlib
import logging

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


def _set(connection, sql: str) -> bool:
    # On the driver's own cursor, like the statement timeout: never counted among a page's queries.
    try:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(sql)
        return True
    except (DatabaseError, connection.Database.Error):
        logger.warning("Could not run %s", sql, exc_info=True)
        return False


@contextlib.contextmanager
def joins_as_written(using: str = "default"):
    connection = connections[using]
    if connection.vendor != "postgresql" or not _set(connection, "SET join_collapse_limit = 1"):
        yield
        return
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            _set(connection, "RESET join_collapse_limit")
