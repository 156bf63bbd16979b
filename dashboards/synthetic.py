"""Bulk synthetic data at national scale, for benchmarks: PostgreSQL COPY, deterministic per seed.

`synthetic_seed(...)` builds about 10 regions, 100 teams, 2,000 practitioners (plus
auditors, managers and national roles), cases with realistic dates and law/application
types in the proportions of the published figures (a third public law, two thirds private;
most public law work is s31 care; section 7 reports nearly half of private law), and N
completed audits over several years with judgements, moderations and learning actions.

Rows go in with COPY in chunks, inside one transaction (a failure leaves nothing behind).
Only ids that other rows point to (cases, audits) are taken from their sequences up front;
every other id comes from the column default. Nothing the application relies on is
dropped or disabled: every constraint and index stays in place while rows go in.

Everything synthetic is recognisable, so it can be cleared and never silently duplicated:
region and team codes and usernames start with ``syn-``; case references are
``SYN-<seed>-<number>``. Bulk rows have no simple_history rows (like any bulk insert).
The same seed, size and end month give the same rows (ids aside).
"""

import datetime
import io
import random
import time
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import connection, models, transaction

from audits.models import (
    Audit,
    AuditStatus,
    AuditTemplate,
    Criterion,
    CriterionKind,
    Judgement,
    LearningAction,
    Moderation,
)
from cases.models import AgeBand, ApplicationType, Case, Child, LawType
from organisation.calendar import add_working_days, working_days_between
from organisation.grades import Grade
from organisation.models import Region, Team, User
from organisation.months import add_months, next_month
from organisation.roles import Role

PREFIX = "syn-"
CASE_PREFIX = "SYN-"
SYNTHETIC_TEMPLATE_SLUG = "synthetic"

REGION_NAMES = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
]
# Relative size of each region's workforce (London largest, as in the published caseload).
REGION_WEIGHTS = [7, 12, 10, 8, 10, 10, 16, 12, 8, 7]
TEAMS_PER_REGION = 10
PRACTITIONERS = 2000
AUDITORS_PER_TEAM = 3

# Shares of the published grade mix: 63% good or better, 30% meets the standard, 7% requires
# improvement; outstanding is about one in seven of the good-or-better grades.
GOOD_OR_BETTER = 0.63
REQUIRES_IMPROVEMENT = 0.07
OUTSTANDING_OF_GOOD = 0.15

# Application types within each law type (weights), from the published demand figures.
PUBLIC_TYPES = [
    (ApplicationType.S31_CARE, 73),
    (ApplicationType.SPECIAL_GUARDIANSHIP, 12),
    (ApplicationType.ADOPTION, 5),
    (ApplicationType.OTHER, 10),
]
PRIVATE_TYPES = [
    (ApplicationType.SECTION_7, 44),
    (ApplicationType.CHILD_ARRANGEMENTS, 46),
    (ApplicationType.RULE_16_4, 5),
    (ApplicationType.OTHER, 5),
]
# Weeks from receipt to the report being due, by application type.
REPORT_WEEKS = {
    ApplicationType.SECTION_7: 12,
    ApplicationType.CHILD_ARRANGEMENTS: 16,
    ApplicationType.RULE_16_4: 20,
}
PUBLIC_REPORT_WEEKS = 26
# Working days from receipt to allocation (mean about 1.2, as KPI 2).
ALLOCATION_DAYS = [(0, 35), (1, 35), (2, 20), (3, 7), (5, 3)]
UNALLOCATED = {LawType.PUBLIC: 0.005, LawType.PRIVATE: 0.007}
S7_ON_TIME = 0.984
# Open cases with an audit under way (scheduled or in progress, due within weeks of today):
# the auditors' to-do lists and the managers' overdue figures. Not counted in N.
OPEN_AUDIT_SHARE = 0.2

ETHNICITIES = ["White British", "White other", "Mixed", "Asian or Asian British", "Black or Black British", "Other"]
ETHNICITY_WEIGHTS = [70, 6, 8, 8, 5, 3]


