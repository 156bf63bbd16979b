"""Audit scheduling: top every practitioner up to their audits in a rolling 12 months.

The rules (DESIGN.md, "Scheduling"):

- Who: every active person in the practitioner group.
- Target: 8 audits of their work in a rolling 12 months, or 4 where collaborative feedback
  applies (`User.collaborative_feedback`).
- What counts: audits of cases allocated to them, that is the practitioner copied onto a
  completed audit, or the case's allocated practitioner for an audit not yet completed; not
  cancelled; created or completed on or after `today - 365 days`. No upper bound: an audit
  scheduled by an earlier run (created "now") always counts, which keeps a rerun idempotent.
- Shortfall: target minus what counts, never below 0.
- Cases: drawn at random from their open caseload (not closed, no audit already open on
  it). Cases not audited within the window come first, so one case is not audited twice in
  a year while others wait.
- Auditor: an active auditor of the case's region who is not allocated to the case (and so
  never the practitioner), the one with the fewest open audits, ties drawn at random; the
  audits handed out in this run count towards that load as they are given.
- Template: the current version of the shipped `standard` template.
- Due: 20 working days after `today` (weekends and England and Wales bank holidays
  excluded), about a calendar month, the time a practice supervisor needs to read a file.
- A practitioner with no eligible case or no eligible auditor is reported, never an error.

Reads are set-based (a fixed number of queries whatever the number of practitioners); the
new audits are written with one bulk insert (and one for their history rows), after
checking each against the same rules `audit_create` enforces.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, F, OuterRef, Q, When
from django.db.models.functions import Coalesce
from simple_history.utils import bulk_create_with_history

from audits.models import UNFINISHED_STATUSES, Audit, AuditStatus, AuditTemplate
from audits.signals import work_assigned
from cases.models import Case
from organisation.calendar import add_working_days
from organisation.roles import Role

TARGET = 8
TARGET_COLLABORATIVE = 4
WINDOW_DAYS = 365
DUE_WORKING_DAYS = 20
TEMPLATE_SLUG = "standard"


@dataclass(frozen=True)
class ScheduledAudit:
    practitioner: object
    case: Case
    auditor: object
    due_on: datetime.date
    audit_id: int | None = None  # None in a dry run


@dataclass(frozen=True)
class Unscheduled:
    practitioner: object
    shortfall: int
    scheduled: int  # how many of the shortfall could still be scheduled
    reason: str


@dataclass
class ScheduleReport:
    today: datetime.date
    dry_run: bool
    practitioners: int = 0
    on_target: int = 0
    scheduled: list[ScheduledAudit] = field(default_factory=list)
    unscheduled: list[Unscheduled] = field(default_factory=list)


def due_date(today: datetime.date, working_days: int = DUE_WORKING_DAYS) -> datetime.date:
    """The date `working_days` working days after today."""
    return add_working_days(today, working_days)


def target_for(practitioner) -> int:
    return TARGET_COLLABORATIVE if practitioner.collaborative_feedback else TARGET


def _counted_audits(since: datetime.date) -> dict[int, int]:
    """Audits that count towards each practitioner's target, by practitioner id (one query)."""
    rows = (
        Audit.objects.exclude(status=AuditStatus.CANCELLED)
        .filter(Q(created_at__date__gte=since) | Q(completed_on__gte=since))
        .annotate(
            owner=SqlCase(
                # Whose work: the copy on the audit (visibility.audit_practitioner_q's rule).
                When(status=AuditStatus.COMPLETED, then=F("practitioner_id")),
                default=Coalesce("practitioner_id", "case__practitioner_id"),
            )
        )
        .filter(owner__isnull=False)
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["owner"]: row["n"] for row in rows}


def _shortfalls(practitioners: list, counted: dict[int, int]) -> dict[int, int]:
    """How many audits each practitioner is short of their target, by id (only those short)."""
    short = {}
    for person in practitioners:
        shortfall = target_for(person) - counted.get(person.pk, 0)
        if shortfall > 0:
            short[person.pk] = shortfall
    return short


def _open_caseloads(practitioner_ids: list[int]) -> dict[int, list[Case]]:
    """The open cases of these practitioners with no audit already open on them, by practitioner id (one query)."""
    open_audit = Audit.objects.filter(case=OuterRef("pk"), status__in=UNFINISHED_STATUSES)
    caseload = defaultdict(list)
    for case in (
        Case.objects.open().filter(practitioner_id__in=practitioner_ids).exclude(Exists(open_audit)).order_by("pk")
    ):
        caseload[case.practitioner_id].append(case)
    return caseload


def _auditors_and_load() -> tuple[dict[int, list], dict[int, int]]:
    """The active auditors of every region, and each one's open audits (their load), in one query."""
    User = get_user_model()
    auditors_by_region = defaultdict(list)
    load = {}
    for auditor in (
        User.objects.filter(is_active=True, groups__name=Role.AUDITOR, region__isnull=False)
        .annotate(
            open_audits=Count("audits_to_do", filter=Q(audits_to_do__status__in=UNFINISHED_STATUSES), distinct=True)
        )
        .order_by("pk")
    ):
        auditors_by_region[auditor.region_id].append(auditor)
        load[auditor.pk] = auditor.open_audits
    return auditors_by_region, load


