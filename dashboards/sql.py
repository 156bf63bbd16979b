"""The roll-up's SQL: the one place that quotes identifiers and knows PostgreSQL from SQLite.

A snapshot family is written by one statement built here,

    INSERT INTO <snapshot> AS snap (<keys>, <columns>, computed_at)
    SELECT <keys>, <columns>, %s FROM (<the family's SELECT>) calc
    WHERE NOT EXISTS (<a stored row with the same keys and the same columns>)
    ON CONFLICT (<keys>) DO UPDATE SET <column> = EXCLUDED.<column>, ..., computed_at = EXCLUDED.computed_at
    WHERE (snap.<columns>) IS DISTINCT FROM (EXCLUDED.<columns>)

so a row whose figures are unchanged is not written (it keeps its computed_at, and no dead
tuple is left behind), and one DELETE of the scope's rows the SELECT no longer gives.
The SELECT itself is the ORM's (`QuerySet.query.sql_with_params()`), so its identifiers and
parameters are Django's; the names wrapped around it go through `connection.ops.quote_name`.

The backend differences, all here:
- the first day of a date's month (`month_of`): PostgreSQL truncates the date as a plain
  timestamp (a `date_trunc` of a date converts it to `timestamptz` first, a time zone lookup per
  row: a quarter of a 1M-audit scan); elsewhere Django's TruncMonth as a date;
- "these columns differ": PostgreSQL's row-value `IS DISTINCT FROM`; SQLite's `IS NOT` on each
  column (joined by OR: SQLite compares row values only with = and <>, which treat NULL as unknown);
- PostgreSQL runs the upsert and the DELETE as one statement (data-modifying CTEs), so the
  SELECT is computed once; for a full rebuild the SELECT goes into a temporary table first
  (parallel workers may share its scan, never inside a writing statement) and the one statement
  reads that; SQLite, which has no such CTEs, runs the two and computes it twice (local use, small
  data);
- advisory locks and per-transaction planner settings (PostgreSQL only);
- PostgreSQL gets a run's statements in one round trip (`run`); SQLite one by one;
- parts that each give one row per key are joined on it (FULL JOIN … USING) on PostgreSQL, summed
  by it (UNION ALL … GROUP BY) on SQLite.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import DateField, F, Func
from django.db.models.functions import Cast, TruncMonth

STAGED = "rollup_computed"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def month_of(date_field: str):
    """The first day of `date_field`'s month, as a date, for a queryset's values()."""
    if is_postgresql():
        return Func(
            F(date_field), template="(DATE_TRUNC('month', %(expressions)s::timestamp))::date", output_field=DateField()
        )
    return Cast(TruncMonth(date_field), DateField())


def _columns(alias: str, names) -> str:
    return ", ".join(f"{alias}.{quote(name)}" for name in names)


def differ(old: str, new: str, names) -> str:
    """SQL true when any of the columns `names` differs between the rows `old` and `new` (NULL-safe)."""
    if is_postgresql():
        return f"({_columns(old, names)}) IS DISTINCT FROM ({_columns(new, names)})"
    return " OR ".join(f"{old}.{quote(n)} IS NOT {new}.{quote(n)}" for n in names)


def same_keys(left: str, right: str, keys) -> str:
    return " AND ".join(f"{left}.{quote(k)} = {right}.{quote(k)}" for k in keys)


@dataclass(frozen=True)
class Select:
    """A family's SELECT: its SQL (every key and column named as the snapshot's) and parameters."""

    sql: str
    params: tuple

    @classmethod
    def of(cls, queryset) -> "Select":
        sql, params = queryset.query.sql_with_params()
        return cls(sql, tuple(params))

    @classmethod
    def union(
        cls, parts: list["Select"], parts_columns: list[set], keys, columns, *, one_row_per_key=False
    ) -> "Select":
        """One SELECT summing several SELECTs by key; a column a part lacks counts 0 there."""
        if len(parts) == 1:
            return parts[0]
        if one_row_per_key and is_postgresql():
            return cls._joined(parts, parts_columns, keys, columns)
        members = []
        for part, names in zip(parts, parts_columns, strict=True):
            values = [f"p.{quote(c)}" if c in names else f"0 AS {quote(c)}" for c in columns]
            members.append(f"SELECT {_columns('p', keys)}, {', '.join(values)} FROM ({part.sql}) p")  # noqa: S608
        sums = ", ".join(f"SUM(u.{quote(c)}) AS {quote(c)}" for c in columns)
        sql = (
            f"SELECT {_columns('u', keys)}, {sums} FROM ({' UNION ALL '.join(members)}) u "  # noqa: S608
            f"GROUP BY {_columns('u', keys)}"
        )
        return cls(sql, tuple(p for part in parts for p in part.params))

    @classmethod
    def _joined(cls, parts: list["Select"], parts_columns: list[set], keys, columns) -> "Select":
        """The same when each part gives one row per key, on PostgreSQL: the parts joined on the key by FULL JOIN …
        USING, a column the sum of the parts that give it. Hash joins of a few thousand rows each,
        where the UNION ALL form summed every column of every part's rows as numeric (0.33 against
        0.49 of the FILTER form for the KPI family at 1M audits)."""
        using = f"USING ({', '.join(quote(k) for k in keys)})"
        joined = " FULL JOIN ".join(f"({part.sql}) p{i}" + (f" {using}" if i else "") for i, part in enumerate(parts))

        def total(column: str) -> str:
            given = [f"COALESCE(p{i}.{quote(column)}, 0)" for i, names in enumerate(parts_columns) if column in names]
            return f"{' + '.join(given) or '0'} AS {quote(column)}"

        sql = f"SELECT {', '.join(quote(k) for k in keys)}, {', '.join(total(c) for c in columns)} FROM {joined}"  # noqa: S608
        return cls(sql, tuple(p for part in parts for p in part.params))


def regroup(inner: Select, lookup: Select, *, by: str, from_lookup: dict[str, str], keys, columns) -> Select:
    """`inner`'s rows (counted per `by`, the id of a `lookup` row) summed by `keys`, where the keys
    and columns named in `from_lookup` come from the lookup row's columns (a column's greatest).

    The criteria are counted per criterion id over the judgements and only then named by code and
    template: joining the few dozen criteria to 13 million judgements first cost far more."""

    def expression(name: str, aggregate: str | None) -> str:
        value = f"l.{quote(from_lookup[name])}" if name in from_lookup else f"s.{quote(name)}"
        if aggregate is None:
            return value
        return f"{'MAX' if name in from_lookup else aggregate}({value}) AS {quote(name)}"

    grouped = ", ".join(expression(k, None) for k in keys)
    selected = ", ".join(
        [*(f"{expression(k, None)} AS {quote(k)}" for k in keys), *(expression(c, "SUM") for c in columns)]
    )
    sql = (
        f"SELECT {selected} FROM ({inner.sql}) s INNER JOIN ({lookup.sql}) l "  # noqa: S608
        f"ON l.{quote('id')} = s.{quote(by)} GROUP BY {grouped}"
    )
    return Select(sql, (*inner.params, *lookup.params))


def statements(
    *, table: str, keys, columns, select: Select, region_id: int | None, month, now, from_indexes: bool = False
) -> list[Select]:
    """The statements making the rows of `table` of one region and month (or all, with None) equal
    what `select` gives: upsert the new and changed rows, delete the rows it no longer gives.

    A computed row equal to its stored row is left out before the upsert, so it is neither
    rewritten nor locked; the upsert's own WHERE still guards a row written meanwhile. The rows the
    statements give (on PostgreSQL, those of the last) are the (region_id, month) of every row
    inserted, changed or deleted.

    `from_indexes`: a full rebuild computes the SELECT with the planner costing a random page read
    as an SSD's (random_page_cost 1.1 instead of 4), for that statement only. The KPI family reads
    the cases from covering partial indexes that way (case_kpi_received_idx, case_s7_due_idx: an
    index-only scan, one process, instead of a parallel scan of the heap in three); it reads no
    audit, so the FILTER form it is measured against (which the same setting would move onto
    audit_completed_rollup_idx) is no worse off.
    """
    now = connection.ops.adapt_datetimefield_value(now)
    t, names = quote(table), ", ".join(quote(n) for n in [*keys, *columns, "computed_at"])
    updates = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in [*columns, "computed_at"])
    returning = f"RETURNING {quote('region_id')}, {quote('month')}"

    def scope(alias: str) -> tuple[str, list]:
        if region_id is None:
            return "1 = 1", []
        return f"{alias}.{quote('region_id')} = %s AND {alias}.{quote('month')} = %s", [region_id, month]

    def upsert(calc: str) -> str:
        return (
            f"INSERT INTO {t} AS snap ({names}) SELECT {_columns('calc', [*keys, *columns])}, %s "  # noqa: S608
            f"FROM {calc} calc WHERE NOT EXISTS (SELECT 1 FROM {t} same WHERE {scope('same')[0]} "
            f"AND {same_keys('same', 'calc', keys)} AND NOT ({differ('same', 'calc', columns)})) "
            f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {updates} "
            f"WHERE {differ('snap', 'EXCLUDED', columns)} {returning}"
        )

    def delete(calc: str) -> str:
        return (
            f"DELETE FROM {t} AS gone WHERE {scope('gone')[0]} AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {calc} calc WHERE {same_keys('calc', 'gone', keys)}) {returning}"
        )

    in_scope = scope("")[1]
    both = "SELECT * FROM written UNION ALL SELECT * FROM gone"
    if is_postgresql() and region_id is None:
        # Everything: the SELECT into a temporary table first, where PostgreSQL may share the
        # scan of a million rows between parallel workers (it never does within a statement
        # that writes); then one statement upserts from it and deletes what it lacks. The table
        # goes at commit (or at the next family's DROP): no statement of its own.
        staged = quote(STAGED)
        return [
            Select(f"DROP TABLE IF EXISTS {staged}", ()),
            *([Select("SET LOCAL random_page_cost = 1.1", ())] if from_indexes else []),
            Select(f"CREATE TEMPORARY TABLE {staged} ON COMMIT DROP AS {select.sql}", select.params),
            *([Select("SET LOCAL random_page_cost TO DEFAULT", ())] if from_indexes else []),
            Select(f"WITH written AS ({upsert(staged)}), gone AS ({delete(staged)}) {both}", (now,)),  # noqa: S608
        ]
    if is_postgresql():
        # One statement: the SELECT computed once, upserted and used for the DELETE.
        return [
            Select(
                f"WITH computed AS MATERIALIZED ({select.sql}), written AS ({upsert('computed')}), "  # noqa: S608
                f"gone AS ({delete('computed')}) {both}",
                (*select.params, now, *in_scope, *in_scope),
            )
        ]
    # SQLite has no data-modifying CTEs: two statements, the SELECT computed twice (local use, small data).
    return [
        Select(upsert(f"({select.sql})"), (now, *select.params, *in_scope)),
        Select(delete(f"({select.sql})"), (*in_scope, *select.params)),
    ]


def run(batch: list[Select], *, rows_of_all: bool = False) -> list[tuple]:
    """Run statements in order; returns the rows of the last (or, with `rows_of_all`, of all, which
    PostgreSQL gives only when the last is the only one giving rows).

    On PostgreSQL the batch is one round trip (psycopg2 binds the parameters on the client and
    sends the statements as one query string; the server runs them in order and answers with the
    last one's rows). Under load a round trip costs a few milliseconds, a slice's statements about
    as much. SQLite (its driver runs one statement at a time) runs them one by one."""
    if not batch:
        return []
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(";\n".join(s.sql for s in batch), [p for s in batch for p in s.params])
            return cursor.fetchall() if cursor.description else []
        rows = []
        for statement in batch:
            cursor.execute(statement.sql, list(statement.params))
            found = cursor.fetchall() if cursor.description else []
            rows = [*rows, *found] if rows_of_all else found
        return rows


def as_date(value) -> datetime.date:
    """SQLite gives the month back as text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


# ---- PostgreSQL only: locks and planner settings -----------------------------------------

# Advisory lock keys, so several Celery workers can run roll-ups at once: a slice takes the
# "everything" key shared and its own key exclusively; a full or criteria rebuild takes the
# "everything" key exclusively. Always in that order, so no two runs deadlock.
LOCK_EVERYTHING = 0x0DA5_0000


def lock(region_id: int | None, month: datetime.date | None) -> list[Select]:
    """The statement waiting, inside the run's transaction, until no other run covers this scope;
    held to commit. (Run first in the run's first batch.)

    Taken before anything is read: two runs of one slice (a retry, or two workers each handed
    an enqueue) then take turns, and the second reads what the first committed. Without it the
    run that read first could commit last and put back figures from before the newer audit.
    SQLite (local, tasks in-process) has one writer at a time anyway: no statement.
    """
    if not is_postgresql():
        return []
    if region_id is None:
        return [Select("SELECT pg_advisory_xact_lock(%s)", (LOCK_EVERYTHING,))]
    # The shared key first, then the slice's own.
    return [
        Select(
            "SELECT pg_advisory_xact_lock_shared(%s), pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (LOCK_EVERYTHING, f"dashboards.rollup:{region_id}:{month:%Y-%m}"),
        )
    ]


def tune(*, full: bool) -> list[Select]:
    """For a full rebuild's transaction: it groups a few thousand keys, but the planner expects
    ~100,000 and, with the 4 MB default work_mem, sorts a million rows on disk instead of hashing
    them in memory; and the anti-joins of tens of thousands of computed rows against the stored
    ones are hashed (on stale statistics of the snapshot tables it merged them on half the key).
    A slice reads a few thousand rows by index: the defaults suit it, and a statement saved counts."""
    if not is_postgresql() or not full:
        return []
    return [Select("SELECT set_config('work_mem', '64MB', true), set_config('enable_mergejoin', 'off', true)", ())]
