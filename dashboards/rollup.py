"""Roll-ups: recompute the KPI snapshot tables from the audit and case tables, set-based.

The entry points run a handful of GROUP BY queries, merge their rows in Python by
(region, team, month) — a few thousand keys at most, never one per audit — compare them with
the stored rows of the scope, upsert (`bulk_create(update_conflicts=True)` on each table's
natural key) the rows that differ and delete the stored rows the run no longer finds (a slice
that lost its last audit). Criterion snapshots are upserted by one INSERT … SELECT instead. All
of it in one transaction, so running twice, or again after a crash halfway, gives the same
rows. Only rows whose figures changed are written (with the run's `computed_at`); a row the
run finds unchanged keeps its `computed_at`, the time its figures were last computed as they
are; every run also records itself in `RollupRun`, and "figures as of" is the newest run (or
row), so a night that changed nothing still shows that the figures were checked then.

- `rollup_slice(region_id=, month=)`: one region and month (what a completed audit touches),
  criterion snapshots included.
- `rollup_all(criteria=False)`: the KPI and moderation snapshots of everything (the nightly job
  and `rollup_kpis --full`), plus the criteria of any region-month whose audit counts it changed.
  It reads audits, cases and feedback, never the judgements (13 per audit).
- `rollup_criteria()`: every criterion snapshot (the weekly job); `rollup_all()` does both.

Where a figure comes from:
- audits: completed routine audits (not part of a thematic programme) by month of
  `completed_on`, in the region and team copied onto the audit at completion (so a case
  re-allocated later never moves its history), counted by `final_grade`; family feedback
  from `family_feedback`; moderated = a completed moderation (its grade copied onto the
  audit as `moderated_grade`), agreeing when it equals the auditor's `overall_grade`.
- criteria: graded judgements of those audits by `Criterion.code` (stable across versions).
- templates: every completed audit (routine and thematic) by template slug and programme, for the
  `template=` and `programme=` filters (TemplateSnapshot), from the same scan as the audits.
- cases (by the case's current region and team): care (`s31_care`) and private law cases
  by month received, allocated or not, with working days to allocate; section 7 reports by
  month due, on time when filed on or before the due date.
- cases with domestic abuse alleged, and substantiated, by month received (KPI snapshot).
- feedback: by month received, in the region and team copied onto it from its case; counts,
  helpfulness (count and sum of answers 0–10) and "did your worker help you?" (answers, yes);
  and per respondent type (FeedbackSnapshot), with "did you understand the recommendation?".
- feedback themes: feedback tagged with each theme by month received, in the region and team copied
  onto the feedback (ThemeSnapshot), from the feedback-theme link table.
- with the criteria (slices, the nightly catch-up of changed slices, the weekly rebuild), since
  they read the judgements or join the children: graded and yes/no judgements per template and
  criterion code (CriterionResultSnapshot), completed audits per practitioner (PractitionerSnapshot)
  and per characteristic of the case's children (CharacteristicSnapshot).
"""

import contextlib
import datetime
import gc
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Func, Q, Sum, Value
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from audits.models import Audit, AuditStatus, AuditTemplate, Criterion, Grade, Judgement
from cases.models import ApplicationType, Case, LawType
from feedback.models import Feedback

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

RUNS_KEPT_DAYS = 35

FEEDBACK_FIELDS = [
    "feedback_count",
    "feedback_helpfulness_count",
    "feedback_helpfulness_sum",
    "feedback_worker_helped_count",
    "feedback_worker_helped_yes",
]


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


# Per template and programme (TemplateSnapshot): the grade mix and family feedback.
TEMPLATE_FIELDS = ["audits", "outstanding", "good", "meets_standard", "requires_improvement", "family_feedback"]


KPI_COUNT_FIELDS = [
    *AUDIT_FIELDS,
    "care_received",
    "care_allocated",
    "care_working_days_sum",
    "private_received",
    "private_allocated",
    "s7_due",
    "s7_on_time",
    *FEEDBACK_FIELDS,
    "da_alleged",
    "da_substantiated",
]
BATCH = 2000


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _as_date(value) -> datetime.date:
    """TruncMonth of a DateField gives a date on both backends; be safe with datetimes."""
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass
class _Scope:
    """None/None = everything; otherwise one region and one month."""

    region_id: int | None = None
    month: datetime.date | None = None

    def filter(self, *, region: str, date: str) -> Q:
        if self.region_id is None:
            return Q()
        return Q(**{region: self.region_id, f"{date}__gte": self.month, f"{date}__lt": next_month(self.month)})


