"""Roll-ups: recompute the snapshot tables from the source tables, set-based, inside the database.

Each snapshot family is declared once below (`Family`): the snapshot model, its natural key and
one or more ORM querysets (its "parts") that give the key and every count by name. The family is
written by one `INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE (counts) IS DISTINCT FROM
(new counts)` and one DELETE of the scope's rows the SELECT no longer gives (`dashboards.sql`,
which holds the SQL text, the quoting and the few differences between PostgreSQL and SQLite).
No row travels through Python. A row whose counts are unchanged is not written and keeps its
`computed_at` (the time its figures were last computed as they are); every run records itself in
`RollupRun`, and "figures as of" is the newest run, so a night that changed nothing still shows
that the figures were checked then. All of a run is one transaction under an advisory lock, so
running twice, or again after a crash halfway, gives the same rows.

Adding a count: a column on the snapshot model (and its migration) and one line in its part's
`annotate(...)`; a family with several parts (KPI) counts 0 for the parts that lack it.

Two groups of families:
- the KPI group, which reads the audits once, the cases, the feedback and the snapshots it has
  just written: TemplateSnapshot (every completed audit by template and programme, with the
  moderated counts), ModerationSnapshot (the moderated few, from their partial index),
  FeedbackSnapshot (feedback by respondent type), ThemeSnapshot (feedback tagged with each theme),
  and KpiSnapshot, whose audit counts are the template rows of routine audits (programme 0) and
  whose feedback counts are the FeedbackSnapshot rows, summed: so the million audits are read
  once, not twice. The nightly rebuild (`rollup_all(criteria=False)`) and every slice run it.
- the details group, which reads the judgements (13 per audit) or joins the case's children:
  CriterionSnapshot, CriterionResultSnapshot, PractitionerSnapshot, CharacteristicSnapshot. The
  slice task of a completed audit runs them as a second task straight after the KPI slice
  (`dashboards.tasks.rollup_details_task`), so the figures people look for first are written in
  milliseconds; the nightly rebuild recomputes them for the region-months whose audit counts it
  found changed (a slice lost while the broker was down); `rollup_criteria()` (weekly) rebuilds
  them all. `rollup_slice()` and `rollup_all()` called directly run both groups.

Where a figure comes from:
- audits: completed routine audits (not part of a thematic programme) by month of
  `completed_on`, in the region and team copied onto the audit at completion (so a case
  re-allocated later never moves its history), counted by `final_grade`; family feedback
  from `family_feedback`; moderated = a completed moderation (its grade copied onto the
  audit as `moderated_grade`), agreeing when it equals the auditor's `overall_grade`.
- templates: every completed audit (routine and thematic) by template slug and programme, for the
  `template=` and `programme=` filters (TemplateSnapshot).
- cases (by the case's current region and team): care (`s31_care`) and private law cases
  by month received, allocated or not, with working days to allocate (`allocation_working_days`,
  worked out when the case's dates are saved); section 7 reports by month due, on time when filed
  on or before the due date; domestic abuse alleged, and substantiated, by month received.
- feedback: by month received, in the region and team copied onto it from its case; counts,
  helpfulness (count and sum of answers 0–10), "did your worker help you?" (answers, yes) and
  "did you understand the recommendation?", per respondent type (FeedbackSnapshot) and in all.
- feedback themes: feedback tagged with each theme by month received (ThemeSnapshot).
- details: graded judgements of routine audits by criterion code (CriterionSnapshot, stable
  across template versions); graded and yes/no judgements of every completed audit per template
  and criterion code (CriterionResultSnapshot); completed audits per practitioner
  (PractitionerSnapshot) and per characteristic of the case's children, an audit counting once
  per distinct value among its case's children (CharacteristicSnapshot).
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from audits.models import Audit, AuditStatus, AuditTemplate, Criterion, Grade, Judgement
from cases.models import ApplicationType, Case, LawType
from feedback.models import Feedback
from organisation.months import month_start, next_month

from . import sql
from .models import (
    CharacteristicSnapshot,
    CriterionResultSnapshot,
    CriterionSnapshot,
    FeedbackSnapshot,
    KpiSnapshot,
    ModerationSnapshot,
    PractitionerSnapshot,
    RollupRun,
    TemplateSnapshot,
    ThemeSnapshot,
)

logger = logging.getLogger(__name__)

RUNS_KEPT_DAYS = 35
# Above this many region-months to catch up, one rebuild of every detail beats slice by slice.
CATCH_UP_SLICES = 50

# The audit counts of a KPI row: summed from the routine (programme 0) TemplateSnapshot rows.
AUDIT_FIELDS = [
    "audits",
    "outstanding",
    "good",
    "meets_standard",
    "requires_improvement",
    "family_feedback",
    "moderated",
    "moderated_agree",
]
# KPI feedback column: the FeedbackSnapshot column it sums.
FEEDBACK_FIELDS = {
    "feedback_count": "count",
    "feedback_helpfulness_count": "helpfulness_count",
    "feedback_helpfulness_sum": "helpfulness_sum",
    "feedback_worker_helped_count": "worker_helped_count",
    "feedback_worker_helped_yes": "worker_helped_yes",
}


@dataclass
class _Scope:
    """None/None = everything; otherwise one region and one month."""

    region_id: int | None = None
    month: datetime.date | None = None

    def filter(self, *, region: str, date: str) -> Q:
        """The scope on a source table: its region column and the date its month comes from."""
        if self.region_id is None:
            return Q()
        return Q(**{region: self.region_id, f"{date}__gte": self.month, f"{date}__lt": next_month(self.month)})

    def snapshot(self) -> Q:
        """The scope on a snapshot table."""
        return Q() if self.region_id is None else Q(region_id=self.region_id, month=self.month)


@dataclass
class _Result:
    """What a run does and did: with `details`, the details group too; `changed`, the (region, month)
    slices whose audit counts changed (a full rebuild's details catch up on those); `kpi_rows`, the
    scope's KPI rows. `kpis` holds rows read by `_collect_cases` (checks)."""

    now: datetime.datetime = field(default_factory=timezone.now)
    details: bool = False
    changed: set = field(default_factory=set)
    kpi_rows: int = 0
    kpis: dict = field(default_factory=lambda: defaultdict(dict))


# ---- the families ------------------------------------------------------------------------

Part = Callable[[_Scope], QuerySet]


@dataclass(frozen=True)
class Family:
    """One snapshot table: its natural key (the columns of its unique constraint) and the querysets
    whose rows, summed by that key, are its rows. Every other column a part gives is a count."""

    model: type
    keys: tuple[str, ...]
    parts: tuple[Part, ...]
    # Optionally: the parts count per `by` (an id), named afterwards from the `lookup` queryset's
    # rows: {the snapshot's column: the lookup's column} (see sql.regroup).
    lookup: Callable[[], QuerySet] | None = None
    by: str = ""
    from_lookup: dict = field(default_factory=dict)
    # A full rebuild reads its sources from covering indexes (see sql.statements).
    from_indexes: bool = False

    def select(self, scope: _Scope) -> tuple[sql.Select, list[str]]:
        querysets = [part(scope) for part in self.parts]
        given = [_names(qs) for qs in querysets]
        known = {f.column for f in self.model._meta.concrete_fields}
        unknown = set().union(*given) - known - {self.by}
        if unknown:  # a count named unlike its column would otherwise be dropped without a word
            raise ValueError(f"{self.model.__name__} has no column {', '.join(sorted(unknown))}")
        named = set().union(*given, self.from_lookup)
        columns = [
            f.column
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.column not in self.keys and f.column in named
        ]
        selects = [sql.Select.of(qs) for qs in querysets]
        if self.lookup is None:
            # Parts that each group by exactly the key give one row per key: joined on it, not summed.
            grouped = all(qs.query.group_by is not None for qs in querysets) and all(
                names - set(columns) == set(self.keys) for names in given
            )
            return sql.Select.union(selects, given, self.keys, columns, one_row_per_key=grouped), columns
        inner_keys = [k for k in self.keys if k not in self.from_lookup] + [self.by]
        inner_columns = [c for c in columns if c not in self.from_lookup]
        inner = sql.Select.union(selects, given, inner_keys, inner_columns)
        lookup = sql.Select.of(self.lookup())
        return sql.regroup(
            inner, lookup, by=self.by, from_lookup=self.from_lookup, keys=self.keys, columns=columns
        ), columns

    def statements(self, scope: _Scope, now) -> list[sql.Select]:
        """The statements making the scope's rows equal the parts' rows.

        A slice's statements differ from another slice's in their parameters alone, so they are
        built once per process (for a stand-in slice, checked against a second one) and given each
        slice's values: building them through the ORM cost more than running them (9 of a slice's
        15 ms on a quiet machine)."""
        if scope.region_id is None:
            return self._build(scope, now)
        key = (self.model, connection.vendor)
        if key not in _SLICE_STATEMENTS:
            built = self._build(_STAND_IN, _STAND_IN_NOW)
            check = self._build(_OTHER_STAND_IN, _OTHER_STAND_IN_NOW)
            if [_given(s, _OTHER_STAND_IN, _OTHER_STAND_IN_NOW) for s in built] != check:
                raise RuntimeError(f"{self.model.__name__}: a slice's statements are not its parameters alone")
            _SLICE_STATEMENTS[key] = built
        return [_given(statement, scope, now) for statement in _SLICE_STATEMENTS[key]]

    def _build(self, scope: _Scope, now) -> list[sql.Select]:
        select, columns = self.select(scope)
        return sql.statements(
            table=self.model._meta.db_table,
            keys=self.keys,
            columns=columns,
            select=select,
            region_id=scope.region_id,
            month=scope.month,
            now=now,
            from_indexes=self.from_indexes,
        )

    def write(self, scope: _Scope, now, *, before: tuple = ()) -> set[tuple[int, datetime.date]]:
        """Make the scope's rows equal the parts' rows (after the statements `before`, in the same
        round trip); returns the (region, month) of the rows changed."""
        changed = sql.run([*before, *self.statements(scope, now)], rows_of_all=True)
        return {(region, sql.as_date(day)) for region, day in changed}


_SLICE_STATEMENTS: dict = {}
# Stand-in slices: values no real slice has (a negative region id, months of the year 1).
_STAND_IN = _Scope(region_id=-7_654_321, month=datetime.date(1, 1, 1))
_STAND_IN_NOW = datetime.datetime(1, 1, 1, 12, tzinfo=datetime.UTC)
_OTHER_STAND_IN = _Scope(region_id=-7_654_322, month=datetime.date(1, 3, 1))
_OTHER_STAND_IN_NOW = datetime.datetime(1, 1, 2, 12, tzinfo=datetime.UTC)


def _slice_values(scope: _Scope, now) -> list:
    """The values that make a slice's statements that slice's, in every form the ORM passes them."""
    ops = connection.ops
    dates = [scope.month, next_month(scope.month)]
    return [scope.region_id, *dates, *(ops.adapt_datefield_value(d) for d in dates), ops.adapt_datetimefield_value(now)]


def _given(statement: sql.Select, scope: _Scope, now) -> sql.Select:
    """`statement` (built for _STAND_IN) with `scope`'s values in place of the stand-in's."""
    swap = list(zip(_slice_values(_STAND_IN, _STAND_IN_NOW), _slice_values(scope, now), strict=True))

    def value(param):
        return next((new for old, new in swap if type(old) is type(param) and old == param), param)

    return sql.Select(statement.sql, tuple(value(p) for p in statement.params))


def _names(queryset: QuerySet) -> set[str]:
    """The column names a values() queryset gives."""
    query = queryset.query
    return {*query.values_select, *query.annotation_select}


def _completed_audits(scope: _Scope) -> QuerySet:
    return Audit.objects.filter(status=AuditStatus.COMPLETED).filter(
        scope.filter(region="region_id", date="completed_on")
    )


def _templates_named() -> QuerySet:
    """Every template version (a few): its slug."""
    return AuditTemplate.objects.order_by().values("id", "slug")


def _templates(scope: _Scope) -> QuerySet:
    """Every completed audit by template version and programme: the one scan of the audits. The
    versions are named by slug afterwards (`_templates_named`, a few rows joined to the grouped
    counts): joining the templates to a million audits made PostgreSQL sort them all. (It counts
    `final_grade`, never null once completed, rather than the id: a slice then reads its audits
    from audit_completed_rollup_idx alone.)"""
    moderated = Q(moderated_grade__isnull=False)
    return (
        _completed_audits(scope)
        .values(
            "region_id",
            "team_id",
            "template_id",
            month=sql.month_of("completed_on"),
            programme_key=Coalesce("programme_id", 0),
        )
        .annotate(
            audits=Count("*"),
            outstanding=Count("final_grade", filter=Q(final_grade=Grade.OUTSTANDING)),
            good=Count("final_grade", filter=Q(final_grade=Grade.GOOD)),
            meets_standard=Count("final_grade", filter=Q(final_grade=Grade.MEETS_STANDARD)),
            requires_improvement=Count("final_grade", filter=Q(final_grade=Grade.REQUIRES_IMPROVEMENT)),
            family_feedback=Count("final_grade", filter=Q(family_feedback=True)),
            moderated=Count("final_grade", filter=moderated),
            moderated_agree=Count("final_grade", filter=moderated & Q(moderated_grade=F("overall_grade"))),
        )
        .order_by()
    )


def _moderation(scope: _Scope) -> QuerySet:
    """The 4×4 table of auditor's grade × moderator's grade of routine audits, for Cohen's kappa: the
    moderated few (about 5%), read from their own partial index (audit_moderated_idx)."""
    return (
        _completed_audits(scope)
        .filter(moderated_grade__isnull=False, programme__isnull=True)
        .values(
            "region_id",
            "team_id",
            month=sql.month_of("completed_on"),
            auditor_grade=F("overall_grade"),
            moderator_grade=F("moderated_grade"),
        )
        .annotate(count=Count("*"))
        .order_by()
    )


def _feedback(scope: _Scope) -> QuerySet:
    """Feedback in the region and team copied onto it from its case (feedback with no case counts
    in no regional row), by month received and respondent type."""
    return (
        Feedback.objects.filter(region_id__isnull=False, team_id__isnull=False)
        .filter(scope.filter(region="region_id", date="received_on"))
        .values("region_id", "team_id", "respondent", month=sql.month_of("received_on"))
        .annotate(
            count=Count("id"),
            helpfulness_count=Count("helpfulness"),
            helpfulness_sum=Coalesce(Sum("helpfulness"), 0),
            worker_helped_count=Count("worker_helped"),
            worker_helped_yes=Count("id", filter=Q(worker_helped=True)),
            understood_count=Count("understood_recommendation"),
            understood_yes=Count("id", filter=Q(understood_recommendation=True)),
        )
        .order_by()
    )


def _themes(scope: _Scope) -> QuerySet:
    """Feedback tagged with each theme, from the feedback-theme link table."""
    link = Feedback.themes.through
    return (
        link.objects.filter(feedback__region_id__isnull=False, feedback__team_id__isnull=False)
        .filter(scope.filter(region="feedback__region_id", date="feedback__received_on"))
        .values(
            "theme_id",
            region_id=F("feedback__region_id"),
            team_id=F("feedback__team_id"),
            month=sql.month_of("feedback__received_on"),
            theme_name=F("theme__name"),
        )
        .annotate(count=Count("*"))
        .order_by()
    )


def _kpi_audits(scope: _Scope) -> QuerySet:
    """The audit counts: the routine rows of TemplateSnapshot (just written by this run)."""
    return (
        TemplateSnapshot.objects.filter(scope.snapshot(), programme_key=0)
        .values("region_id", "team_id", "month")
        .annotate(**{name: Sum(name) for name in AUDIT_FIELDS})
        .order_by()
    )


def _kpi_feedback(scope: _Scope) -> QuerySet:
    """The feedback counts: the FeedbackSnapshot rows (just written by this run) of every respondent."""
    return (
        FeedbackSnapshot.objects.filter(scope.snapshot())
        .values("region_id", "team_id", "month")
        .annotate(**{name: Sum(column) for name, column in FEEDBACK_FIELDS.items()})
        .order_by()
    )


def _kpi_cases(scope: _Scope) -> QuerySet:
    """Care and private law cases by month received, allocated or not, with working days to
    allocate care cases; cases with domestic abuse alleged, and substantiated."""
    care = Q(application_type=ApplicationType.S31_CARE)
    private = Q(law_type=LawType.PRIVATE)
    allocated = Q(allocated_on__isnull=False)
    alleged = Q(domestic_abuse_alleged=True)
    # Counting `received_on` (never null) rather than the id, every column the statement reads is
    # in case_kpi_received_idx (partial on these cases): an index-only scan, not a read of the heap.
    return (
        Case.objects.filter(scope.filter(region="region_id", date="received_on"))
        .filter(care | private | alleged)
        .values("region_id", "team_id", month=sql.month_of("received_on"))
        .annotate(
            care_received=Count("received_on", filter=care),
            care_allocated=Count("received_on", filter=care & allocated),
            care_working_days_sum=Coalesce(Sum("allocation_working_days", filter=care & allocated), 0),
            private_received=Count("received_on", filter=private),
            private_allocated=Count("received_on", filter=private & allocated),
            da_alleged=Count("received_on", filter=alleged),
            da_substantiated=Count("received_on", filter=Q(domestic_abuse_substantiated=True)),
        )
        .order_by()
    )


def _kpi_section_7(scope: _Scope) -> QuerySet:
    """Section 7 reports by month due (from their partial covering index, case_s7_due_idx)."""
    return (
        Case.objects.filter(application_type=ApplicationType.SECTION_7, report_due_on__isnull=False)
        .filter(scope.filter(region="region_id", date="report_due_on"))
        .values("region_id", "team_id", month=sql.month_of("report_due_on"))
        .annotate(
            s7_due=Count("*"),
            s7_on_time=Count("report_filed_on", filter=Q(report_filed_on__lte=F("report_due_on"))),
        )
        .order_by()
    )


def _judgements(scope: _Scope, *conditions: Q) -> QuerySet:
    return Judgement.objects.filter(*conditions, audit__status=AuditStatus.COMPLETED).filter(
        scope.filter(region="audit__region_id", date="audit__completed_on")
    )


def _audit_slice() -> dict:
    """values() of a judgement's slice: its audit's region, team and month."""
    return {
        "region_id": F("audit__region_id"),
        "team_id": F("audit__team_id"),
        "month": sql.month_of("audit__completed_on"),
    }


def _criteria(scope: _Scope) -> QuerySet:
    """Graded judgements of routine audits per criterion (named by code afterwards: its versions
    share the code)."""
    return (
        _judgements(scope, Q(audit__programme__isnull=True), Q(grade__isnull=False))
        .values("criterion_id", **_audit_slice())
        .annotate(
            # Count the (non-null) grade: judgement_audit_cover_idx holds audit, criterion and grade.
            graded=Count("grade"),
            below_good=Count("grade", filter=Q(grade__lt=Grade.GOOD)),
            requires_improvement=Count("grade", filter=Q(grade=Grade.REQUIRES_IMPROVEMENT)),
        )
        .order_by()
    )


def _criterion_results(scope: _Scope) -> QuerySet:
    """Graded and yes/no judgements of every completed audit per criterion (named by template slug
    and code afterwards)."""
    return (
        _judgements(scope, Q(grade__isnull=False) | Q(answer__isnull=False))
        .values("criterion_id", **_audit_slice())
        .annotate(
            graded=Count("grade"),
            good_or_better=Count("grade", filter=Q(grade__gte=Grade.GOOD)),
            meets_or_better=Count("grade", filter=Q(grade__gte=Grade.MEETS_STANDARD)),
            answered=Count("answer"),
            yes=Count("answer", filter=Q(answer=True)),
        )
        .order_by()
    )


def _criteria_named() -> QuerySet:
    """Every criterion (a few dozen): its code, text, kind and template slug."""
    return Criterion.objects.order_by().values("id", "code", "text", "kind", slug=F("template__slug"))


def _practitioners(scope: _Scope) -> QuerySet:
    """Completed audits per practitioner (copied onto the audit at completion)."""
    return (
        _completed_audits(scope)
        .filter(practitioner_id__isnull=False)
        .values("region_id", "team_id", "practitioner_id", month=sql.month_of("completed_on"))
        .annotate(audits=Count("id"), good_or_better=Count("id", filter=Q(final_grade__gte=Grade.GOOD)))
        .order_by()
    )


def _characteristic(characteristic: str, child_field: str) -> Part:
    """Routine audits by one characteristic of the case's children: one row per audit and distinct
    value (two children both aged 5 to 9 count the audit once there), summed by the family."""

    def part(scope: _Scope) -> QuerySet:
        return (
            _completed_audits(scope)
            .filter(case__children__isnull=False, programme__isnull=True)
            .values(
                "id",
                "region_id",
                "team_id",
                month=sql.month_of("completed_on"),
                characteristic=Value(characteristic),
                value=Coalesce(f"case__children__{child_field}", Value("")),
                audits=Value(1),
                good_or_better=models.Case(When(final_grade__gte=Grade.GOOD, then=Value(1)), default=Value(0)),
            )
            .distinct()
            .order_by()
        )

    return part


SLICE = ("region_id", "team_id", "month")
C = CharacteristicSnapshot.Characteristic

TEMPLATES = Family(
    TemplateSnapshot,
    (*SLICE, "template_slug", "programme_key"),
    (_templates,),
    lookup=_templates_named,
    by="template_id",
    from_lookup={"template_slug": "slug"},
)
MODERATION = Family(ModerationSnapshot, (*SLICE, "auditor_grade", "moderator_grade"), (_moderation,))
FEEDBACK = Family(FeedbackSnapshot, (*SLICE, "respondent"), (_feedback,))
THEMES = Family(ThemeSnapshot, (*SLICE, "theme_id"), (_themes,))
KPIS = Family(KpiSnapshot, SLICE, (_kpi_audits, _kpi_cases, _kpi_section_7, _kpi_feedback), from_indexes=True)
CRITERIA = Family(
    CriterionSnapshot,
    (*SLICE, "criterion_code"),
    (_criteria,),
    lookup=_criteria_named,
    by="criterion_id",
    from_lookup={"criterion_code": "code", "criterion_text": "text"},
)
CRITERION_RESULTS = Family(
    CriterionResultSnapshot,
    (*SLICE, "template_slug", "criterion_code"),
    (_criterion_results,),
    lookup=_criteria_named,
    by="criterion_id",
    from_lookup={"template_slug": "slug", "criterion_code": "code", "kind": "kind", "criterion_text": "text"},
)
PRACTITIONERS = Family(PractitionerSnapshot, (*SLICE, "practitioner_id"), (_practitioners,))
CHARACTERISTICS = Family(
    CharacteristicSnapshot,
    (*SLICE, "characteristic", "value"),
    (
        _characteristic(C.ETHNICITY, "ethnicity"),
        _characteristic(C.DISABILITY, "disability"),
        _characteristic(C.AGE_BAND, "age_band"),
        _characteristic(C.GENDER, "gender_identity"),
    ),
)

# In the order they are written: KPIS sums TEMPLATES and FEEDBACK of the same run.
KPI_GROUP = (TEMPLATES, MODERATION, FEEDBACK, THEMES, KPIS)
DETAILS_GROUP = (CRITERIA, CRITERION_RESULTS, PRACTITIONERS, CHARACTERISTICS)


# ---- runs --------------------------------------------------------------------------------


def _collect_cases(scope: _Scope, result: _Result) -> None:
    """Read (not write) the case KPI counts of the scope into `result.kpis`, by (region, team, month)."""
    for part in (_kpi_cases, _kpi_section_7):
        for row in part(scope):
            key = (row.pop("region_id"), row.pop("team_id"), sql.as_date(row.pop("month")))
            result.kpis[key].update((name, value or 0) for name, value in row.items())


def _write_details(scope: _Scope, now, *, before: tuple = ()) -> int:
    """Write the details group (after the statements `before`) in one round trip; returns the
    scope's KPI rows."""
    batch = [*before, *(statement for family in DETAILS_GROUP for statement in family.statements(scope, now))]
    return _count_kpi_rows(scope, batch)


def _count_kpi_rows(scope: _Scope, batch: list) -> int:
    """Run `batch`, then count the scope's KPI rows, in the same round trip."""
    counted = sql.Select.of(KpiSnapshot.objects.filter(scope.snapshot()).order_by().values("pk"))
    rows = sql.run([*batch, sql.Select(f"SELECT COUNT(*) FROM ({counted.sql}) kpis", counted.params)])  # noqa: S608
    return rows[0][0]


def _collect_audits(scope: _Scope, result: _Result) -> None:
    """Under the scope's lock, write the KPI group (and the details with `result.details`) in as
    few round trips as it can (`sql.run`): a slice's are one; a full rebuild's two, the template
    family first, whose changed rows (the region-months whose audit counts changed) it keeps."""
    first = [*sql.lock(scope.region_id, scope.month), *sql.tune(full=scope.region_id is None)]
    families = list(KPI_GROUP)
    if scope.region_id is None:
        result.changed = TEMPLATES.write(scope, result.now, before=first)
        first, families = [], families[1:]
    batch = [*first, *(statement for family in families for statement in family.statements(scope, result.now))]
    if result.details:
        result.kpi_rows = _write_details(scope, result.now, before=batch)
    else:
        result.kpi_rows = _count_kpi_rows(scope, batch)


def _run(scope: _Scope, *, details: bool) -> tuple[int, set]:
    """Recompute the scope's KPI group, and its details when `details`. Returns the scope's KPI
    rows and, for a full rebuild, the (region, month) slices whose audit counts changed."""
    with transaction.atomic():
        result = _Result(details=details)
        _collect_audits(scope, result)
        _record_run(scope, result.kpi_rows)
        return result.kpi_rows, result.changed


def _record_run(scope: _Scope, kpi_rows: int, kind: str | None = None) -> None:
    """Note the run ("figures as of"); a full rebuild also forgets runs older than RUNS_KEPT_DAYS."""
    finished = timezone.now()
    if kind is None:
        kind = RollupRun.Kind.FULL if scope.region_id is None else RollupRun.Kind.SLICE
    RollupRun.objects.create(
        kind=kind, region_id=scope.region_id, month=scope.month, kpi_rows=kpi_rows, finished_at=finished
    )
    if kind == RollupRun.Kind.FULL:
        RollupRun.objects.filter(finished_at__lt=finished - datetime.timedelta(days=RUNS_KEPT_DAYS)).delete()


def rollup_slice(*, region_id: int, month: datetime.date, details: bool = True) -> int:
    """Recompute every snapshot row of one region and month (the details too unless `details` is
    False, as the task of a completed audit does, which runs them as a task of their own); returns
    its KPI rows (written, or found unchanged and left as they were)."""
    rows, _ = _run(_Scope(region_id=region_id, month=month_start(month)), details=details)
    return rows


def rollup_slice_details(*, region_id: int, month: datetime.date) -> int:
    """Recompute the details group of one region and month; returns its KPI rows (unchanged)."""
    scope = _Scope(region_id=region_id, month=month_start(month))
    with transaction.atomic():
        rows = _write_details(scope, timezone.now(), before=sql.lock(scope.region_id, scope.month))
        _record_run(scope, rows)
        return rows


def rollup_all(*, criteria: bool = True, catch_up: bool = True) -> int:
    """Rebuild the snapshot rows from the source tables; returns the KPI rows (written or unchanged).

    `criteria=False` (the nightly job, `rollup_kpis --full`) rebuilds the KPI group, which reads
    the audits once, the moderated few, the cases and the feedback, and never a judgement; the
    details are kept current by the slices, except for the region-months whose audit counts it
    found changed: with `catch_up`, their details are recomputed after it (in this process for up
    to CATCH_UP_SLICES of them, else by the `rollup_criteria` task). `rollup_criteria()` (weekly)
    rebuilds every detail.
    """
    rows, changed = _run(_Scope(), details=criteria)
    if not criteria and catch_up and changed:
        _catch_up(sorted(changed))
    return rows


def _catch_up(changed: list[tuple[int, datetime.date]]) -> None:
    if len(changed) <= CATCH_UP_SLICES:
        for region_id, month in changed:
            rollup_slice_details(region_id=region_id, month=month)
        return
    from .tasks import rollup_criteria as rollup_criteria_task  # the task module imports this one

    try:
        rollup_criteria_task.delay()
    except Exception:
        # Deliberately broad, as for the slices: the weekly rebuild catches up.
        logger.exception("dashboards: could not enqueue the rebuild of the details of %s slices", len(changed))


def rollup_criteria() -> int:
    """Rebuild every detail snapshot (the weekly job, `rollup_kpis --full --criteria`); returns the
    criterion snapshot rows."""
    with transaction.atomic():
        _write_details(_Scope(), timezone.now(), before=[*sql.lock(None, None), *sql.tune(full=True)])
        rows = CriterionSnapshot.objects.count()
        _record_run(_Scope(), rows, kind=RollupRun.Kind.CRITERIA)
        return rows