def _unscheduled_reason(cases: list[Case], done: int, no_auditor: bool) -> str:
    if no_auditor and done == 0:
        return "no active auditor in the case's region who is not allocated to the case"
    if no_auditor:
        return "not enough open cases with an eligible auditor in their region"
    return f"only {len(cases)} open case{'s' if len(cases) != 1 else ''} without an audit already open"


@dataclass
class _Run:
    """One scheduling run's drawing: the auditors' load grows as audits are handed out."""

    template: AuditTemplate
    rng: random.Random
    by: object
    since: datetime.date
    due_on: datetime.date
    auditors_by_region: dict[int, list]
    load: dict[int, int]
    report: ScheduleReport
    audits: list[Audit] = field(default_factory=list)

    def pick_auditor(self, case: Case, person):
        """An active auditor of the case's region, not allocated to it, with the fewest open audits
        (ties drawn at random), counted as given one more; None when there is nobody eligible."""
        candidates = [
            a for a in self.auditors_by_region[case.region_id] if a.pk not in (person.pk, case.practitioner_id)
        ]
        if not candidates:
            return None
        fewest = min(self.load[a.pk] for a in candidates)
        auditor = self.rng.choice([a for a in candidates if self.load[a.pk] == fewest])
        self.load[auditor.pk] += 1
        return auditor

    def new_audit(self, case: Case, auditor) -> Audit:
        audit = Audit(
            case=case,
            template=self.template,
            auditor=auditor,
            due_on=self.due_on,
            status=AuditStatus.SCHEDULED,
            created_by=self.by,
            practitioner_id=case.practitioner_id,  # whose work it is (see audit_create)
        )
        audit.copy_from_case(case)
        # audit_create's rule, checked here without its per-row queries: nobody audits a
        # case they are allocated to (the case is loaded, so this reads no row).
        audit.clean()
        return audit

    def schedule_for(self, person, shortfall: int, cases: list[Case]) -> None:
        """Up to `shortfall` audits of this practitioner's cases; what could not be scheduled is reported."""
        if not cases:
            self.report.unscheduled.append(
                Unscheduled(person, shortfall, 0, "no open case without an audit already open")
            )
            return
        # A random order, then the cases audited within the window moved behind the others
        # (a stable sort keeps the random order within each group).
        drawn = self.rng.sample(cases, len(cases))
        drawn.sort(key=lambda c: c.last_audited_on is not None and c.last_audited_on >= self.since)
        done = 0
        no_auditor = False
        for case in drawn:
            if done == shortfall:
                break
            auditor = self.pick_auditor(case, person)
            if auditor is None:
                no_auditor = True
                continue
            self.audits.append(self.new_audit(case, auditor))
            self.report.scheduled.append(ScheduledAudit(person, case, auditor, self.due_on))
            done += 1
        if done < shortfall:
            reason = _unscheduled_reason(cases, done, no_auditor)
            self.report.unscheduled.append(Unscheduled(person, shortfall, done, reason))


@transaction.atomic
def schedule_audits(*, today: datetime.date, rng: random.Random, by=None, dry_run: bool = False) -> ScheduleReport:
    """Schedule the audits each active practitioner is short of; report who could not be served.

    Idempotent: what it schedules counts at once, so a second run the same day adds nothing.
    Deterministic for a given `rng` seed and data: every list it draws from is in primary-key order.
    """
    User = get_user_model()
    report = ScheduleReport(today=today, dry_run=dry_run)

    # Query 1: the template. Locked in a real run: two scheduling runs at once (a beat job and
    # someone at the command line) would both see the same shortfall and double it; the second
    # waits here and then reads the first one's audits. It also waits out a template revision.
    templates = AuditTemplate.objects.filter(slug=TEMPLATE_SLUG, is_current=True)
    template = (templates if dry_run else templates.select_for_update()).first()
    if template is None:
        raise ValidationError(f"There is no current version of the '{TEMPLATE_SLUG}' audit template.")

    # Query 2: who is audited.
    practitioners = list(User.objects.filter(is_active=True, groups__name=Role.PRACTITIONER).distinct().order_by("pk"))
    report.practitioners = len(practitioners)
    if not practitioners:
        return report

    # Query 3: what already counts, and so each shortfall.
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    short = _shortfalls(practitioners, _counted_audits(since))
    report.on_target = len(practitioners) - len(short)
    if not short:
        return report

    caseload = _open_caseloads(list(short))  # query 4
    auditors_by_region, load = _auditors_and_load()  # query 5
    run = _Run(template, rng, by, since, due_date(today), auditors_by_region, load, report)
    for person in practitioners:
        if person.pk in short:
            run.schedule_for(person, short[person.pk], caseload.get(person.pk, []))
    audits = run.audits

    if audits and not dry_run:
        # One insert for the audits and one for their history rows (who scheduled them).
        created = bulk_create_with_history(audits, Audit, default_user=by, default_change_reason="Scheduled")
        work_assigned.send(sender=Audit, instances=created)
        report.scheduled = [
            ScheduledAudit(s.practitioner, s.case, s.auditor, s.due_on, audit.pk)
            for s, audit in zip(report.scheduled, created, strict=True)
        ]
    return report