@dataclass
class _Result:
    kpis: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(KPI_COUNT_FIELDS, 0)))
    moderation: dict = field(default_factory=dict)
    templates: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(TEMPLATE_FIELDS, 0)))


def _completed_audits(scope: _Scope):
    in_scope = scope.filter(region="region_id", date="completed_on")
    return Audit.objects.filter(status=AuditStatus.COMPLETED).filter(in_scope)


def _month(date_field: str):
    """The first day of the month as a plain date in SQL.

    On PostgreSQL `date_trunc` of a plain date casts it to `timestamp with time zone` first, a
    time zone conversion per row (a quarter of the audits scan at 1M audits); truncating it as a
    plain `timestamp` gives the same day without one. Elsewhere the ORM's TruncMonth, as a date.
    """
    if connection.vendor == "postgresql":
        return Func(
            F(date_field), template="(DATE_TRUNC('month', %(expressions)s::timestamp))::date", output_field=DateField()
        )
    return Cast(TruncMonth(date_field), DateField())


def _collect_audits(scope: _Scope, result: _Result) -> None:
    # 1. Audits by final grade, family feedback and moderation agreement: one scan of the audits,
    #    no join (the moderator's grade is copied onto the audit when the moderation completes),
    #    grouped by template and programme too: the KPI rows add up the routine audits (no
    #    programme) of every template, the template rows keep each (template, programme) apart.
    moderated = Q(moderated_grade__isnull=False)
    slugs = dict(AuditTemplate.objects.values_list("pk", "slug"))  # a handful of template versions
    rows = (
        _completed_audits(scope)
        .annotate(m=_month("completed_on"))
        .values("region_id", "team_id", "m", "template_id", "programme_id")
        .annotate(
            audits=Count("id"),
            outstanding=Count("id", filter=Q(final_grade=Grade.OUTSTANDING)),
            good=Count("id", filter=Q(final_grade=Grade.GOOD)),
            meets_standard=Count("id", filter=Q(final_grade=Grade.MEETS_STANDARD)),
            requires_improvement=Count("id", filter=Q(final_grade=Grade.REQUIRES_IMPROVEMENT)),
            family_feedback=Count("id", filter=Q(family_feedback=True)),
            moderated=Count("id", filter=moderated),
            moderated_agree=Count("id", filter=moderated & Q(moderated_grade=F("overall_grade"))),
        )
        .order_by()
    )
    for row in rows:
        month = _as_date(row["m"])
        programme = row["programme_id"] or 0
        if not programme:
            target = result.kpis[(row["region_id"], row["team_id"], month)]
            for name in AUDIT_FIELDS:
                target[name] += row[name]
        mix = result.templates[(row["region_id"], row["team_id"], month, slugs[row["template_id"]], programme)]
        for name in TEMPLATE_FIELDS:
            mix[name] += row[name]

    # 2. The 4×4 table of auditor's grade × moderator's grade, for Cohen's kappa: the moderated
    #    few (about 5%), read from their own partial index (audit_moderated_idx), routine only.
    cells = (
        _completed_audits(scope)
        .filter(moderated, programme__isnull=True)
        .values(
            r=F("region_id"), t=F("team_id"), m=_month("completed_on"), a=F("overall_grade"), g=F("moderated_grade")
        )
        .annotate(n=Count("*"))
        .values_list("r", "t", "m", "a", "g", "n")  # tuples: ~20,000 cells at 1M audits
        .order_by()
    )
    for r, t, m, a, g, n in cells:
        result.moderation[(r, t, _as_date(m), a, g)] = n