@dataclass(frozen=True)
class SyntheticPlan:
    audits: int
    seed: int = 1
    until: datetime.date | None = None  # the last month with audits; default: this month
    years: int = 5
    judgements_share: float = 1.0
    moderation_share: float = 0.05
    chunk_cases: int = 20000

    def end_date(self, today: datetime.date) -> datetime.date:
        """The last day audits may carry: the end of `until`'s month, never after today."""
        end = next_month(self.until or today) - datetime.timedelta(days=1)
        return min(end, today)

    def start_date(self, today: datetime.date) -> datetime.date:
        """The first day of the month after the same month `years` earlier (so `years` whole years)."""
        return add_months(self.end_date(today), 1 - 12 * self.years)

    @property
    def cases(self) -> int:
        return max(self.audits // 3, 3000)


# ---- COPY ----------------------------------------------------------------------------


def _text(value) -> str:
    """One value in COPY's text format (our own values never hold tabs, newlines or backslashes)."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)


class _Table:
    """COPY into one model's table: the columns we supply, then every other column at its default.

    Filling the rest from the model's defaults keeps COPY working when a field is added to
    the model later (Django sets defaults in Python, not in the database).
    """

    def __init__(self, model, columns: list[str]):
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        supplied = set(columns)
        rest = [
            f
            for f in meta.concrete_fields
            if f.column not in supplied
            and not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
        ]
        self.columns = [*columns, *(f.column for f in rest)]
        self.suffix = "".join("\t" + _text(f.get_db_prep_save(f.get_default(), connection)) for f in rest) + "\n"
        self.buffer: list[str] = []
        self.rows = 0

    def add(self, line: str) -> None:
        """`line` holds the supplied columns, tab-separated, without the newline."""
        self.buffer.append(line + self.suffix)

    def flush(self, cursor) -> None:
        if not self.buffer:
            return
        data = io.StringIO("".join(self.buffer))
        sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, data, size=1 << 20)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(data.getvalue())
        self.rows += len(self.buffer)
        self.buffer = []


def _reserve_ids(cursor, model, count: int) -> list[int]:
    """Take `count` ids from the table's own sequence, so rows pointing at them can be written first."""
    if not count:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [model._meta.db_table, model._meta.pk.column, count],
    )
    return [row[0] for row in cursor.fetchall()]


# ---- what exists already --------------------------------------------------------------


def synthetic_case_count(seed: int | None = None) -> int:
    prefix = CASE_PREFIX if seed is None else f"{CASE_PREFIX}{seed}-"
    return Case.objects.filter(reference__startswith=prefix).count()


def synthetic_audit_count(seed: int | None = None) -> int:
    prefix = CASE_PREFIX if seed is None else f"{CASE_PREFIX}{seed}-"
    return Audit.objects.filter(case__reference__startswith=prefix, status=AuditStatus.COMPLETED).count()


def synthetic_exists() -> bool:
    return (
        Case.objects.filter(reference__startswith=CASE_PREFIX).exists()
        or Region.objects.filter(code__startswith=PREFIX).exists()
        or User.objects.filter(username__startswith=PREFIX).exists()
    )


def _reverse_relations(model):
    """Every concrete foreign key (hidden ones too) that points at `model`."""
    for rel in model._meta.get_fields(include_hidden=True):
        if (rel.one_to_many or rel.one_to_one) and rel.auto_created and not rel.concrete:
            field = rel.field
            if field.concrete and field.model._meta.managed and not field.model._meta.proxy:
                yield field.model, field.column


def _delete(cursor, model, where: str, params: list, tables: set[str], depth: int = 0) -> None:
    """DELETE the rows of `model` matching `where`, after every row that points at them (set-based).

    `tables` holds the tables that exist (a model whose migration has not run yet is skipped).
    """
    table = model._meta.db_table
    if table not in tables:
        return
    pk = model._meta.pk.column
    if depth < 6:
        for related, column in _reverse_relations(model):
            if related is model:
                continue
            subquery = f"{column} IN (SELECT {pk} FROM {table} WHERE {where})"  # noqa: S608 (names from models)
            _delete(cursor, related, subquery, params, tables, depth + 1)
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608 (table names from models)