def _collect_cases(scope: _Scope, result: _Result) -> None:
    """Operational KPIs 1–4: two queries, one scan each (the section 7 one from its partial index)."""
    care = Q(application_type=ApplicationType.S31_CARE)
    private = Q(law_type=LawType.PRIVATE)
    allocated = Q(allocated_on__isnull=False)
    # 4–5. Care and private law cases by month received; working days to allocate care cases are
    #      summed from each case's `allocation_working_days` (worked out when its dates are saved).
    alleged = Q(domestic_abuse_alleged=True)
    rows = (
        Case.objects.filter(scope.filter(region="region_id", date="received_on"))
        .filter(care | private | alleged)
        .annotate(m=_month("received_on"))
        .values("region_id", "team_id", "m")
        .annotate(
            care_received=Count("id", filter=care),
            care_allocated=Count("id", filter=care & allocated),
            care_working_days_sum=Sum("allocation_working_days", filter=care & allocated),
            private_received=Count("id", filter=private),
            private_allocated=Count("id", filter=private & allocated),
            da_alleged=Count("id", filter=alleged),
            da_substantiated=Count("id", filter=Q(domestic_abuse_substantiated=True)),
        )
        .values_list(
            "region_id",
            "team_id",
            "m",
            "care_received",
            "care_allocated",
            "care_working_days_sum",
            "private_received",
            "private_allocated",
            "da_alleged",
            "da_substantiated",
        )
        .order_by()
    )
    names = [
        "care_received",
        "care_allocated",
        "care_working_days_sum",
        "private_received",
        "private_allocated",
        "da_alleged",
        "da_substantiated",
    ]
    for r, t, m, *counts in rows:
        result.kpis[(r, t, _as_date(m))].update(zip(names, (n or 0 for n in counts), strict=True))

    # 6. Section 7 reports by month due.
    rows = (
        Case.objects.filter(application_type=ApplicationType.SECTION_7, report_due_on__isnull=False)
        .filter(scope.filter(region="region_id", date="report_due_on"))
        .annotate(m=_month("report_due_on"))
        .values("region_id", "team_id", "m")
        .annotate(
            s7_due=Count("*"),
            s7_on_time=Count("report_filed_on", filter=Q(report_filed_on__lte=F("report_due_on"))),
        )
        .values_list("region_id", "team_id", "m", "s7_due", "s7_on_time")
        .order_by()
    )
    for r, t, m, s7_due, s7_on_time in rows:
        result.kpis[(r, t, _as_date(m))].update(s7_due=s7_due, s7_on_time=s7_on_time)


def _collect_feedback(scope: _Scope, result: _Result) -> None:
    # 7. Feedback by month received, in the region and team copied onto it from its case when
    #    it arrived (feedback with no case has no region and counts in no regional row).
    rows = (
        Feedback.objects.filter(region_id__isnull=False, team_id__isnull=False)
        .filter(scope.filter(region="region_id", date="received_on"))
        .annotate(m=TruncMonth("received_on"))
        .values("region_id", "team_id", "m")
        .annotate(
            feedback_count=Count("id"),
            feedback_helpfulness_count=Count("helpfulness"),
            feedback_helpfulness_sum=Sum("helpfulness"),
            feedback_worker_helped_count=Count("worker_helped"),
            feedback_worker_helped_yes=Count("id", filter=Q(worker_helped=True)),
        )
        .order_by()
    )
    for row in rows:
        target = result.kpis[(row["region_id"], row["team_id"], _as_date(row["m"]))]
        for name in FEEDBACK_FIELDS:
            target[name] = row[name] or 0


FEEDBACK_SNAPSHOT_FIELDS = [
    "count",
    "helpfulness_count",
    "helpfulness_sum",
    "worker_helped_count",
    "worker_helped_yes",
    "understood_count",
    "understood_yes",
]


def _sync_feedback_by_respondent(scope: _Scope, now) -> None:
    """Feedback by (region, team, month, respondent type): one small GROUP BY over the feedback."""
    rows = (
        Feedback.objects.filter(region_id__isnull=False, team_id__isnull=False)
        .filter(scope.filter(region="region_id", date="received_on"))
        .annotate(m=_month("received_on"))
        .values("region_id", "team_id", "m", "respondent")
        .annotate(
            count=Count("id"),
            helpfulness_count=Count("helpfulness"),
            helpfulness_sum=Sum("helpfulness"),
            worker_helped_count=Count("worker_helped"),
            worker_helped_yes=Count("id", filter=Q(worker_helped=True)),
            understood_count=Count("understood_recommendation"),
            understood_yes=Count("id", filter=Q(understood_recommendation=True)),
        )
        .order_by()
    )
    wanted = {
        (r["region_id"], r["team_id"], _as_date(r["m"]), r["respondent"]): [
            r[name] or 0 for name in FEEDBACK_SNAPSHOT_FIELDS
        ]
        for r in rows
    }
    keys = ["region_id", "team_id", "month", "respondent"]
    _sync(FeedbackSnapshot, scope, keys, FEEDBACK_SNAPSHOT_FIELDS, wanted, now)


def _sync_themes(scope: _Scope, now) -> None:
    """Feedback tagged with each theme by (region, team, month received, theme): one GROUP BY over
    the feedback-theme link table (joined to its feedback for the slice, to the theme for its name)."""
    link = Feedback.themes.through
    rows = _fetch(
        link.objects.filter(feedback__region_id__isnull=False, feedback__team_id__isnull=False)
        .filter(scope.filter(region="feedback__region_id", date="feedback__received_on"))
        .values_list(
            "feedback__region_id", "feedback__team_id", _month("feedback__received_on"), "theme_id", "theme__name"
        )
        .annotate(n=Count("*"))
        .order_by()
    )
    wanted = {(r, t, _as_date(m), theme): [name, n] for r, t, m, theme, name, n in rows}
    keys = ["region_id", "team_id", "month", "theme_id"]
    _sync(ThemeSnapshot, scope, keys, ["theme_name", "count"], wanted, now)


CRITERION_RESULT_FIELDS = ["kind", "criterion_text", "graded", "good_or_better", "meets_or_better", "answered", "yes"]


def _sync_criterion_results(scope: _Scope, now) -> None:
    """Graded and yes/no judgements by (region, team, month, template slug, criterion code).

    Counted per criterion id in SQL (no join beyond the audit), then summed by the criterion's
    template slug and code in Python from one small read of the criteria (a few dozen rows)."""
    answered = Q(grade__isnull=False) | Q(answer__isnull=False)
    rows = _fetch(
        Judgement.objects.filter(answered, audit__status=AuditStatus.COMPLETED)
        .filter(scope.filter(region="audit__region_id", date="audit__completed_on"))
        .values(**_region_and_month(scope), t=F("audit__team_id"), cid=F("criterion_id"))
        .annotate(
            graded=Count("grade"),
            good_or_better=Count("grade", filter=Q(grade__gte=Grade.GOOD)),
            meets_or_better=Count("grade", filter=Q(grade__gte=Grade.MEETS_STANDARD)),
            answered=Count("answer"),
            yes=Count("answer", filter=Q(answer=True)),
        )
        .values_list("r", "t", "m", "cid", "graded", "good_or_better", "meets_or_better", "answered", "yes")
        .order_by()
    )
    criteria = {
        pk: (slug, code, kind, text)
        for pk, slug, code, kind, text in Criterion.objects.values_list("pk", "template__slug", "code", "kind", "text")
    }
    wanted: dict[tuple, list] = {}
    for r, t, m, cid, *counts in rows:
        slug, code, kind, text = criteria[cid]
        key = (r, t, _as_date(m), slug, code)
        row = wanted.get(key)
        if row is None:
            wanted[key] = [kind, text, *counts]
        else:  # versions of a criterion share its code: sum them, keep the greatest kind and text
            row[0], row[1] = max(row[0], kind), max(row[1], text)
            for i, n in enumerate(counts, 2):
                row[i] += n
    keys = ["region_id", "team_id", "month", "template_slug", "criterion_code"]
    _sync(CriterionResultSnapshot, scope, keys, CRITERION_RESULT_FIELDS, wanted, now)


def _sync_practitioners(scope: _Scope, now) -> None:
    """Completed audits per practitioner (copied onto the audit at completion) by slice."""
    rows = (
        _completed_audits(scope)
        .filter(practitioner_id__isnull=False)
        .annotate(m=_month("completed_on"))
        .values("region_id", "team_id", "m", "practitioner_id")
        .annotate(audits=Count("id"), gob=Count("id", filter=Q(final_grade__gte=Grade.GOOD)))
        .order_by()
    )
    wanted = {
        (r["region_id"], r["team_id"], _as_date(r["m"]), r["practitioner_id"]): [r["audits"], r["gob"]] for r in rows
    }
    keys = ["region_id", "team_id", "month", "practitioner_id"]
    _sync(PractitionerSnapshot, scope, keys, ["audits", "good_or_better"], wanted, now)