def synthetic_clear(*, stdout=None) -> None:
    """Remove every synthetic row (cases first, then people, teams and regions), set-based."""
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        _delete(cursor, Case, "reference LIKE %s", [CASE_PREFIX + "%"], tables)
        _delete(cursor, User, "username LIKE %s", [PREFIX + "%"], tables)
        _delete(cursor, Team, "code LIKE %s", [PREFIX + "%"], tables)
        _delete(cursor, Region, "code LIKE %s", [PREFIX + "%"], tables)
        _delete(cursor, AuditTemplate, "slug = %s", [SYNTHETIC_TEMPLATE_SLUG], tables)
    if stdout:
        stdout.write(f"  cleared synthetic data in {time.monotonic() - started:.1f} s")


# ---- the organisation ----------------------------------------------------------------


@dataclass
class _Org:
    regions: list  # Region
    teams: list  # Team
    practitioners: list  # (id, team_id, region_id)
    auditors_by_region: dict  # region_id -> [user id]
    all_auditors: list  # user ids
    grade_mix: dict  # region_id -> (p_ri, p_meets, p_good, p_outstanding) cumulative thresholds
    feedback_share: dict  # region_id -> share of audits informed by family feedback


def _weighted(rng: random.Random, pairs):
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return rng.choices(values, weights=weights)[0]