# Characteristic -> the field of a child of the audit's case.
CHARACTERISTIC_FIELDS = {
    CharacteristicSnapshot.Characteristic.ETHNICITY: "ethnicity",
    CharacteristicSnapshot.Characteristic.DISABILITY: "disability",
    CharacteristicSnapshot.Characteristic.AGE_BAND: "age_band",
    CharacteristicSnapshot.Characteristic.GENDER: "gender_identity",
}


def _sync_characteristics(scope: _Scope, now) -> None:
    """Audits by each characteristic of the case's children; an audit counts once per distinct
    value among its case's children (two children both aged 5 to 9 count the audit once there).

    One scan of the scope's audits joined to their cases' children (about 1.6 rows per audit),
    counted in Python: four GROUP BY … COUNT(DISTINCT) queries cost three times as much."""
    names = list(CHARACTERISTIC_FIELDS.values())
    rows = _fetch(
        _completed_audits(scope)
        .filter(case__children__isnull=False, programme__isnull=True)  # routine audits, as the headline figures
        .annotate(m=_month("completed_on"))
        .values_list("id", "region_id", "team_id", "m", "final_grade", *[f"case__children__{n}" for n in names])
        .order_by("id")  # an audit's rows together, so "once per audit" needs only that audit's keys
    )
    kinds = [str(c) for c in CHARACTERISTIC_FIELDS]
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    current, seen = None, set()
    for audit_id, r, t, m, grade, *values in rows:
        if audit_id != current:
            current, seen = audit_id, set()
        month = _as_date(m)
        for characteristic, value in zip(kinds, values, strict=True):
            key = (r, t, month, characteristic, value or "")
            if key in seen:
                continue
            seen.add(key)
            row = counts[key]
            row[0] += 1
            row[1] += grade >= Grade.GOOD
    keys = ["region_id", "team_id", "month", "characteristic", "value"]
    _sync(CharacteristicSnapshot, scope, keys, ["audits", "good_or_better"], dict(counts), now)


def _rebuild_details(scope: _Scope, now) -> None:
    """The per-criterion (with yes/no), per-practitioner and per-characteristic snapshots: they
    read the judgements or join the children, so they ride with the criteria (slice roll-ups,
    the nightly catch-up of changed slices and the weekly rebuild), not the nightly KPI scan."""
    _sync_criterion_results(scope, now)
    _sync_practitioners(scope, now)
    _sync_characteristics(scope, now)


def _write(scope: _Scope, result: _Result, now) -> tuple[int, dict]:
    """Write the KPI and moderation rows; returns the KPI rows and the KPI changes (see `_sync`)."""
    kpis = {
        key: [counts[name] for name in KPI_COUNT_FIELDS] for key, counts in result.kpis.items() if any(counts.values())
    }
    changes = _sync(KpiSnapshot, scope, ["region_id", "team_id", "month"], KPI_COUNT_FIELDS, kpis, now)
    moderation = {key: [n] for key, n in result.moderation.items()}
    keys = ["region_id", "team_id", "month", "auditor_grade", "moderator_grade"]
    _sync(ModerationSnapshot, scope, keys, ["count"], moderation, now)
    templates = {key: [counts[name] for name in TEMPLATE_FIELDS] for key, counts in result.templates.items()}
    keys = ["region_id", "team_id", "month", "template_slug", "programme_key"]
    _sync(TemplateSnapshot, scope, keys, TEMPLATE_FIELDS, templates, now)
    _sync_feedback_by_respondent(scope, now)
    _sync_themes(scope, now)
    return len(kpis), changes


def _in_scope(scope: _Scope) -> Q:
    return Q() if scope.region_id is None else Q(region_id=scope.region_id, month=scope.month)


def _fetch(values_list):
    """The rows of a values_list query. On PostgreSQL straight from the cursor: the columns here
    (ids, dates, counts) need none of Django's per-row converters, and at 1M audits skipping them
    saves a tenth of a second of a nightly rebuild. Elsewhere (SQLite gives dates as text) the ORM."""
    if connection.vendor != "postgresql":
        return list(values_list)
    sql, params = values_list.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [list(row) for row in cursor.fetchall()]


def _sync(model, scope: _Scope, keys: list[str], fields: list[str], rows: dict, now) -> dict:
    """Make the scope's rows of `model` equal `rows` ({key: [values of fields]}), writing only the
    difference: insert the new and update the changed (with computed_at = now), delete the gone.

    A full rebuild that finds nothing new then writes nothing (rewriting thousands of unchanged
    rows was most of its time, and bloat). Upserts on the natural key, so a row a concurrent
    slice roll-up has just inserted is updated, not duplicated. Returns {key: (old values, new
    values)} of the rows it inserted, updated or deleted (None for no row).
    """
    existing = {}
    for pk, *values in _fetch(model.objects.filter(_in_scope(scope)).values_list("pk", *keys, *fields)):
        existing[tuple(values[: len(keys)])] = (pk, values[len(keys) :])
    changed = [key for key, values in rows.items() if key not in existing or existing[key][1] != values]
    model.objects.bulk_create(
        [
            model(computed_at=now, **dict(zip(keys, key, strict=True)), **dict(zip(fields, rows[key], strict=True)))
            for key in changed
        ],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=[name.removesuffix("_id") for name in keys],
        update_fields=[*fields, "computed_at"],
    )
    gone = [key for key in existing if key not in rows]
    pks = [existing[key][0] for key in gone]
    for start in range(0, len(pks), BATCH):
        model.objects.filter(pk__in=pks[start : start + BATCH]).delete()
    changes = {key: (existing[key][1] if key in existing else None, rows[key]) for key in changed}
    changes.update((key, (existing[key][1], None)) for key in gone)
    return changes


def _stale(scope: _Scope, now) -> Q:
    """Criterion rows of the scope this run did not write have lost their data. (A run started
    later writes a later computed_at, so a concurrent newer run is never undone.)"""
    return Q(computed_at__lt=now) & _in_scope(scope)


def _region_and_month(scope: _Scope) -> dict:
    """r and m of an audit's judgements: constants in a slice (tens of thousands of judgements
    then group by team and criterion alone, with no month computed per row)."""
    if scope.region_id is None:
        return {"r": F("audit__region_id"), "m": _month("audit__completed_on")}
    return {"r": Value(scope.region_id), "m": Value(scope.month)}


def _criteria_select(scope: _Scope) -> tuple[str, list]:
    """SELECT r, t, m, code, text, graded, below_good, ri: graded judgements of the scope's
    completed audits by (region, team, month, criterion code), and its parameters.

    The inner SELECT is the ORM's own (so the month is right on PostgreSQL and SQLite), every
    column aliased so the outer statement can name them; the outer one sums the versions of a
    criterion, which share a code.
    """
    # Inner: counts per criterion id (narrow rows: no criterion text carried through the sort).
    per_criterion = (
        # Routine audits only: a programme's criterion profile is on its own page.
        Judgement.objects.filter(
            audit__status=AuditStatus.COMPLETED, audit__programme__isnull=True, grade__isnull=False
        )
        .filter(scope.filter(region="audit__region_id", date="audit__completed_on"))
        .values(**_region_and_month(scope), t=F("audit__team_id"), cid=F("criterion_id"))
        .annotate(
            # Count the (non-null) grade rather than the id: judgement_audit_cover_idx holds
            # audit, criterion and grade, so PostgreSQL reads the judgements from the index alone.
            graded=Count("grade"),
            below_good=Count("grade", filter=Q(grade__lt=Grade.GOOD)),
            ri=Count("grade", filter=Q(grade=Grade.REQUIRES_IMPROVEMENT)),
        )
        .order_by()
    )
    inner_sql, params = per_criterion.query.sql_with_params()
    criteria = connection.ops.quote_name(Criterion._meta.db_table)
    sql = (
        "SELECT s.r AS r, s.t AS t, s.m AS m, c.code AS code, COALESCE(MAX(c.text), '') AS text, "  # noqa: S608
        "SUM(s.graded) AS graded, SUM(s.below_good) AS below_good, SUM(s.ri) AS ri "
        f"FROM ({inner_sql}) s INNER JOIN {criteria} c ON c.id = s.cid GROUP BY s.r, s.t, s.m, c.code"
    )
    return sql, list(params)