def _build_org(rng: random.Random) -> _Org:
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    missing = set(Role.values) - set(groups)
    if missing:
        raise RuntimeError(f"The role groups {sorted(missing)} are missing: run migrate first.")
    regions = Region.objects.bulk_create(
        [Region(code=f"{PREFIX}r{i + 1:02d}", name=f"{name} (synthetic)") for i, name in enumerate(REGION_NAMES)]
    )
    teams = Team.objects.bulk_create(
        [
            Team(code=f"{PREFIX}r{r + 1:02d}-t{t + 1:02d}", name=f"Team {t + 1}", region=region)
            for r, region in enumerate(regions)
            for t in range(TEAMS_PER_REGION)
        ]
    )
    # Practitioners per team in proportion to the region's size, varied a little by team.
    team_weights = [REGION_WEIGHTS[i // TEAMS_PER_REGION] * rng.uniform(0.7, 1.3) for i in range(len(teams))]
    scale = PRACTITIONERS / sum(team_weights)
    per_team = [max(5, round(w * scale)) for w in team_weights]
    per_team[-1] += PRACTITIONERS - sum(per_team)

    people: list[tuple[User, list[str]]] = []
    password = "!synthetic-no-login"  # noqa: S105 (an unusable password: synthetic people never sign in)

    def person(username, full_name, roles, region=None, team=None):
        user = User(
            username=username,
            full_name=full_name,
            email=f"{username}@example.org",
            region=region,
            team=team,
            password=password,
        )
        people.append((user, roles))

    number = 0
    for team, count in zip(teams, per_team, strict=True):
        for _ in range(count):
            number += 1
            person(f"{PREFIX}fca-{number:05d}", f"Practitioner {number}", [Role.PRACTITIONER], team.region, team)
        for a in range(AUDITORS_PER_TEAM):
            username = f"{PREFIX}aud-{team.code[len(PREFIX) :]}-{a + 1}"
            person(username, f"Auditor {team.code}-{a + 1}", [Role.AUDITOR], team.region, team)
    for region in regions:
        username = f"{PREFIX}sm-{region.code[len(PREFIX) :]}"
        person(username, f"Service manager {region.name}", [Role.SERVICE_MANAGER], region)
    person(f"{PREFIX}ad", "Assistant director (synthetic)", [Role.ASSISTANT_DIRECTOR])
    person(f"{PREFIX}board", "Board member (synthetic)", [Role.BOARD_MEMBER])
    person(f"{PREFIX}qa", "Quality admin (synthetic)", [Role.QUALITY_ADMIN])

    users = User.objects.bulk_create([u for u, _ in people], batch_size=1000)
    through = User.groups.through
    through.objects.bulk_create(
        [
            through(user_id=u.pk, group_id=groups[role].pk)
            for u, (_, roles) in zip(users, people, strict=True)
            for role in roles
        ],
        batch_size=2000,
    )
    practitioners, auditors_by_region, all_auditors = [], {r.pk: [] for r in regions}, []
    for user, (_, roles) in zip(users, people, strict=True):
        if Role.PRACTITIONER in roles:
            practitioners.append((user.pk, user.team_id, user.region_id))
        elif Role.AUDITOR in roles:
            auditors_by_region[user.region_id].append(user.pk)
            all_auditors.append(user.pk)

    # Each region's grade mix differs a little around the national figures.
    grade_mix, feedback_share = {}, {}
    for region in regions:
        good = min(0.8, max(0.45, rng.gauss(GOOD_OR_BETTER, 0.05)))
        ri = min(0.15, max(0.02, rng.gauss(REQUIRES_IMPROVEMENT, 0.02)))
        outstanding = good * OUTSTANDING_OF_GOOD
        # Cumulative thresholds over grades 1..4 for one uniform draw.
        grade_mix[region.pk] = (ri, 1 - good, 1 - outstanding)
        feedback_share[region.pk] = min(0.7, max(0.3, rng.gauss(0.5, 0.06)))
    return _Org(regions, teams, practitioners, auditors_by_region, all_auditors, grade_mix, feedback_share)


def _template():
    """The shipped `standard` template when it exists, else a synthetic one of 13 criteria."""
    template = AuditTemplate.objects.filter(slug="standard", is_current=True).first()
    if template is None:
        template = AuditTemplate.objects.create(
            slug=SYNTHETIC_TEMPLATE_SLUG, name="Synthetic case file audit", description="Bulk benchmark data only."
        )
        Criterion.objects.bulk_create(
            [
                Criterion(
                    template=template,
                    code=f"synthetic-{i + 1:02d}",
                    section=["The child", "Analysis", "Oversight"][i % 3],
                    order=i + 1,
                    text=f"Synthetic criterion {i + 1}",
                    kind=CriterionKind.YES_NO if i in (0, 11) else CriterionKind.GRADED,
                    limiting=i in (1, 5),
                )
                for i in range(13)
            ]
        )
    return template, list(template.criteria.order_by("order"))


def _judgement_patterns(rng: random.Random, criteria, law_type: str, per_grade: int = 32) -> dict:
    """Pre-formatted judgement lines (after the audit id) for each overall grade.

    Criteria are graded around the overall grade; a limiting criterion is graded Requires
    improvement only when the overall grade is Requires improvement (it caps the overall grade).
    """
    applicable = [c for c in criteria if c.applies_to in ("both", law_type)]
    patterns = {}
    for grade in Grade.values:
        options = []
        for _ in range(per_grade):
            lines = []
            for c in applicable:
                if c.kind == CriterionKind.YES_NO:
                    answer = rng.random() < (0.9 if grade >= Grade.GOOD else 0.7)
                    lines.append(f"\t{c.pk}\t\\N\t{'t' if answer else 'f'}")
                    continue
                g = min(4, max(1, grade + _weighted(rng, [(-1, 20), (0, 60), (1, 20)])))
                if c.limiting and grade > Grade.REQUIRES_IMPROVEMENT:
                    g = max(g, Grade.MEETS_STANDARD)
                lines.append(f"\t{c.pk}\t{g}\t\\N")
            graded = [c for c in applicable if c.kind == CriterionKind.GRADED]
            if grade == Grade.REQUIRES_IMPROVEMENT and graded:
                limiting = [c for c in graded if c.limiting] or graded
                pick = rng.choice(limiting)
                lines[applicable.index(pick)] = f"\t{pick.pk}\t1\t\\N"
            options.append(lines)
        patterns[grade] = options
    return patterns


# ---- the main loop -------------------------------------------------------------------

CASE_COLUMNS = [
    "id",
    "reference",
    "region_id",
    "team_id",
    "law_type",
    "application_type",
    "practitioner_id",
    "domestic_abuse_alleged",
    "domestic_abuse_substantiated",
    "received_on",
    "allocated_on",
    "report_due_on",
    "report_filed_on",
    "closed_on",
    "allocation_working_days",
    "last_audit_grade",
    "last_audited_on",
]
AUDIT_COLUMNS = [
    "id",
    "case_id",
    "template_id",
    "auditor_id",
    "status",
    "due_on",
    "started_at",
    "submitted_at",
    "completed_at",
    "completed_on",
    "suggested_grade",
    "overall_grade",
    "rationale",
    "final_grade",
    "moderated_grade",
    "family_feedback",
    "region_id",
    "team_id",
    "practitioner_id",
    "created_at",
]


def synthetic_seed(*, plan: SyntheticPlan, stdout=None, today: datetime.date | None = None) -> dict:
    """Write the synthetic organisation and `plan.audits` completed audits; returns counts and timings.

    PostgreSQL only (COPY). Refuses when synthetic data is already there (clear it first).
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_synthetic writes with PostgreSQL COPY: point DATABASE_URL at PostgreSQL.")
    if synthetic_exists():
        raise RuntimeError("Synthetic data is already in this database: clear it first (seed_synthetic --reset).")
    if plan.audits < 0 or not 0 <= plan.judgements_share <= 1 or not 0 <= plan.moderation_share <= 1:
        raise ValueError("audits must be >= 0 and the shares between 0 and 1.")
    today = today or datetime.date.today()
    end = plan.end_date(today)
    start = plan.start_date(today)
    rng = random.Random(plan.seed)
    started = time.monotonic()

    def say(message):
        if stdout:
            stdout.write(f"  [{time.monotonic() - started:7.1f} s] {message}")

    with transaction.atomic():
        with connection.cursor() as cursor:
            # Check foreign keys as each COPY ends rather than queueing tens of millions of
            # deferred checks for the commit: the same checks, in bounded memory, and the
            # progress lines show their true cost.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        org = _build_org(rng)
        template, criteria = _template()
        say(
            f"organisation: {len(org.regions)} regions, {len(org.teams)} teams, "
            f"{len(org.practitioners)} practitioners, {len(org.all_auditors)} auditors; "
            f"template {template.slug} v{template.version} ({len(criteria)} criteria)"
        )
        patterns = {law: _judgement_patterns(rng, criteria, law) for law in LawType.values}
        counts = _write_cases_and_audits(
            plan=plan, org=org, template=template, patterns=patterns, start=start, end=end, rng=rng, say=say
        )
    with connection.cursor() as cursor:
        for model in (Case, Child, Audit, Judgement, Moderation, LearningAction):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["from"] = start.isoformat()
    counts["to"] = end.isoformat()
    say(f"done: {counts}")
    return counts


def _case_audit_counts(rng: random.Random, weights: list[int], audits: int) -> list[int]:
    """Spread exactly `audits` audits over the cases in proportion to their weights.

    Each case gets the whole part of its share; the audits left over go to cases drawn
    with the same weights (a case of weight 0, such as an unallocated one, gets none).
    """
    total = sum(weights)
    if not total:
        if audits:
            raise RuntimeError("No allocated case to audit.")
        return [0] * len(weights)
    counts = [audits * w // total for w in weights]
    left = audits - sum(counts)
    for i in rng.choices(range(len(weights)), weights=weights, k=left):
        counts[i] += 1
    return counts


def _open_audit(audits_t, audit_id, case_id, template_id, region_id, team_id, pid, end, rng, org) -> None:
    """A scheduled or in-progress audit of an open case (region, team, practitioner copied at creation)."""
    due = end + datetime.timedelta(days=rng.randint(-21, 42))
    created = due - datetime.timedelta(days=28)
    started = rng.random() < 0.4
    status = "in_progress" if started else "scheduled"
    started_at = f"{created + datetime.timedelta(days=5)} 09:00:00+00" if started else "\\N"
    auditor = rng.choice(org.auditors_by_region[region_id])
    audits_t.add(
        f"{audit_id}\t{case_id}\t{template_id}\t{auditor}\t{status}\t{due}\t{started_at}\t\\N\t\\N\t\\N\t"
        f"\\N\t\\N\t\t\\N\t\\N\tf\t{region_id}\t{team_id}\t{pid}\t{created} 09:00:00+00"
    )


def _write_cases_and_audits(*, plan, org: _Org, template, patterns, start, end, rng, say) -> dict:
    n_cases = plan.cases
    first_received = start - datetime.timedelta(days=60)
    last_received = end - datetime.timedelta(days=21)
    span = (last_received - first_received).days

    # 1. Every case's shape first (cheap), so the audits can be spread exactly over them.
    shapes = []
    for _ in range(n_cases):
        law = LawType.PUBLIC if rng.random() < 1 / 3 else LawType.PRIVATE
        app = _weighted(rng, PUBLIC_TYPES if law == LawType.PUBLIC else PRIVATE_TYPES)
        received = first_received + datetime.timedelta(days=rng.randrange(span + 1))
        allocated = rng.random() >= UNALLOCATED[law]
        life = rng.randint(60, 420)  # days from receipt to the end of the court's work
        # The days on which this case's audits may complete: while open, within the window.
        lo = max(start, received + datetime.timedelta(days=14))
        hi = min(end, received + datetime.timedelta(days=life))
        shapes.append((law, app, received, allocated, life, lo.toordinal(), hi.toordinal()))
    # Audits spread in proportion to each case's window, so every month gets its share
    # (cases received near the end have short windows and must not crowd the last months).
    weights = [(s[6] - s[5] + 1) if s[3] else 0 for s in shapes]
    per_case = _case_audit_counts(rng, weights, plan.audits)

    cases_t = _Table(Case, CASE_COLUMNS)
    children_t = _Table(Child, ["case_id", "label", "age_band", "ethnicity", "disability", "religion"])
    audits_t = _Table(Audit, AUDIT_COLUMNS)
    judgements_t = _Table(Judgement, ["audit_id", "criterion_id", "grade", "answer"])
    moderations_t = _Table(Moderation, ["audit_id", "moderator_id", "grade", "notes", "sampled_at", "completed_at"])
    actions_t = _Table(LearningAction, ["audit_id", "description", "due_on", "status", "completed_on", "created_at"])
    age_bands = [b.value for b in AgeBand]
    grade_totals = dict.fromkeys(Grade.values, 0)
    open_audits = 0
    template_id = template.pk
    day_text: dict[datetime.date, str] = {}

    def d(day: datetime.date) -> str:
        text = day_text.get(day)
        if text is None:
            text = day_text[day] = day.isoformat()
        return text

    with connection.cursor() as cursor:
        for chunk_start in range(0, n_cases, plan.chunk_cases):
            chunk = range(chunk_start, min(n_cases, chunk_start + plan.chunk_cases))
            case_ids = _reserve_ids(cursor, Case, len(chunk))
            audit_ids = iter(_reserve_ids(cursor, Audit, sum(per_case[i] for i in chunk)))
            open_ids = iter(_reserve_ids(cursor, Audit, len(chunk)))  # at most one open audit per case
            for case_id, i in zip(case_ids, chunk, strict=True):
                law, app, received, allocated, life, lo, hi = shapes[i]
                pid, team_id, region_id = rng.choice(org.practitioners)
                closed = received + datetime.timedelta(days=life + rng.randint(0, 30))
                closed = closed if closed <= end else None
                allocated_on = add_working_days(received, _weighted(rng, ALLOCATION_DAYS)) if allocated else None
                weeks = PUBLIC_REPORT_WEEKS if law == LawType.PUBLIC else REPORT_WEEKS.get(app, 16)
                due = received + datetime.timedelta(weeks=weeks)
                filed = None
                if due <= end:
                    if rng.random() < S7_ON_TIME:
                        filed = max(received, due - datetime.timedelta(days=rng.randint(0, 10)))
                    else:
                        late = due + datetime.timedelta(days=rng.randint(1, 20))
                        filed = late if late <= end else None
                abuse = rng.random() < (0.5 if law == LawType.PRIVATE else 0.3)

                # The case's audits, oldest first.
                last_grade = last_on = None
                mix = org.grade_mix[region_id]
                ff_share = org.feedback_share[region_id]
                region_auditors = org.auditors_by_region[region_id]
                law_patterns = patterns[law]
                for completed_ord in sorted(rng.randint(lo, hi) for _ in range(per_case[i])):
                    audit_id = next(audit_ids)
                    completed = datetime.date.fromordinal(completed_ord)
                    u = rng.random()
                    grade = 1 if u < mix[0] else 2 if u < mix[1] else 3 if u < mix[2] else 4
                    suggested, rationale = grade, ""
                    if rng.random() < 0.03:  # the auditor departed from the suggestion, with reasons
                        suggested = min(4, max(1, grade + rng.choice((-1, 1))))
                        rationale = "Synthetic: the auditor weighed the evidence differently."
                    final = grade
                    moderated_grade = "\\N"  # set when a moderation completes, as moderation_record does
                    auditor = rng.choice(region_auditors)
                    if rng.random() < plan.moderation_share:
                        # A second, blind grading by another auditor (anywhere in the country).
                        moderator = rng.choice(org.all_auditors)
                        if moderator == auditor:
                            moderator = org.all_auditors[
                                (org.all_auditors.index(moderator) + 1) % len(org.all_auditors)
                            ]
                        sampled = d(completed)
                        if rng.random() < 0.9:  # most moderations are complete; their grade is final
                            final = grade if rng.random() < 0.85 else min(4, max(1, grade + rng.choice((-1, 1))))
                            moderated_grade = str(final)
                            moderated = d(completed + datetime.timedelta(days=7))
                            moderations_t.add(
                                f"{audit_id}\t{moderator}\t{final}\t\t{sampled} 12:00:00+00\t{moderated} 12:00:00+00"
                            )
                        else:
                            moderations_t.add(f"{audit_id}\t{moderator}\t\\N\t\t{sampled} 12:00:00+00\t\\N")
                    ff = rng.random() < ff_share
                    cd = d(completed)
                    begun = d(completed - datetime.timedelta(days=3))
                    audits_t.add(
                        f"{audit_id}\t{case_id}\t{template_id}\t{auditor}\tcompleted\t{cd}\t{begun} 09:00:00+00\t"
                        f"{cd} 11:00:00+00\t{cd} 12:00:00+00\t{cd}\t{suggested}\t{grade}\t{rationale}\t{final}\t"
                        f"{moderated_grade}\t"
                        f"{'t' if ff else 'f'}\t{region_id}\t{team_id}\t{pid}\t{begun} 09:00:00+00"
                    )
                    grade_totals[final] += 1
                    if rng.random() < plan.judgements_share:
                        aid = str(audit_id)
                        for line in law_patterns[grade][rng.randrange(32)]:
                            judgements_t.add(aid + line)
                    if final == Grade.REQUIRES_IMPROVEMENT:
                        due_action = completed + datetime.timedelta(days=28)
                        done_action = due_action <= end - datetime.timedelta(days=30)
                        actions_t.add(
                            f"{audit_id}\tAct on the learning from this audit (synthetic).\t{d(due_action)}\t"
                            f"{'done' if done_action else 'open'}\t{d(due_action) if done_action else chr(92) + 'N'}\t"
                            f"{cd} 12:00:00+00"
                        )
                    last_grade, last_on = final, completed
                if closed is None and allocated and rng.random() < OPEN_AUDIT_SHARE:
                    open_audits += 1
                    _open_audit(audits_t, next(open_ids), case_id, template_id, region_id, team_id, pid, end, rng, org)

                cases_t.add(
                    f"{case_id}\t{CASE_PREFIX}{plan.seed}-{i + 1:07d}\t{region_id}\t{team_id}\t{law}\t{app}\t"
                    f"{pid if allocated else chr(92) + 'N'}\t{'t' if abuse else 'f'}\t"
                    f"{'t' if abuse and i % 3 == 0 else 'f'}\t{d(received)}\t"
                    f"{_text(allocated_on)}\t{d(due)}\t{_text(filed)}\t{_text(closed)}\t"
                    f"{_text(working_days_between(received, allocated_on) if allocated_on else None)}\t"
                    f"{_text(last_grade)}\t"
                    f"{_text(last_on)}"
                )
                for c in range(1 + (rng.random() < 0.45) + (rng.random() < 0.15)):
                    children_t.add(
                        f"{case_id}\tChild {'ABC'[c]}\t{rng.choice(age_bands)}\t"
                        f"{rng.choices(ETHNICITIES, ETHNICITY_WEIGHTS)[0]}\t"
                        f"{'Disabled' if rng.random() < 0.08 else 'None known'}\tNot recorded"
                    )
            for table in (cases_t, children_t, audits_t, judgements_t, moderations_t, actions_t):
                table.flush(cursor)
            say(
                f"{chunk.stop:>9,} / {n_cases:,} cases, {audits_t.rows:>10,} audits, "
                f"{judgements_t.rows:>11,} judgements"
            )
    return {
        "cases": cases_t.rows,
        "children": children_t.rows,
        "audits": audits_t.rows - open_audits,
        "open_audits": open_audits,
        "judgements": judgements_t.rows,
        "moderations": moderations_t.rows,
        "learning_actions": actions_t.rows,
        "final_grades": {Grade(g).label: n for g, n in grade_totals.items()},
    }