CRITERION_COLUMNS = (
    "region_id, team_id, month, criterion_code, criterion_text, graded, below_good, requires_improvement, computed_at"
)
CRITERION_UPSERT = (
    "ON CONFLICT (region_id, team_id, month, criterion_code) DO UPDATE SET "
    "criterion_text = EXCLUDED.criterion_text, graded = EXCLUDED.graded, below_good = EXCLUDED.below_good, "
    "requires_improvement = EXCLUDED.requires_improvement, computed_at = EXCLUDED.computed_at"
)


def _rebuild_criteria(scope: _Scope, now) -> None:
    """Graded judgements by criterion code, aggregated and upserted inside the database.

    Ten times as many rows as the KPI table (one per criterion), so rather than bringing them
    into Python, one INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE does it set-based; then
    the scope's rows it did not write go. Table names are ours; values are parameters.
    """
    if connection.vendor == "postgresql" and scope.region_id is None:
        _rebuild_all_criteria_postgresql(now)
        return
    select, params = _criteria_select(scope)
    table = connection.ops.quote_name(CriterionSnapshot._meta.db_table)
    # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT.
    sql = (
        f"INSERT INTO {table} ({CRITERION_COLUMNS}) "  # noqa: S608
        f"SELECT n.r, n.t, n.m, n.code, n.text, n.graded, n.below_good, n.ri, %s FROM ({select}) n "
        f"WHERE 1 = 1 {CRITERION_UPSERT}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *params])
    CriterionSnapshot.objects.filter(_stale(scope, now)).delete()


def _rebuild_all_criteria_postgresql(now) -> None:
    """Every criterion snapshot, writing only the difference (PostgreSQL).

    The aggregation (13 judgements per audit) goes into a temporary table once; the upsert then
    skips the rows whose figures are unchanged (most of them, most weeks) and the rows it no
    longer finds are deleted by key. Rewriting ~66,000 unchanged rows at 1M audits took ~0.9 s.
    """
    select, params = _criteria_select(_Scope())
    table = connection.ops.quote_name(CriterionSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS rollup_criteria_new")
        cursor.execute(f"CREATE TEMPORARY TABLE rollup_criteria_new AS {select}", params)
        cursor.execute(
            f"INSERT INTO {table} AS old ({CRITERION_COLUMNS}) "  # noqa: S608
            "SELECT r, t, m, code, text, graded, below_good, ri, %s FROM rollup_criteria_new "
            f"{CRITERION_UPSERT} WHERE (old.criterion_text, old.graded, old.below_good, old.requires_improvement) "
            "IS DISTINCT FROM (EXCLUDED.criterion_text, EXCLUDED.graded, EXCLUDED.below_good, "
            "EXCLUDED.requires_improvement)",
            [now],
        )
        cursor.execute(
            f"DELETE FROM {table} old WHERE NOT EXISTS (SELECT 1 FROM rollup_criteria_new n "  # noqa: S608
            "WHERE n.r = old.region_id AND n.t = old.team_id AND n.m = old.month AND n.code = old.criterion_code)"
        )
        cursor.execute("DROP TABLE rollup_criteria_new")


def _changed_slices(changes: dict) -> set[tuple[int, datetime.date]]:
    """The (region, month) slices whose audit counts the rebuild changed (from `_sync`'s changes):
    a slice roll-up of them never ran (the broker was down) or a change bypassed the signals, so
    their criteria are stale too."""
    where = [KPI_COUNT_FIELDS.index(name) for name in AUDIT_FIELDS]
    zero = [0] * len(KPI_COUNT_FIELDS)
    return {
        (r, m)
        for (r, _, m), (old, new) in changes.items()
        if [(old or zero)[i] for i in where] != [(new or zero)[i] for i in where]
    }


# Above this many region-months to catch up, one full rebuild of the criteria beats slice by slice.
CATCH_UP_SLICES = 50


# Advisory lock keys (PostgreSQL), so several Celery workers can run roll-ups at once: a slice
# takes the "everything" key shared and its own key exclusively; a full or criteria rebuild
# takes the "everything" key exclusively. Always in that order, so no two runs deadlock.
LOCK_EVERYTHING = 0x0DA5_0000


def _slice_lock_key(region_id: int, month: datetime.date) -> str:
    return f"dashboards.rollup:{region_id}:{month:%Y-%m}"


def _lock(scope: _Scope) -> None:
    """Wait, inside the run's transaction, until no other run covers this scope; held to commit.

    Taken before anything is read: two runs of one slice (a retry, or two workers each handed
    an enqueue) then take turns, and the second reads what the first committed. Without it the
    run that read first could commit last and put back figures from before the newer audit.
    SQLite (local, tasks in-process) has one writer at a time anyway.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if scope.region_id is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_EVERYTHING])
        else:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_EVERYTHING])
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [_slice_lock_key(scope.region_id, scope.month)],
            )


def _tune(scope: _Scope) -> None:
    """PostgreSQL only, for this transaction. A slice reads a few thousand rows by index, where
    starting parallel workers costs more than it saves. A full rebuild groups a few thousand
    (region, team, month) keys, but the planner expects ~100,000 and, with the 4 MB default
    work_mem, sorts a million rows on disk instead of hashing them in memory (0.55 s against 0.2 s)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if scope.region_id is not None:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        else:
            cursor.execute("SET LOCAL work_mem = '64MB'")


@contextlib.contextmanager
def _without_gc():
    """Pause Python's cyclic garbage collector while a run builds its rows.

    A full rebuild makes tens of thousands of small tuples, lists and dicts (no reference
    cycles among them); each batch of new objects would otherwise set off a collection that
    walks every object the process holds. At 1M audits that was a quarter of the nightly
    rebuild's time. Reference counting still frees everything; collection resumes after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(scope: _Scope, *, criteria: bool = True) -> int:
    """Recompute the scope's KPI and moderation snapshots, and its criterion snapshots when
    `criteria`; otherwise (a full rebuild only) the criteria of the slices whose audits changed.
    Returns the scope's KPI rows."""
    with _without_gc(), transaction.atomic():
        _lock(scope)
        now = timezone.now()
        _tune(scope)
        result = _Result()
        _collect_audits(scope, result)
        _collect_cases(scope, result)
        _collect_feedback(scope, result)
        written, changes = _write(scope, result, now)
        if criteria:
            _rebuild_criteria(scope, now)
            _rebuild_details(scope, now)
        else:
            changed = sorted(_changed_slices(changes))
            catch_up = [_Scope(r, m) for r, m in changed] if len(changed) <= CATCH_UP_SLICES else [_Scope()]
            for each in catch_up:
                _rebuild_criteria(each, now)
                _rebuild_details(each, now)
        _record_run(scope, written)
        return written


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


def rollup_slice(*, region_id: int, month: datetime.date) -> int:
    """Recompute every (region, team, month) snapshot row of one region and month; returns its KPI
    rows (written, or found unchanged and left as they were)."""
    return _run(_Scope(region_id=region_id, month=month_start(month)))


def rollup_all(*, criteria: bool = True) -> int:
    """Rebuild the snapshot rows from the source tables; returns the KPI rows (written or unchanged).

    `criteria=False` (the nightly job, `rollup_kpis --full`) rebuilds the KPI and moderation
    snapshots, which read the audits, moderations, cases and feedback, and leaves the criterion
    snapshots (which read every judgement, 13 per audit) to the slice roll-ups that keep them
    current, except for the region-months whose audit counts it found changed: it recomputes
    their criteria too. `rollup_criteria()` (weekly) rebuilds them all.
    """
    return _run(_Scope(), criteria=criteria)


def rollup_criteria() -> int:
    """Rebuild every criterion snapshot (the weekly job, `rollup_kpis --full --criteria`); returns the rows."""
    with transaction.atomic():
        _lock(_Scope())
        now = timezone.now()
        _tune(_Scope())
        _rebuild_criteria(_Scope(), now)
        _rebuild_details(_Scope(), now)
        rows = CriterionSnapshot.objects.count()
        _record_run(_Scope(), rows, kind=RollupRun.Kind.CRITERIA)
        return rows
